"""Clinic time for messages: wall-clock times in Europe/Amsterdam and the quiet hours.

Times a person chooses (18:00 check-in reminder, 08:00 digest) are local wall-clock times,
converted per date, so they stay 18:00 across daylight-saving changes (16:00 UTC in summer,
17:00 UTC in winter).
"""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from django.conf import settings

CLINIC_TZ = ZoneInfo("Europe/Amsterdam")


def quiet_hours() -> tuple[datetime.time, datetime.time]:
    """(start, end) of the nightly window without patient messages, clinic time."""
    return (
        datetime.time.fromisoformat(settings.NOTIFICATION_QUIET_HOURS_START),
        datetime.time.fromisoformat(settings.NOTIFICATION_QUIET_HOURS_END),
    )


def local_date(moment: datetime.datetime) -> datetime.date:
    return moment.astimezone(CLINIC_TZ).date()


def at_clinic_time(day: datetime.date, wall: datetime.time) -> datetime.datetime:
    """The aware moment (UTC) at which clinic clocks show ``wall`` on ``day``.

    A time that does not exist on a spring-forward day (02:30) resolves forward, like a
    clock that was just moved on; an ambiguous autumn time takes its first occurrence.
    """
    local = datetime.datetime.combine(day, wall, tzinfo=CLINIC_TZ)
    # Round-trip through UTC normalises a non-existent local time to a real one.
    return local.astimezone(datetime.UTC).astimezone(CLINIC_TZ).astimezone(datetime.UTC)


def outside_quiet_hours(moment: datetime.datetime) -> datetime.datetime:
    """``moment``, or the end of the quiet hours it falls into (08:00 clinic time)."""
    start, end = quiet_hours()
    local = moment.astimezone(CLINIC_TZ)
    wall = local.time()
    if start <= wall or wall < end:
        day = local.date() if wall < end else local.date() + datetime.timedelta(days=1)
        return at_clinic_time(day, end)
    return moment
