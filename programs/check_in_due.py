"""When a check-in is due, and when check-ins are missed: the one home of that rhythm.

A program asks for a check-in every ``check_in_every_days``, counted from the last one (a
check-in from an earlier program does not count), or from the start of the program. It is
read in two ways, on purpose:

- the caseload counts exact time: a check-in is overdue once that many days have passed
  since the last one (``check_in_due_at``, a database expression);
- reminders count clinic days: one is due on every ``every``-th clinic day after the day of
  the last one, a nudge follows the day after, and each further ``every`` days without a
  check-in is one more missed (``due_on``, ``nudge_on``, ``missed_count``).
"""

from __future__ import annotations

import datetime

from django.db.models import DateTimeField, DurationField, ExpressionWrapper, Func
from django.db.models.functions import Coalesce, Greatest

# After this many missed check-ins a clinician is asked to look (``missed_check_ins``).
MISSED_BEFORE_ESCALATION = 2


class Days(Func):
    """An integer column as a duration of that many days, on PostgreSQL and SQLite."""

    output_field = DurationField()

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="make_interval(days => %(expressions)s)")

    def as_sqlite(self, compiler, connection, **extra):
        # Django keeps durations in SQLite as microseconds.
        return self.as_sql(compiler, connection, template="(%(expressions)s * 86400000000)")


def check_in_due_at(
    *,
    last_check_in: str = "last_check_in",
    started_at: str = "started_at",
    every_days: str = "check_in_every_days",
) -> ExpressionWrapper:
    """When a program's next check-in is due, for a queryset of programs annotated with
    the time of the patient's last check-in (``last_check_in``); the names point at the
    program's start and rhythm where the rows are not programs (the caseload's patients)."""
    return ExpressionWrapper(
        Greatest(Coalesce(last_check_in, started_at), started_at) + Days(every_days),
        output_field=DateTimeField(),
    )


def due_on(*, days_since: int, every: int) -> bool:
    """A check-in is due on this clinic day, ``days_since`` days after the last one."""
    return days_since > 0 and days_since % every == 0


def nudge_on(*, days_since: int, every: int) -> bool:
    """The day after a due day (not for a daily rhythm): a nudge if none came in."""
    return every > 1 and days_since > 1 and (days_since - 1) % every == 0


def missed_count(*, last_day: datetime.date, every: int, today: datetime.date) -> int:
    """How many check-ins were missed by ``today`` since the one on ``last_day``."""
    return max(0, ((today - last_day).days - 1) // every)
