"""A small clinic for the authorization matrix and the fuzzer.

Rotterdam: patient ``P`` (with an app account, treated by clinician ``C``) and another
patient of the same clinician; Zoetermeer: its own desk, clinician and manager. Every
patient-related resource exists once for ``P``; which role gets what on P's objects shows
whether "own", "other patient" and "other location" are told apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.utils import timezone
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.models import AuthEventKind
from accounts.services import auth_event_record
from assessments.services import assessment_record
from bookings.services.appointments import appointment_book
from bookings.services.calendar_feeds import calendar_feed_regenerate
from clinic.models import Location, Role
from clinic.time import CLINIC_TZ
from escalations.services import escalation_raise
from notifications.models import Notification
from programs.services.check_ins import check_in_submit
from programs.services.programs import prescription_add, program_start
from tests import factories
from tests.bookings.factories import AppointmentTypeFactory, WorkingHoursFactory
from tests.programs.factories import ExerciseFactory

ROLES = (
    "anonymous",
    "patient",
    "other_patient",
    "front_desk",
    "front_desk_other",
    "clinician",
    "clinician_other",
    "manager",
    "manager_other",
)


def next_weekday_at(hour: int, days_ahead: int) -> datetime:
    day = timezone.localdate() + timedelta(days=days_ahead)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return datetime.combine(day, time(hour), tzinfo=CLINIC_TZ)


@dataclass
class World:
    users: dict = field(default_factory=dict)
    ids: dict = field(default_factory=dict)

    @classmethod
    def build(cls) -> World:
        rotterdam = Location.objects.get(slug="rotterdam")
        zoetermeer = Location.objects.get(slug="zoetermeer")
        clinician = factories.ClinicianFactory(user__locations=[rotterdam])
        clinician_other = factories.ClinicianFactory(user__locations=[zoetermeer])
        patient = factories.PatientFactory(
            location=rotterdam, primary_clinician=clinician, with_user=True
        )
        other_patient = factories.PatientFactory(
            location=rotterdam, primary_clinician=clinician, with_user=True
        )
        manager = factories.UserFactory(role=Role.MANAGER, locations=[rotterdam])
        world = cls()
        world.users = {
            "anonymous": None,
            "patient": patient.user,
            "other_patient": other_patient.user,
            "front_desk": factories.UserFactory(role=Role.FRONT_DESK, locations=[rotterdam]),
            "front_desk_other": factories.UserFactory(role=Role.FRONT_DESK, locations=[zoetermeer]),
            "clinician": clinician.user,
            "clinician_other": clinician_other.user,
            "manager": manager,
            "manager_other": factories.UserFactory(role=Role.MANAGER, locations=[zoetermeer]),
        }
        for weekday in range(5):
            WorkingHoursFactory(clinician=clinician, location=rotterdam, weekday=weekday)
        treatment = AppointmentTypeFactory(code="treatment", duration_minutes=30)
        appointment = appointment_book(
            actor=world.users["front_desk"],
            patient_id=patient.id,
            clinician=clinician,
            location=rotterdam,
            appointment_type=treatment,
            start=next_weekday_at(10, days_ahead=7),
        )
        assessment = assessment_record(
            clinician_user=clinician.user,
            patient=patient,
            side="left",
            onset_date=timezone.localdate() - timedelta(days=5),
            grade=1,
        )
        program = program_start(patient=patient, clinician=clinician, started_by=clinician.user)
        exercise = ExerciseFactory(code="glute-bridge", steps=[1, 2, 3, 4])
        prescription = prescription_add(
            program=program, exercise=exercise, by=clinician.user, step=1, sets=3, reps=10
        )
        check_in = check_in_submit(
            patient=patient,
            pain_now=2,
            pain_activity=3,
            pain_character="dull",
            pain_course="stable",
        )
        escalation = escalation_raise(patient=patient, rule="recurrence", reason="Second injury.")
        token = calendar_feed_regenerate(clinician=clinician)
        auth_event = auth_event_record(kind=AuthEventKind.PASSWORD_CHANGED, user=patient.user)
        world.ids = {
            "patient": patient.id,
            "other_patient": other_patient.id,
            "clinician": clinician.id,
            "location": rotterdam.id,
            "appointment_type": treatment.id,
            "appointment": appointment.id,
            "assessment": assessment.id,
            "program": program.id,
            "prescription": prescription.id,
            "exercise": exercise.id,
            "check_in": check_in.id,
            "escalation": escalation.id,
            "notification": Notification.objects.filter(appointment=appointment).first().id,
            "calendar_token": token,
            "auth_event": auth_event.id,
            "free_start": next_weekday_at(14, days_ahead=8).isoformat(),
        }
        return world

    @staticmethod
    def today():
        return timezone.localdate()

    @staticmethod
    def next_free_day():
        """A working day after the world's own appointment, with the whole day free."""
        after = next_weekday_at(9, days_ahead=7).date() - timezone.localdate()
        return next_weekday_at(9, days_ahead=after.days + 1).date()

    def headers(self, role: str) -> dict[str, str]:
        user = self.users[role]
        if user is None:
            return {}
        return {"HTTP_AUTHORIZATION": f"Bearer {RefreshToken.for_user(user).access_token}"}

    def refresh_token(self) -> str:
        return str(RefreshToken.for_user(self.users["patient"]))
