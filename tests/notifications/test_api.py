"""GET /api/v1/notifications/: a patient's own inbox; staff see what they may see, and the
front desk nothing clinical."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from clinic.models import AccessLogEntry
from escalations.services import escalation_raise
from tests.factories import PatientFactory
from tests.notifications.factories import AppointmentFactory, NotificationFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/notifications/"
CONTRACT_FIELDS = {
    "id", "kind", "channel", "recipient", "status", "send_at", "sent_at", "appointment",
    "escalation",
}  # fmt: skip


@pytest.fixture
def world(patient, other_patient, clinician, zoetermeer):
    """Messages of two Rotterdam patients and one in Zoetermeer, of every sort."""
    reminder = NotificationFactory(
        kind="appointment_reminder",
        patient=patient,
        appointment=AppointmentFactory(patient=patient, clinician=clinician),
    )
    check_in = NotificationFactory(
        patient=patient, channel="push", status="sent", sent_at=timezone.now()
    )
    other = NotificationFactory(patient=other_patient)
    elsewhere_patient = PatientFactory(location=zoetermeer, with_user=True)
    elsewhere = NotificationFactory(
        kind="appointment_reminder",
        patient=elsewhere_patient,
        appointment=AppointmentFactory(patient=elsewhere_patient),
    )
    escalation = escalation_raise(patient=patient, rule="stop_signal", reason="Sharp pain.")
    notices = list(escalation.notifications.all())
    return {
        "reminder": reminder,
        "check_in": check_in,
        "other": other,
        "elsewhere": elsewhere,
        "notices": notices,
        "escalation": escalation,
    }


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def test_a_patient_sees_only_the_messages_sent_to_them(api, patient, world):
    response = api(patient.user).get(URL)
    assert ids(response) == {world["reminder"].id, world["check_in"].id}
    row = next(r for r in response.json()["results"] if r["id"] == world["reminder"].id)
    assert set(row) >= CONTRACT_FIELDS
    assert row["appointment"] == world["reminder"].appointment_id
    assert row["escalation"] is None
    assert row["send_at"].endswith(("+01:00", "+02:00"))


def test_a_patients_inbox_shows_the_message_not_its_delivery(api, patient, world):
    world["check_in"].body = "Time for your check-in."
    world["check_in"].last_error = "Push service said no."
    world["check_in"].attempts = 2
    world["check_in"].save()
    rows = {r["id"]: r for r in api(patient.user).get(URL).json()["results"]}
    pushed, pending = rows[world["check_in"].id], rows[world["reminder"].id]
    assert not {"attempts", "last_error", "recipient_user", "body"} & set(pushed)
    assert (pushed["recipient"], pushed["subject"], pushed["text"]) == (
        "you",
        None,
        "Time for your check-in.",
    )
    # Not written yet: no empty subject or body, but what kind of message it is, in the
    # patient's own language (Dutch here).
    assert (pending["subject"], pending["text"]) == (None, "Afspraakherinnering")


def test_a_message_not_yet_written_is_named_in_the_readers_language(api, patient, world):
    patient.language = "en"
    patient.save(update_fields=["language"])
    rows = {r["id"]: r for r in api(patient.user).get(URL).json()["results"]}
    assert rows[world["reminder"].id]["text"] == "Appointment reminder"


def test_a_patient_gets_404_for_a_message_about_them_meant_for_the_clinician(api, patient, world):
    notice = world["notices"][0]
    assert api(patient.user).get(f"{URL}{notice.id}/").status_code == 404
    assert api(patient.user).get(f"{URL}{world['other'].id}/").status_code == 404


def test_the_front_desk_sees_appointment_messages_of_their_location_only(
    api, front_desk, front_desk_zoetermeer, world
):
    assert ids(api(front_desk).get(URL)) == {world["reminder"].id}
    assert ids(api(front_desk_zoetermeer).get(URL)) == {world["elsewhere"].id}
    notice = world["notices"][0]
    assert api(front_desk).get(f"{URL}{notice.id}/").status_code == 404


def test_the_clinician_sees_their_patients_messages_and_their_own_notices(api, clinician, world):
    seen = ids(api(clinician.user).get(URL))
    assert seen == {
        world["reminder"].id,
        world["check_in"].id,
        world["other"].id,
        *(n.id for n in world["notices"]),
    }
    response = api(clinician.user).get(URL, {"escalation": world["escalation"].id})
    row = response.json()["results"][0]
    assert row["kind"] == "escalation_notice"
    assert {"subject", "attempts", "last_error"} <= set(row)


def test_a_clinician_elsewhere_sees_only_their_location_and_reading_is_logged(
    api, other_clinician, manager, world, patient
):
    assert ids(api(other_clinician.user).get(URL)) == {world["elsewhere"].id}
    assert world["check_in"].id in ids(api(manager).get(URL))
    assert AccessLogEntry.objects.filter(
        actor=manager, patient=patient, resource="notification"
    ).exists()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"kind": "appointment_reminder"}, {"reminder"}),
        ({"status": "sent"}, {"check_in"}),
        ({"kind": "check_in_reminder", "status": "pending"}, {"other"}),
    ],
)
def test_filters(api, manager, world, query, expected):
    assert ids(api(manager).get(URL, query)) == {world[name].id for name in expected}


def test_filter_by_appointment_and_patient(api, manager, world, other_patient):
    reminder = world["reminder"]
    assert ids(api(manager).get(URL, {"appointment": reminder.appointment_id})) == {reminder.id}
    assert ids(api(manager).get(URL, {"patient": other_patient.id})) == {world["other"].id}


@pytest.mark.parametrize(
    "query",
    [{"kind": "gossip"}, {"status": "lost"}, {"appointment": "abc"}, {"patient": "-1x"}],
)
def test_garbage_filters_are_a_400_problem(api, manager, world, query):
    response = api(manager).get(URL, query)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"


def test_signing_in_is_required(api):
    assert api().get(URL).status_code == 401


@pytest.mark.parametrize("role", ["patient", "clinician"])
def test_the_list_costs_the_same_number_of_queries_for_10_or_50_messages(
    api, patient, clinician, role
):
    user = patient.user if role == "patient" else clinician.user

    def count(n: int) -> int:
        NotificationFactory.create_batch(n, patient=patient)
        with CaptureQueriesContext(connection) as queries:
            assert api(user).get(URL).status_code == 200
        return len(queries)

    assert count(10) == count(40)
