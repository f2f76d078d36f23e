"""Demo data: appointment types and working hours of API.md."""

import pytest
from django.core.management import call_command

from bookings.models import AppointmentType, WorkingHours
from clinic.models import User
from tests.conftest import bearer_client

pytestmark = pytest.mark.django_db


def test_seed_demo_is_idempotent_and_gives_a_09_00_slot():
    call_command("seed_demo", verbosity=0)
    counts = (AppointmentType.objects.count(), WorkingHours.objects.count())
    call_command("seed_demo", verbosity=0)
    assert (AppointmentType.objects.count(), WorkingHours.objects.count()) == counts == (3, 20)
    types = {t.code: t for t in AppointmentType.objects.all()}
    assert {c: (t.duration_minutes, t.patient_bookable) for c, t in types.items()} == {
        "intake": (60, False),
        "treatment": (30, True),
        "reassessment": (45, True),
    }
    client = bearer_client(User.objects.get(username="patient.1"))
    slots = client.get(
        "/api/v1/availability/",
        {
            "location": "rotterdam",
            "appointment_type": types["treatment"].id,
            "start": "2027-06-07",
            "end": "2027-06-07",
        },
    ).json()["results"]
    assert slots[0]["start"] == "2027-06-07T09:00:00+02:00"
    assert len({s["clinician"] for s in slots}) == 2
