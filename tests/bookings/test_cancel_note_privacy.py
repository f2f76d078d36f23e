"""A cancellation note is the patient's words about their leg: the front desk sees that one
exists, never its text, through the API, the staff site and the admin."""

from __future__ import annotations

import pytest
from django.urls import reverse

from bookings.services.appointments import appointment_cancel
from tests.staff.clinic import build_site

pytestmark = pytest.mark.django_db

NOTE = "heard a snap, cannot walk, pain 9/10"


@pytest.fixture
def home(db):
    site = build_site("rotterdam")
    appointment = site.objects["bookings.appointment"]
    appointment_cancel(actor=site.users["clinician"], appointment=appointment, note=NOTE)
    return site


def test_the_desk_reads_through_the_api_that_a_note_exists_not_its_text(api, home):
    appointment = home.objects["bookings.appointment"]
    for path in ("/api/v1/appointments/", f"/api/v1/appointments/{appointment.pk}/"):
        body = api(home.users["desk"]).get(path).json()
        answer = body["results"][0] if "results" in body else body
        assert NOTE not in str(body)
        assert answer["cancel_note"] is None and answer["has_cancel_note"] is True
        cancelled = [c for c in answer["history"] if c["action"] == "cancelled"]
        assert cancelled and cancelled[0]["note"] is None and cancelled[0]["has_note"] is True


def test_the_clinician_reads_the_note(api, home):
    appointment = home.objects["bookings.appointment"]
    answer = api(home.users["clinician"]).get(f"/api/v1/appointments/{appointment.pk}/").json()
    assert answer["cancel_note"] == NOTE and answer["has_cancel_note"] is True


@pytest.mark.parametrize(
    "page",
    [
        lambda a: reverse("staff:appointment", args=[a.pk]),
        lambda a: reverse("admin:bookings_appointment_change", args=[a.pk]),
    ],
    ids=["staff", "admin"],
)
def test_the_desks_pages_say_a_note_exists_not_its_text(client, home, page):
    appointment = home.objects["bookings.appointment"]
    client.force_login(home.users["desk"])
    response = client.get(page(appointment))
    assert response.status_code == 200
    assert NOTE not in response.content.decode()
    client.force_login(home.users["clinician"])
    response = client.get(page(appointment))
    assert response.status_code == 200 and NOTE in response.content.decode()
