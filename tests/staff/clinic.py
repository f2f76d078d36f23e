"""Two mirrored locations for the staff-site tests: per location a manager, a front desk
and a clinician (made by the same service as real staff accounts), a patient with every
kind of record, and the clinician's working hours."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import time, timedelta

from django.utils import timezone

from assessments.services import assessment_record
from bookings.models import ExceptionKind, ScheduleException
from bookings.services.appointments import appointment_book
from clinic.models import AccessAction, Location, Patient, Role, User
from clinic.services import access_log_record, patient_register, staff_user_create
from escalations.services import escalation_raise
from notifications.models import NotificationPreference
from programs.services.check_ins import check_in_submit
from programs.services.programs import prescription_add, program_start
from tests.bookings.factories import AppointmentTypeFactory, WorkingHoursFactory
from tests.programs.factories import ExerciseFactory
from tests.world import next_weekday_at

PASSWORD = "staff-pass-2026"
# Names that appear nowhere else, so a page can be searched for a leak.
SURNAMES = {"rotterdam": "Rijnmondsen", "zoetermeer": "Dorpsstraatman"}


@dataclass
class Site:
    location: Location
    users: dict[str, User] = field(default_factory=dict)
    patient: Patient | None = None
    objects: dict[str, object] = field(default_factory=dict)


def build_site(slug: str, *, days_ahead: int = 7) -> Site:
    location = Location.objects.get(slug=slug)
    site = Site(location=location)
    for role, key in (
        (Role.MANAGER, "manager"),
        (Role.FRONT_DESK, "desk"),
        (Role.CLINICIAN, "clinician"),
    ):
        site.users[key] = staff_user_create(
            username=f"{key}.{slug}",
            password=PASSWORD,
            role=role,
            locations=[location],
            first_name=key.capitalize(),
            last_name=f"{SURNAMES[slug]}-{key}",
        )
    clinician = site.users["clinician"].clinician
    # A colleague who works afternoons: the calendar has a column per clinician.
    colleague = staff_user_create(
        username=f"colleague.{slug}",
        password=PASSWORD,
        role=Role.CLINICIAN,
        locations=[location],
        first_name="Colleague",
        last_name=f"{SURNAMES[slug]}-colleague",
    ).clinician
    for weekday in range(7):
        WorkingHoursFactory(
            clinician=clinician,
            location=location,
            weekday=weekday,
            starts_at=time(9),
            ends_at=time(17),
        )
        WorkingHoursFactory(
            clinician=colleague,
            location=location,
            weekday=weekday,
            starts_at=time(13),
            ends_at=time(18),
        )
    treatment = AppointmentTypeFactory(code="treatment", name="Treatment", duration_minutes=30)
    patient = patient_register(
        registered_by=site.users["desk"],
        first_name="Anna",
        last_name=SURNAMES[slug],
        date_of_birth=timezone.localdate().replace(year=1990, month=4, day=12),
        location=location,
        phone="+31612345678" if slug == "rotterdam" else "+31687654321",
        primary_clinician=clinician,
    )
    site.patient = patient
    appointment = appointment_book(
        actor=site.users["desk"],
        patient_id=patient.pk,
        clinician=clinician,
        location=location,
        appointment_type=treatment,
        start=next_weekday_at(10, days_ahead=days_ahead),
    )
    assessment = assessment_record(
        clinician_user=site.users["clinician"],
        patient=patient,
        side="left",
        onset_date=timezone.localdate() - timedelta(days=5),
        grade=1,
    )
    program = program_start(
        patient=patient, clinician=clinician, started_by=site.users["clinician"]
    )
    exercise = ExerciseFactory(code="glute-bridge", steps=[1, 2, 3, 4])
    prescription = prescription_add(
        program=program, exercise=exercise, by=site.users["clinician"], step=1, sets=3, reps=10
    )
    check_in = check_in_submit(
        patient=patient,
        pain_now=2,
        pain_activity=3,
        pain_character="dull",
        pain_course="stable",
        next_day_pain=True,  # an advisory alert: shown on the timeline, no escalation
    )
    escalation = escalation_raise(patient=patient, rule="recurrence", reason="Second injury.")
    exception = ScheduleException.objects.create(
        kind=ExceptionKind.LEAVE,
        clinician=clinician,
        location=location,
        starts_at=next_weekday_at(9, days_ahead=30),
        ends_at=next_weekday_at(12, days_ahead=30),
        reason="Course",
    )
    preference, _ = NotificationPreference.objects.get_or_create(patient=patient)
    access_log_record(
        actor=site.users["clinician"],
        patient_ids=[patient.pk],
        action=AccessAction.READ,
        resource="patient",
    )
    site.objects = {
        "clinic.location": location,
        "clinic.user": site.users["desk"],
        "clinic.clinician": clinician,
        "clinic.patient": patient,
        "clinic.accesslogentry": patient.pk,  # looked up by patient below
        "bookings.workinghours": clinician.working_hours.first(),
        "bookings.scheduleexception": exception,
        "bookings.appointment": appointment,
        "assessments.assessment": assessment,
        "assessments.injuryepisode": assessment.episode,
        "programs.program": program,
        "programs.prescription": prescription,
        "programs.checkin": check_in,
        "escalations.escalation": escalation,
        "notifications.notificationpreference": preference,
    }
    return site
