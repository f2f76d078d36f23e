"""Demo appointment types and working hours of API.md (idempotent)."""

from __future__ import annotations

from datetime import time

from django.db import transaction

from bookings.models import AppointmentType, WorkingHours
from clinic.models import Clinician

TYPES = [
    # code, name, minutes, buffer after, patient-bookable, colour
    ("intake", "Intake and analysis", 60, 0, False, "#7c3aed"),
    ("treatment", "Treatment", 30, 0, True, "#2563eb"),
    ("reassessment", "Re-assessment", 45, 0, True, "#059669"),
]

DEMO_CLINICIANS = [
    "physio.rotterdam.1",
    "physio.rotterdam.2",
    "physio.zoetermeer.1",
    "physio.zoetermeer.2",
]
WEEKDAYS = range(5)  # Monday to Friday
OPENS, CLOSES = time(9, 0), time(17, 0)


@transaction.atomic
def seed() -> dict[str, int]:
    for code, name, minutes, buffer, bookable, colour in TYPES:
        AppointmentType.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "duration_minutes": minutes,
                "buffer_after_minutes": buffer,
                "patient_bookable": bookable,
                "colour": colour,
                "active": True,
            },
        )
    hours = 0
    clinicians = Clinician.objects.filter(user__username__in=DEMO_CLINICIANS).select_related("user")
    for clinician in clinicians:
        for location in clinician.user.locations.all():
            for weekday in WEEKDAYS:
                WorkingHours.objects.update_or_create(
                    clinician=clinician,
                    location=location,
                    weekday=weekday,
                    starts_at=OPENS,
                    defaults={"ends_at": CLOSES},
                )
                hours += 1
    return {"appointment_types": len(TYPES), "working_hours": hours}
