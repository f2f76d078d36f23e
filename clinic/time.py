"""Clinic time: the one home of the clinic's time zone and its wall-clock helpers.

Times a person chooses (18:00 check-in reminder, 08:00 digest) are local wall-clock times,
converted per date, so they stay 18:00 across daylight-saving changes (16:00 UTC in summer,
17:00 UTC in winter).
"""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from django.conf import settings

# Europe/Amsterdam: both locations (Rotterdam, Zoetermeer) keep the same clocks.
CLINIC_TZ = ZoneInfo(settings.TIME_ZONE)


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
