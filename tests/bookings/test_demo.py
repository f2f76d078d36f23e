"""Demo data: appointment types and working hours of API.md."""

import pytest
from django.core.management import call_command

from bookings.models import Appointment, AppointmentChange, AppointmentType, WorkingHours
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


def _calendar(desk_username: str) -> list[dict]:
    client = bearer_client(User.objects.get(username=desk_username))
    rows, url = [], "/api/v1/appointments/"
    while url:
        page = client.get(url).json()
        rows += page["results"]
        url = page["next"]
    return rows


def test_seed_demo_fills_two_weeks_of_calendar_at_both_locations_once():
    from datetime import datetime

    from django.utils import timezone

    call_command("seed_demo", verbosity=0)
    first = sorted(Appointment.objects.values_list("id", "start", "status"))
    call_command("seed_demo", verbosity=0)
    assert sorted(Appointment.objects.values_list("id", "start", "status")) == first

    now = timezone.now()
    statuses_seen = set()
    for desk, location in [("desk.rotterdam", "rotterdam"), ("desk.zoetermeer", "zoetermeer")]:
        calendar = _calendar(desk)
        assert calendar and {a["location"] for a in calendar} == {location}
        starts = [datetime.fromisoformat(a["start"]) for a in calendar]
        assert min(starts) < now < max(starts)  # the past week and the coming one
        assert (max(starts) - min(starts)).days <= 14
        coming = [a for a, s in zip(calendar, starts, strict=True) if s > now]
        assert {a["status"] for a in coming} <= {"booked", "cancelled"}
        assert any(a["status"] == "booked" for a in coming)
        statuses_seen |= {a["status"] for a in calendar}
    assert statuses_seen == {"booked", "cancelled", "completed", "no_show"}
    assert Appointment.objects.filter(status="no_show").count() == 1
    # Booked through the services: every appointment has its history.
    assert not Appointment.objects.exclude(
        pk__in=AppointmentChange.objects.filter(action="booked").values("appointment")
    ).exists()
