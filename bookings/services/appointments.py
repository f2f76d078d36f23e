"""Writes of appointments: book, series, cancel, reschedule, complete, no-show.

Every change is written together with an AppointmentChange row (who, when) and the domain
event of clinic.events, in one transaction. Double booking is refused twice: first here,
with a clear message, and then by PostgreSQL's exclusion constraints for the race two
servers could otherwise both win; that violation becomes the same 409.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db import DatabaseError, IntegrityError, OperationalError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, gettext_lazy

from bookings.availability import free_slots, local_datetime, wall_time_exists
from bookings.codes import BookingErrorCode
from bookings.config import MAX_SERIES_OCCURRENCES, PATIENT_CANCEL_WINDOW, SLOT_MINUTES
from bookings.models import (
    ACTIVE_STATUSES,
    Appointment,
    AppointmentChange,
    AppointmentSeries,
    AppointmentStatus,
    AppointmentType,
    CancelReason,
    ChangeAction,
    ScheduleException,
)
from clinic import events
from clinic.errors import Conflict, InvalidInput, NotAllowed
from clinic.models import Clinician, Location, Patient, Role, User
from clinic.selectors import patients_visible_to
from clinic.services import check_works_at
from clinic.time import CLINIC_TZ

DEADLOCK_DETECTED = "40P01"
NO_OVERLAP_CONSTRAINTS = {
    "appointment_clinician_no_overlap": "clinician",
    "appointment_patient_no_overlap": "patient",
}


# --- checks shared by the writes ------------------------------------------------------------


NOT_YOUR_APPOINTMENTS = gettext_lazy(
    "You do not work at %(location)s; you cannot manage its appointments."
)


def _check_works_at(actor: User, location: Location) -> None:
    # Patients book for themselves wherever they are treated (_resolve_patient checks).
    if actor.role != Role.PATIENT:
        check_works_at(actor, location, refusal=NOT_YOUR_APPOINTMENTS)


def _resolve_patient(actor: User, patient_id: int | None) -> Patient:
    """Patients book for themselves; staff must say for whom, among the patients they see."""
    if actor.role == Role.PATIENT:
        own = Patient.objects.filter(user=actor).first()
        if own is None:
            raise NotAllowed(
                gettext("Your account has no patient record."),
                code=BookingErrorCode.NO_PATIENT_RECORD,
            )
        if patient_id is not None and patient_id != own.pk:
            raise NotAllowed(
                gettext("Patients can book appointments only for themselves."),
                code=BookingErrorCode.NOT_OWN_PATIENT,
            )
        return own
    if patient_id is None:
        raise InvalidInput(gettext("Say which patient the appointment is for."), field="patient")
    patient = patients_visible_to(actor).filter(pk=patient_id).first()
    if patient is None:
        raise InvalidInput(gettext("No such patient among yours."), field="patient")
    return patient


# Advisory-lock namespaces (first key of pg_advisory_xact_lock) for a clinician's and a
# patient's diary.
CLINICIAN_DIARY, PATIENT_DIARY = 0x626B01, 0x626B02


def _lock_for_booking(*, clinician: Clinician, patient: Patient) -> None:
    """Take the clinician's and then the patient's diary for the rest of the transaction,
    so that concurrent bookings for them check and insert one at a time.

    PostgreSQL: transaction-scoped advisory locks, always clinician before patient. Without
    them, two racing inserts wait on each other's exclusion-constraint check and one dies
    in a deadlock; the constraints stay the guarantee, the locks make the check exact.
    SQLite: there are no exclusion constraints; take its database write lock instead.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s, %s), pg_advisory_xact_lock(%s, %s)",
                [CLINICIAN_DIARY, clinician.pk % 2**31, PATIENT_DIARY, patient.pk % 2**31],
            )
    elif connection.vendor == "sqlite":
        Appointment.objects.filter(pk=-1).update(status=AppointmentStatus.BOOKED)


def _local(value: datetime) -> str:
    # Day and month names in the reader's language (Django's own catalogue).
    return date_format(value.astimezone(CLINIC_TZ), "l j F Y H:i")


def _ends(appointment_type: AppointmentType, start: datetime) -> tuple[datetime, datetime]:
    """When an appointment of ``appointment_type`` from ``start`` ends, and its buffer after."""
    end = start + timedelta(minutes=appointment_type.duration_minutes)
    return end, end + timedelta(minutes=appointment_type.buffer_after_minutes)


@dataclass(frozen=True)
class _Booking:
    """Whose appointment with whom, where and of which type: what every check of a start
    reads, for a new booking as for one being moved."""

    clinician: Clinician
    location: Location
    appointment_type: AppointmentType
    patient: Patient

    @classmethod
    def of(cls, appointment: Appointment) -> _Booking:
        return cls(
            appointment.clinician,
            appointment.location,
            appointment.appointment_type,
            appointment.patient,
        )


def _offered(
    booking: _Booking,
    start: datetime,
    end: datetime,
    now: datetime,
    exclude_appointment_id: int | None = None,
) -> set[datetime]:
    """The starts in [start, end) that availability offers for ``booking``."""
    return {
        slot.start
        for slot in free_slots(
            location=booking.location,
            appointment_type=booking.appointment_type,
            start=start,
            end=end,
            clinician_ids=[booking.clinician.pk],
            patient=booking.patient,
            exclude_appointment_id=exclude_appointment_id,
            now=now,
        )
    }


def _refusal(
    booking: _Booking, start: datetime, now: datetime, exclude_appointment_id: int | None = None
) -> Exception | None:
    """Why ``start`` cannot be booked, or None when availability offers it."""
    offered = _offered(
        booking, start, start.astimezone(UTC) + timedelta(minutes=1), now, exclude_appointment_id
    )
    if start in offered:
        return None
    return _explain(booking, start, now, exclude_appointment_id)


def _explain(
    booking: _Booking, start: datetime, now: datetime, exclude_appointment_id: int | None = None
) -> Exception:
    """A clear reason for a refused slot (only runs when availability said no)."""
    clinician, location, patient = booking.clinician, booking.location, booking.patient
    local_start = start.astimezone(CLINIC_TZ)
    start = start.astimezone(UTC)
    if start <= now:
        return InvalidInput(
            gettext("The start time is in the past."),
            field="start",
            code=BookingErrorCode.IN_THE_PAST,
        )
    if local_start.second or local_start.microsecond or local_start.minute % SLOT_MINUTES:
        return InvalidInput(
            gettext("Appointments start on the %(minutes)s-minute grid (e.g. 09:00, 09:15).")
            % {"minutes": SLOT_MINUTES},
            field="start",
            code=BookingErrorCode.OFF_GRID,
        )
    end, busy_until = _ends(booking.appointment_type, start)
    others = Appointment.objects.filter(status__in=ACTIVE_STATUSES).exclude(
        pk=exclude_appointment_id
    )
    if (
        others.overlapping(start, busy_until, end_field="buffer_end")
        .filter(clinician=clinician)
        .exists()
    ):
        return Conflict(
            gettext("%(name)s already has an appointment around %(time)s.")
            % {"name": clinician.name, "time": _local(start)},
            code=BookingErrorCode.SLOT_TAKEN,
            extra={"conflict": "clinician"},
        )
    if others.overlapping(start, end).filter(patient=patient).exists():
        return Conflict(
            gettext("%(name)s already has an appointment around %(time)s.")
            % {"name": patient.name, "time": _local(start)},
            code=BookingErrorCode.SLOT_TAKEN,
            extra={"conflict": "patient"},
        )
    off = ScheduleException.objects.filter(starts_at__lt=busy_until, ends_at__gt=start).filter(
        Q(clinician__isnull=True, location=location)
        | Q(clinician=clinician, location__isnull=True)
        | Q(clinician=clinician, location=location)
    )
    if off.exists():
        return Conflict(
            gettext("%(name)s is not available at %(location)s then (leave or closure).")
            % {"name": clinician.name, "location": location.name},
            code=BookingErrorCode.CLINICIAN_UNAVAILABLE,
        )
    return Conflict(
        gettext(
            "%(name)s does not work at %(location)s at %(time)s "
            "for a %(minutes)s-minute appointment."
        )
        % {
            "name": clinician.name,
            "location": location.name,
            "time": _local(start),
            "minutes": booking.appointment_type.duration_minutes,
        },
        code=BookingErrorCode.OUTSIDE_WORKING_HOURS,
    )


def _check_type(actor: User, appointment_type: AppointmentType) -> None:
    if not appointment_type.active:
        raise InvalidInput(
            gettext("This appointment type is no longer booked."), field="appointment_type"
        )
    if actor.role == Role.PATIENT and not appointment_type.patient_bookable:
        raise NotAllowed(
            gettext("%(type)s is booked by the clinic; please call the front desk.")
            % {"type": appointment_type.name},
            code=BookingErrorCode.TYPE_NOT_PATIENT_BOOKABLE,
        )


def _check_clinician_at(clinician: Clinician, location: Location) -> None:
    if not clinician.user.is_active or not clinician.user.locations.filter(pk=location.pk).exists():
        raise InvalidInput(
            gettext("%(clinician)s does not work at %(location)s.")
            % {"clinician": clinician.name, "location": location.name},
            field="clinician",
        )


def check_start_exists(start: datetime) -> None:
    """A start whose clinic wall-clock reading does not exist (clocks going forward)."""
    if not wall_time_exists(start.astimezone(CLINIC_TZ)):
        raise InvalidInput(
            gettext("That time does not exist in clinic time (clocks go forward)."), field="start"
        )


def _checked(
    actor: User,
    patient_id: int | None,
    clinician: Clinician,
    location: Location,
    appointment_type: AppointmentType,
    start: datetime,
) -> _Booking:
    """The checks every booking passes: who may book for whom, of which type, with a
    clinician of the location, at a start that exists; then the diaries are taken."""
    _check_works_at(actor, location)
    patient = _resolve_patient(actor, patient_id)
    _check_type(actor, appointment_type)
    _check_clinician_at(clinician, location)
    check_start_exists(start)
    _lock_for_booking(clinician=clinician, patient=patient)
    return _Booking(clinician, location, appointment_type, patient)


def _record(appointment: Appointment, action: str, actor: User | None, **fields) -> None:
    AppointmentChange.objects.create(appointment=appointment, action=action, actor=actor, **fields)


def _insert(appointments: list[Appointment]) -> list[Appointment]:
    """Insert; an exclusion-constraint violation (a lost race) becomes slot_taken."""
    try:
        with transaction.atomic():
            return Appointment.objects.bulk_create(appointments)
    except (IntegrityError, OperationalError) as exc:
        raise _as_conflict(exc) from exc


def _as_conflict(exc: DatabaseError) -> Exception:
    cause = exc.__cause__
    name = getattr(getattr(cause, "diag", None), "constraint_name", None)
    if getattr(cause, "sqlstate", None) == DEADLOCK_DETECTED:
        # Two bookings waited on each other's constraint check; one lost the race.
        return Conflict(
            "Someone else booked this time a moment ago; pick another slot.",
            code=BookingErrorCode.SLOT_TAKEN,
        )
    if name in NO_OVERLAP_CONSTRAINTS:
        return Conflict(
            "Someone else booked this time a moment ago; pick another slot.",
            code=BookingErrorCode.SLOT_TAKEN,
            extra={"conflict": NO_OVERLAP_CONSTRAINTS[name]},
        )
    return exc


def _new(booking: _Booking, *, actor: User, start: datetime, series=None) -> Appointment:
    start = start.astimezone(UTC)  # instants, not wall-clock arithmetic, across DST
    end, buffer_end = _ends(booking.appointment_type, start)
    return Appointment(
        patient=booking.patient,
        clinician=booking.clinician,
        location=booking.location,
        appointment_type=booking.appointment_type,
        start=start,
        end=end,
        buffer_end=buffer_end,
        status=AppointmentStatus.BOOKED,
        series=series,
        created_by=actor,
    )


# --- booking ------------------------------------------------------------------------------


@transaction.atomic
def appointment_book(
    *,
    actor: User,
    patient_id: int | None,
    clinician: Clinician,
    location: Location,
    appointment_type: AppointmentType,
    start: datetime,
    now: datetime | None = None,
) -> Appointment:
    """Book one appointment. Patients: patient-bookable types, for themselves. Staff: at
    their own locations. 409 ``slot_taken`` when the clinician or patient is busy."""
    now = now or timezone.now()
    booking = _checked(actor, patient_id, clinician, location, appointment_type, start)
    refusal = _refusal(booking, start, now)
    if refusal is not None:
        raise refusal
    (appointment,) = _insert([_new(booking, actor=actor, start=start)])
    _record(appointment, ChangeAction.BOOKED, actor)
    events.appointment_booked.send(sender=Appointment, appointment=appointment, actor=actor)
    return appointment


@transaction.atomic
def appointment_series_book(
    *,
    actor: User,
    patient_id: int | None,
    clinician: Clinician,
    location: Location,
    appointment_type: AppointmentType,
    start: datetime,
    occurrences: int,
    interval_days: int = 7,
    now: datetime | None = None,
) -> AppointmentSeries:
    """Book a series at the same clinic wall-clock time every ``interval_days`` days. The
    whole series is booked, or nothing, with the conflicting dates listed (409)."""
    now = now or timezone.now()
    if not 2 <= occurrences <= MAX_SERIES_OCCURRENCES:
        raise InvalidInput(
            gettext("A series has 2 to %(most)s appointments.") % {"most": MAX_SERIES_OCCURRENCES},
            field="occurrences",
        )
    if not 1 <= interval_days <= 90:
        raise InvalidInput(gettext("Repeat every 1 to 90 days."), field="interval_days")
    booking = _checked(actor, patient_id, clinician, location, appointment_type, start)

    first = start.astimezone(CLINIC_TZ)
    starts: list[datetime | None] = [
        local_datetime(first.date() + timedelta(days=n * interval_days), first.time())
        for n in range(occurrences)
    ]
    real = [s for s in starts if s is not None]
    offered = _offered(booking, real[0], real[-1] + timedelta(minutes=1), now)
    conflicts = []
    for index, when in enumerate(starts):
        day = first.date() + timedelta(days=index * interval_days)
        if when is None:
            conflicts.append({"date": day.isoformat(), "code": "time_does_not_exist"})
        elif when not in offered:
            reason = _explain(booking, when, now)
            conflicts.append(
                {
                    "date": day.isoformat(),
                    "start": when.isoformat(),
                    "code": reason.code,
                    "detail": reason.detail,
                }
            )
    if conflicts:
        dates = ", ".join(c["date"] for c in conflicts)
        raise Conflict(
            gettext("The series cannot be booked; these dates are not free: %(dates)s.")
            % {"dates": dates},
            code=BookingErrorCode.SERIES_CONFLICT,
            extra={"conflicts": conflicts},
        )
    series = AppointmentSeries.objects.create(
        interval_days=interval_days, occurrences=occurrences, created_by=actor
    )
    appointments = _insert([_new(booking, actor=actor, start=when, series=series) for when in real])
    AppointmentChange.objects.bulk_create(
        AppointmentChange(appointment=a, action=ChangeAction.BOOKED, actor=actor)
        for a in appointments
    )
    for appointment in appointments:
        events.appointment_booked.send(sender=Appointment, appointment=appointment, actor=actor)
    return series


# --- changes to a booked appointment -------------------------------------------------------


def _locked(appointment: Appointment) -> Appointment:
    return (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("appointment_type", "patient", "clinician__user", "location")
        .get(pk=appointment.pk)
    )


def _check_may_change(actor: User, appointment: Appointment, now: datetime, verb: str) -> None:
    if appointment.status != AppointmentStatus.BOOKED:
        raise Conflict(
            gettext("This appointment is %(status)s; it cannot be %(verb)s.")
            % {"status": appointment.get_status_display().lower(), "verb": verb},
            code=BookingErrorCode.INVALID_STATE,
        )
    if actor.role == Role.PATIENT:
        if appointment.patient.user_id != actor.pk:
            raise NotAllowed(gettext("This is not your appointment."))
        if appointment.start - now < PATIENT_CANCEL_WINDOW:
            hours = int(PATIENT_CANCEL_WINDOW.total_seconds() // 3600)
            raise Conflict(
                gettext(
                    "Appointments can be %(verb)s in the app up to %(hours)s hours before they "
                    "start; please call the clinic."
                )
                % {"verb": verb, "hours": hours},
                code=BookingErrorCode.TOO_LATE_TO_CANCEL,
            )
    else:
        _check_works_at(actor, appointment.location)


@transaction.atomic
def appointment_cancel(
    *,
    actor: User,
    appointment: Appointment,
    reason: str = CancelReason.OTHER,
    note: str = "",
    now: datetime | None = None,
) -> Appointment:
    """Cancel; the slot is free again at once. Patients: their own, up to 24 h before."""
    now = now or timezone.now()
    if reason not in CancelReason.values:
        raise InvalidInput(gettext("Unknown cancellation reason."), field="reason")
    appointment = _locked(appointment)
    _check_may_change(actor, appointment, now, gettext("cancelled"))
    appointment.status = AppointmentStatus.CANCELLED
    appointment.cancel_reason = reason
    appointment.cancel_note = note
    appointment.cancelled_at = now
    appointment.save(
        update_fields=["status", "cancel_reason", "cancel_note", "cancelled_at", "updated_at"]
    )
    _record(appointment, ChangeAction.CANCELLED, actor, reason=reason, note=note)
    events.appointment_cancelled.send(sender=Appointment, appointment=appointment, actor=actor)
    return appointment


@transaction.atomic
def appointment_reschedule(
    *,
    actor: User,
    appointment: Appointment,
    start: datetime,
    now: datetime | None = None,
) -> Appointment:
    """Move to a new start with the same clinician, location and type."""
    now = now or timezone.now()
    appointment = _locked(appointment)
    _check_may_change(actor, appointment, now, gettext("moved"))
    check_start_exists(start)
    _lock_for_booking(clinician=appointment.clinician, patient=appointment.patient)
    refusal = _refusal(_Booking.of(appointment), start, now, appointment.pk)
    if refusal is not None:
        raise refusal
    previous_start, previous_end = appointment.start, appointment.end
    appointment.start = start = start.astimezone(UTC)
    appointment.end, appointment.buffer_end = _ends(appointment.appointment_type, start)
    try:
        with transaction.atomic():
            appointment.save(update_fields=["start", "end", "buffer_end", "updated_at"])
    except (IntegrityError, OperationalError) as exc:
        raise _as_conflict(exc) from exc
    _record(
        appointment,
        ChangeAction.RESCHEDULED,
        actor,
        previous_start=previous_start,
        previous_end=previous_end,
    )
    events.appointment_rescheduled.send(
        sender=Appointment, appointment=appointment, actor=actor, previous_start=previous_start
    )
    return appointment


def _check_has_started(appointment: Appointment, now: datetime, verb: str) -> None:
    if appointment.status != AppointmentStatus.BOOKED:
        raise Conflict(
            gettext("This appointment is %(status)s; it cannot be %(verb)s.")
            % {"status": appointment.get_status_display().lower(), "verb": verb},
            code=BookingErrorCode.INVALID_STATE,
        )
    if appointment.start > now:
        raise Conflict(
            gettext("This appointment has not started yet; it cannot be %(verb)s.")
            % {"verb": verb},
            code=BookingErrorCode.NOT_STARTED,
        )


def _close_after_start(
    actor: User, appointment: Appointment, now: datetime | None, status: str, action: str, verb: str
) -> Appointment:
    """Close a booked appointment that has started: the patient came, or did not."""
    appointment = _locked(appointment)
    _check_works_at(actor, appointment.location)
    _check_has_started(appointment, now or timezone.now(), verb)
    appointment.status = status
    appointment.save(update_fields=["status", "updated_at"])
    _record(appointment, action, actor)
    return appointment


@transaction.atomic
def appointment_complete(
    *, actor: User, appointment: Appointment, now: datetime | None = None
) -> Appointment:
    """The patient came and was treated."""
    appointment = _close_after_start(
        actor,
        appointment,
        now,
        AppointmentStatus.COMPLETED,
        ChangeAction.COMPLETED,
        gettext("completed"),
    )
    events.appointment_completed.send(sender=Appointment, appointment=appointment, actor=actor)
    return appointment


@transaction.atomic
def appointment_mark_no_show(
    *, actor: User, appointment: Appointment, now: datetime | None = None
) -> Appointment:
    """The patient did not come (counted per patient)."""
    return _close_after_start(
        actor,
        appointment,
        now,
        AppointmentStatus.NO_SHOW,
        ChangeAction.NO_SHOW,
        gettext("marked as a no-show"),
    )
