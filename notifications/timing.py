"""The quiet hours: no patient message between their start and end, clinic time."""

from __future__ import annotations

import datetime

from django.conf import settings

from clinic.time import CLINIC_TZ, at_clinic_time


def quiet_hours() -> tuple[datetime.time, datetime.time]:
    """(start, end) of the nightly window without patient messages, clinic time."""
    return (
        datetime.time.fromisoformat(settings.NOTIFICATION_QUIET_HOURS_START),
        datetime.time.fromisoformat(settings.NOTIFICATION_QUIET_HOURS_END),
    )


def outside_quiet_hours(moment: datetime.datetime) -> datetime.datetime:
    """``moment``, or the end of the quiet hours it falls into (08:00 clinic time)."""
    start, end = quiet_hours()
    local = moment.astimezone(CLINIC_TZ)
    wall = local.time()
    if start <= wall or wall < end:
        day = local.date() if wall < end else local.date() + datetime.timedelta(days=1)
        return at_clinic_time(day, end)
    return moment
