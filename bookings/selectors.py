"""Reads of the bookings app. Who sees which appointment is decided here, once."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Count, Q, QuerySet

from bookings.models import (
    ACTIVE_STATUSES,
    Appointment,
    AppointmentStatus,
    AppointmentType,
    CalendarFeed,
    ScheduleException,
    WorkingHours,
)
from bookings.opening import Closure, OpeningHours, Shift
from clinic.models import Clinician, Location, Patient, Role, User
from clinic.selectors import location_ids_of, patient_filter_for


def cancel_note_readable_by(user: User) -> bool:
    """A cancellation note is the patient's own words ("heard a snap, cannot walk"): clinical
    text, so the front desk sees only that one exists. The one gate for the API, the staff
    site and the admin."""
    return user.role != Role.FRONT_DESK


def appointment_filter_for(user: User) -> Q:
    """Patients: their own appointments. Staff: appointments at their locations, of
    patients they may see, and (clinicians) their own appointments anywhere."""
    if not user.is_authenticated:
        return Q(pk__in=[])
    if user.role == Role.PATIENT:
        return Q(patient__user_id=user.pk)
    q = Q(location_id__in=location_ids_of(user)) | patient_filter_for(user, prefix="patient__")
    if user.role == Role.CLINICIAN:
        q |= Q(clinician__user_id=user.pk)
    return q


def appointments_visible_to(user: User) -> QuerySet[Appointment]:
    return (
        Appointment.objects.filter(appointment_filter_for(user))
        .select_related("patient", "clinician__user", "location", "appointment_type")
        .prefetch_related("changes")
    )


# What an appointment shows (AppointmentSerializer), and nothing more: loading whole patient
# and user rows (a phone number is parsed on every load) was a third of a list page's cost.
APPOINTMENT_SHOWN_FIELDS = (
    *(
        field.attname
        for field in Appointment._meta.concrete_fields
        if field.name not in {"buffer_end", "created_by"}
    ),
    "patient__first_name",
    "patient__last_name",
    "clinician__user__first_name",
    "clinician__user__last_name",
    "clinician__user__username",
    "location__slug",
    "appointment_type__name",
)


def appointments_shown_to(user: User) -> QuerySet[Appointment]:
    """appointments_visible_to, loading only the fields an appointment's page shows."""
    return appointments_visible_to(user).only(*APPOINTMENT_SHOWN_FIELDS)


def appointment_types_list() -> QuerySet[AppointmentType]:
    return AppointmentType.objects.filter(active=True)


def attendance_of(*, patient: Patient) -> dict[str, int]:
    """How often the patient came, cancelled and did not show up."""
    counts = Appointment.objects.filter(patient=patient).aggregate(
        booked=Count("pk", filter=Q(status=AppointmentStatus.BOOKED)),
        completed=Count("pk", filter=Q(status=AppointmentStatus.COMPLETED)),
        cancelled=Count("pk", filter=Q(status=AppointmentStatus.CANCELLED)),
        no_shows=Count("pk", filter=Q(status=AppointmentStatus.NO_SHOW)),
    )
    return {"patient": patient.pk, **counts}


def calendar_feed_appointments(
    *, clinician: Clinician, since: datetime, until: datetime
) -> QuerySet[Appointment]:
    return (
        Appointment.objects.overlapping(since, until)
        .filter(clinician=clinician, status__in=ACTIVE_STATUSES)
        .select_related("patient", "location", "appointment_type")
        .order_by("start", "id")
    )


def calendar_feed_by_token_hash(token_hash: str) -> CalendarFeed | None:
    return (
        CalendarFeed.objects.select_related("clinician__user")
        .filter(token_hash=token_hash, clinician__user__is_active=True)
        .first()
    )


def calendar_feed_of(*, clinician: Clinician) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(clinician=clinician).first()


def location_opening_hours(*, location_id: int) -> OpeningHours:
    """The location's hours as its clinicians work them, and the time it or a clinician of
    it is away (three queries)."""
    timezone = Location.objects.values_list("timezone", flat=True).get(pk=location_id)
    rows = list(
        WorkingHours.objects.filter(location_id=location_id).values_list(
            "clinician_id", "weekday", "starts_at", "ends_at", "valid_from", "valid_until"
        )
    )
    clinicians = {row[0] for row in rows}
    exceptions = ScheduleException.objects.filter(
        Q(location_id=location_id, clinician__isnull=True)
        | Q(clinician_id__in=clinicians, location__isnull=True)
        | Q(clinician_id__in=clinicians, location_id=location_id)
    ).values_list("starts_at", "ends_at", "clinician_id")
    return OpeningHours(
        timezone=timezone,
        shifts=tuple(Shift(*row) for row in rows),
        closures=tuple(Closure(*row) for row in exceptions),
    )
