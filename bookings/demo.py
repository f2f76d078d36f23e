"""Demo appointment types and working hours of API.md (idempotent)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from bookings.models import (
    Appointment,
    AppointmentType,
    CancelReason,
    WorkingHours,
)
from bookings.services import appointments
from clinic.models import Clinician, Patient, Role, User
from clinic.time import CLINIC_TZ

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

# Two weeks of calendar around today: the past week and the coming one, a morning and an
# afternoon appointment a day per clinician, at times that vary over the week.
CALENDAR_DAYS_BACK = CALENDAR_DAYS_AHEAD = 7
MORNINGS = [time(9, 0), time(10, 30), time(11, 30)]
AFTERNOONS = [time(13, 30), time(15, 0), time(16, 0)]
CANCELLED_EVERY = 7  # about one appointment in seven is called off
CANCEL_REASONS = [CancelReason.ILLNESS, CancelReason.FEELING_BETTER, CancelReason.OTHER]
BOOKED_DAYS_AHEAD = 7  # how long before the day the desk booked it


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
    return {
        "appointment_types": len(TYPES),
        "working_hours": hours,
        "appointments": _seed_calendar(clinicians),
    }


def _calendar_days(today: date) -> list[date]:
    days = [
        today + timedelta(days=offset)
        for offset in range(-CALENDAR_DAYS_BACK, CALENDAR_DAYS_AHEAD + 1)
    ]
    return [day for day in days if day.weekday() in WEEKDAYS]


def _seed_calendar(clinicians) -> int:
    """Book the demo fortnight through the booking services, as the front desk would; the
    past is then completed, cancelled or, once, a no-show. Only a calendar without any demo
    appointment is filled, so running the seed again changes nothing."""
    patients = Patient.objects.filter(user__username__startswith="patient.")
    if not clinicians or Appointment.objects.filter(patient__in=patients).exists():
        return 0
    types = {
        t.code: t for t in AppointmentType.objects.filter(code__in=["treatment", "reassessment"])
    }
    now = timezone.now()
    no_show_marked = False
    booked = 0
    for clinician in sorted(clinicians, key=lambda c: c.user.username):
        location = clinician.user.locations.get()
        desk = User.objects.get(role=Role.FRONT_DESK, username=f"desk.{location.slug}")
        own = list(patients.filter(primary_clinician=clinician).order_by("pk"))
        if not own:
            continue
        for n, day in enumerate(_calendar_days(timezone.localdate(now))):
            times = [MORNINGS[n % len(MORNINGS)], AFTERNOONS[(n + len(own)) % len(AFTERNOONS)]]
            for k, when in enumerate(times):
                start = datetime.combine(day, when, tzinfo=CLINIC_TZ)
                appointment = appointments.appointment_book(
                    actor=desk,
                    patient_id=own[(2 * n + k) % len(own)].pk,
                    clinician=clinician,
                    location=location,
                    appointment_type=types["reassessment" if (n + k) % 5 == 4 else "treatment"],
                    start=start,
                    now=min(now, start - timedelta(days=BOOKED_DAYS_AHEAD)),
                )
                booked += 1
                if booked % CANCELLED_EVERY == 0:
                    appointments.appointment_cancel(
                        actor=desk,
                        appointment=appointment,
                        reason=CANCEL_REASONS[booked % len(CANCEL_REASONS)],
                        now=min(now, start - timedelta(days=1)),
                    )
                elif appointment.end <= now and not no_show_marked:
                    appointments.appointment_mark_no_show(actor=desk, appointment=appointment)
                    no_show_marked = True
                elif appointment.end <= now:
                    appointments.appointment_complete(actor=clinician.user, appointment=appointment)
    return booked
