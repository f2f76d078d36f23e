"""When a location is open, from its clinicians' working hours (pure; the rows come from
``bookings.selectors.location_opening_hours``).

A location is open while any clinician of that location works there and is neither on
leave nor the location closed (a public holiday, a closure). This is what "someone will
call you" can honestly promise: a time inside these hours.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from zoneinfo import ZoneInfo

# How far ahead the next opening is looked for; beyond this the hours are treated as unknown.
LOOK_AHEAD_DAYS = 21


@dataclass(frozen=True)
class Shift:
    clinician_id: int
    weekday: int  # 0 = Monday
    starts_at: datetime.time
    ends_at: datetime.time
    valid_from: datetime.date | None = None
    valid_until: datetime.date | None = None

    def on(self, day: datetime.date) -> bool:
        return (
            day.weekday() == self.weekday
            and (self.valid_from is None or day >= self.valid_from)
            and (self.valid_until is None or day <= self.valid_until)
        )


@dataclass(frozen=True)
class Closure:
    """[starts_at, ends_at): the location is closed (clinician_id None) or one clinician is
    away."""

    starts_at: datetime.datetime
    ends_at: datetime.datetime
    clinician_id: int | None = None


@dataclass(frozen=True)
class OpeningHours:
    timezone: str
    shifts: tuple[Shift, ...] = ()
    closures: tuple[Closure, ...] = ()


@dataclass(frozen=True)
class Opening:
    """The answer to "when can the clinic call?": open now, or the next opening (local
    clinic time); ``at`` is None when no opening is known in the next weeks."""

    open_now: bool
    at: datetime.datetime | None = None


def _minus(
    spans: list[tuple[datetime.datetime, datetime.datetime]],
    cut: tuple[datetime.datetime, datetime.datetime],
) -> list[tuple[datetime.datetime, datetime.datetime]]:
    out = []
    for start, end in spans:
        if cut[1] <= start or cut[0] >= end:
            out.append((start, end))
            continue
        if start < cut[0]:
            out.append((start, cut[0]))
        if cut[1] < end:
            out.append((cut[1], end))
    return out


def open_spans(
    hours: OpeningHours, since: datetime.datetime, days: int = LOOK_AHEAD_DAYS
) -> list[tuple[datetime.datetime, datetime.datetime]]:
    """The location's open spans from the local day of ``since`` for ``days`` days, in local
    time, sorted."""
    zone = ZoneInfo(hours.timezone)
    first = since.astimezone(zone).date()
    spans = []
    for offset in range(days + 1):
        day = first + datetime.timedelta(days=offset)
        for shift in hours.shifts:
            if not shift.on(day):
                continue
            mine = [
                (
                    datetime.datetime.combine(day, shift.starts_at, tzinfo=zone),
                    datetime.datetime.combine(day, shift.ends_at, tzinfo=zone),
                )
            ]
            for closure in hours.closures:
                if closure.clinician_id in (None, shift.clinician_id):
                    mine = _minus(mine, (closure.starts_at, closure.ends_at))
            spans.extend(mine)
    return sorted(spans)


def opening_at(hours: OpeningHours, now: datetime.datetime) -> Opening:
    """Open at ``now``, or when the location next opens."""
    zone = ZoneInfo(hours.timezone)
    for start, end in open_spans(hours, now):
        if start <= now < end:
            return Opening(open_now=True)
        if start > now:
            return Opening(open_now=False, at=start.astimezone(zone))
    return Opening(open_now=False)
