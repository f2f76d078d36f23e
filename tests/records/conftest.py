"""A patient with a little of everything: an assessment with red flags and readiness tests,
a program that moved a step, check-ins with alerts, an escalation, an appointment and a
message that went out."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from assessments.services import assessment_record
from bookings.services.appointments import appointment_book
from escalations.services import escalation_raise
from notifications.models import Audience, Channel, Kind, Notification, Status
from programs.services.check_ins import check_in_submit
from programs.services.programs import program_advance, program_start
from tests.bookings.factories import AppointmentTypeFactory, WorkingHoursFactory
from tests.world import next_weekday_at


@pytest.fixture
def full_record(patient, clinician, front_desk, rotterdam):
    assessment = assessment_record(
        clinician_user=clinician.user,
        patient=patient,
        side="left",
        onset_date=timezone.localdate() - timedelta(days=10),
        grade=2,
        red_flags=["audible_snap"],
        readiness={"walks_without_limp": True, "strength_symmetry_percent": 80},
        pain_rest=3,
        pain_walking=5,
        notes="Staff only: discussed with the sports physician.",
    )
    program = program_start(patient=patient, clinician=clinician, started_by=clinician.user)
    program_advance(program=program, by=clinician.user, override=True, reason="Clinical call")
    check_ins = [
        check_in_submit(
            patient=patient,
            pain_now=2,
            pain_activity=3,
            pain_character="dull",
            pain_course="decreasing",
        ),
        check_in_submit(
            patient=patient,
            pain_now=4,
            pain_activity=6,
            pain_character="sharp",
            pain_course="increasing",
        ),
    ]
    escalation = escalation_raise(
        patient=patient, rule="recurrence", reason="Staff-internal: third injury this year."
    )
    for weekday in range(5):
        WorkingHoursFactory(clinician=clinician, location=rotterdam, weekday=weekday)
    appointment = appointment_book(
        actor=front_desk,
        patient_id=patient.id,
        clinician=clinician,
        location=rotterdam,
        appointment_type=AppointmentTypeFactory(code="treatment", duration_minutes=30),
        start=next_weekday_at(10, days_ahead=7),
    )
    message = Notification.objects.create(
        kind=Kind.CHECK_IN_REMINDER,
        channel=Channel.EMAIL,
        audience=Audience.PATIENT,
        patient=patient,
        address=patient.email,
        send_at=timezone.now() - timedelta(hours=1),
        sent_at=timezone.now() - timedelta(hours=1),
        status=Status.SENT,
        subject="Time for your check-in",
        body="How is your hamstring today?",
        idempotency_key=f"test-sent:{patient.pk}",
    )
    return {
        "assessment": assessment,
        "program": program,
        "check_ins": check_ins,
        "escalation": escalation,
        "appointment": appointment,
        "message": message,
    }
