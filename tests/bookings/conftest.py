"""Fixtures of the bookings tests: appointment types and a working week."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest

from clinic.time import CLINIC_TZ
from tests.bookings.factories import AppointmentTypeFactory, WorkingHoursFactory

# A Monday well in the future, so "never in the past" does not interfere.
MONDAY = date(2027, 6, 7)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    """Clinic wall-clock time on ``day``."""
    return datetime.combine(day, time(hour, minute), tzinfo=CLINIC_TZ)


@pytest.fixture
def treatment(db):
    return AppointmentTypeFactory(code="treatment", duration_minutes=30, patient_bookable=True)


@pytest.fixture
def intake(db):
    return AppointmentTypeFactory(code="intake", duration_minutes=60, patient_bookable=False)


def work_week(clinician, location, days=range(5), start=time(9), end=time(17)):
    return [
        WorkingHoursFactory(
            clinician=clinician, location=location, weekday=d, starts_at=start, ends_at=end
        )
        for d in days
    ]


@pytest.fixture
def hours(clinician, rotterdam):
    """``clinician`` works Monday to Friday 09:00-17:00 in Rotterdam."""
    return work_week(clinician, rotterdam)
