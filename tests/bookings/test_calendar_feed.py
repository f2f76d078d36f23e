"""The clinician's private iCalendar feed (RFC 5545)."""

from __future__ import annotations

from datetime import date

import pytest
from icalendar import Calendar

from tests.bookings.conftest import at
from tests.bookings.factories import AppointmentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def feed_path(api, clinician):
    response = api(clinician.user).post("/api/v1/calendar-feed/regenerate/")
    assert response.status_code == 201
    url = response.json()["url"]
    assert url.startswith("http://testserver/api/v1/calendar/") and url.endswith(".ics")
    return url.removeprefix("http://testserver")


def test_feed_round_trips_start_and_end_with_time_zones(api, clinician, patient, feed_path):
    winter = AppointmentFactory(
        patient=patient, clinician=clinician, start=at(date(2027, 3, 26), 9)
    )
    summer = AppointmentFactory(
        patient=patient, clinician=clinician, start=at(date(2027, 3, 29), 9)
    )
    AppointmentFactory(
        patient=patient, clinician=clinician, start=at(date(2027, 3, 30), 9), status="cancelled"
    )
    response = api().get(feed_path)  # no bearer token: the URL is the credential
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    assert calendar.walk("VTIMEZONE")[0]["TZID"] == "Europe/Amsterdam"
    events = {str(e["UID"]): e for e in calendar.walk("VEVENT")}
    assert len(events) == 2
    for appointment in (winter, summer):
        event = next(
            e for uid, e in events.items() if uid.startswith(f"appointment-{appointment.id}@")
        )
        start, end = event.decoded("DTSTART"), event.decoded("DTEND")
        assert (start, end) == (appointment.start, appointment.end)
        assert str(start.tzinfo) == "Europe/Amsterdam"
        assert start.hour == 9
        assert patient.last_name not in str(event["SUMMARY"])  # initials only


def test_regenerating_revokes_the_old_url(api, clinician, feed_path):
    assert api().get(feed_path).status_code == 200
    assert api(clinician.user).post("/api/v1/calendar-feed/regenerate/").status_code == 201
    gone = api().get(feed_path)
    assert gone.status_code == 404
    assert gone.json()["type"].endswith("/not_found")


def test_revoking_switches_the_feed_off(api, clinician, feed_path):
    status = api(clinician.user).get("/api/v1/calendar-feed/").json()
    assert status["active"] is True
    assert api(clinician.user).delete("/api/v1/calendar-feed/").status_code == 204
    assert api(clinician.user).get("/api/v1/calendar-feed/").json()["active"] is False
    assert api().get(feed_path).status_code == 404


def test_a_made_up_token_is_404(api, db):
    assert api().get("/api/v1/calendar/not-a-real-token.ics").status_code == 404


@pytest.mark.parametrize("who", ["front_desk", "manager", "patient"])
def test_only_clinicians_have_a_feed(request, api, who):
    user = request.getfixturevalue(who)
    user = getattr(user, "user", user)
    assert api(user).post("/api/v1/calendar-feed/regenerate/").status_code == 403
