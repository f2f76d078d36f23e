"""Reads of one patient's whole record, for ``/me/record/``, ``/me/access-log/`` and the
export. Long histories (check-ins, messages) are read in chunks, never all at once."""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import Prefetch, QuerySet

from assessments.models import Assessment, InjuryEpisode
from bookings.models import Appointment
from clinic.models import AccessLogEntry, Clinician, Patient
from escalations.models import Escalation
from notifications.models import Audience, Notification, Status
from programs.models import CheckIn, Program, StepTransition
from records import readable

# Rows fetched per round trip while streaming a long history.
CHUNK_SIZE = 500


def record_assessments(*, patient: Patient) -> QuerySet[Assessment]:
    return (
        Assessment.objects.filter(patient=patient)
        .select_related("episode", "clinician__user")
        .order_by("-assessed_at", "-id")
    )


def record_episodes(*, patient: Patient) -> QuerySet[InjuryEpisode]:
    return InjuryEpisode.objects.filter(patient=patient).order_by("onset_date", "id")


def record_programs(*, patient: Patient) -> QuerySet[Program]:
    return (
        Program.objects.filter(patient=patient)
        .select_related("clinician__user")
        .prefetch_related(
            Prefetch("transitions", queryset=StepTransition.objects.order_by("at", "id"))
        )
        .order_by("-started_at", "-id")
    )


def record_check_ins(*, patient: Patient) -> QuerySet[CheckIn]:
    return CheckIn.objects.filter(patient=patient).select_related("patient")


def record_recent_check_ins(*, patient: Patient) -> list[CheckIn]:
    return list(
        record_check_ins(patient=patient).order_by("-submitted_at", "-id")[
            : readable.RECENT_CHECK_INS
        ]
    )


def patient_record(*, patient: Patient) -> dict:
    """What ``/me/record/`` shows, as querysets and values (see ``records.readable``)."""
    return {
        "patient": patient,
        "language": patient.language,
        "assessments": record_assessments(patient=patient),
        "programs": record_programs(patient=patient),
        "check_ins": record_recent_check_ins(patient=patient),
        "check_ins_total": record_check_ins(patient=patient).count(),
        "check_ins_more": None,
        "escalations": record_escalations(patient=patient),
    }


def record_escalations(*, patient: Patient) -> QuerySet[Escalation]:
    return Escalation.objects.filter(patient=patient).order_by("-created_at", "-id")


def record_appointments(*, patient: Patient) -> QuerySet[Appointment]:
    return (
        Appointment.objects.filter(patient=patient)
        .select_related("appointment_type", "location", "clinician__user")
        .order_by("start", "id")
    )


def record_messages_sent(*, patient: Patient) -> QuerySet[Notification]:
    """The messages the clinic actually sent to the patient."""
    return Notification.objects.filter(
        patient=patient, audience=Audience.PATIENT, status=Status.SENT
    ).order_by("sent_at", "id")


def record_clinicians(*, patient: Patient) -> QuerySet[Clinician]:
    """Everyone who assessed, led a program or saw the patient, and the primary clinician."""
    ids = set(Assessment.objects.filter(patient=patient).values_list("clinician_id", flat=True))
    ids |= set(Program.objects.filter(patient=patient).values_list("clinician_id", flat=True))
    ids |= set(Appointment.objects.filter(patient=patient).values_list("clinician_id", flat=True))
    if patient.primary_clinician_id:
        ids.add(patient.primary_clinician_id)
    return Clinician.objects.filter(pk__in=ids).select_related("user").order_by("id")


def in_chunks(queryset: QuerySet) -> Iterator:
    """Iterate a long history without loading it whole (a server-side cursor on
    PostgreSQL)."""
    return queryset.iterator(chunk_size=CHUNK_SIZE)


def access_log_seen_by_patient(*, patient: Patient) -> QuerySet[AccessLogEntry]:
    return (
        AccessLogEntry.objects.filter(patient=patient)
        .select_related("actor")
        .prefetch_related("actor__locations")
    )
