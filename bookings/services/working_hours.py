"""Writes of the clinic's configuration: clinicians' working hours."""

from __future__ import annotations

from django.db import transaction

from bookings.models import WorkingHours
from clinic.models import Clinician, Location


@transaction.atomic
def working_hours_set(
    *,
    clinician: Clinician,
    location: Location,
    weekdays: list[int],
    starts_at,
    ends_at,
) -> list[WorkingHours]:
    """Replace the clinician's hours at ``location`` on ``weekdays`` with one shift each."""
    WorkingHours.objects.filter(
        clinician=clinician, location=location, weekday__in=weekdays
    ).delete()
    return WorkingHours.objects.bulk_create(
        WorkingHours(
            clinician=clinician,
            location=location,
            weekday=day,
            starts_at=starts_at,
            ends_at=ends_at,
        )
        for day in weekdays
    )
