"""Issue 12, cases 1 and 9, through the API: a repeated urgent or high flag after
acknowledgement reaches a person again, its history is kept, and closing an urgent or
high escalation needs an outcome and a note."""

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from clinic.errors import InvalidInput
from clinic.models import Role
from escalations.models import Escalation
from escalations.services import escalation_resolve
from notifications.models import Notification
from tests.factories import UserFactory
from tests.programs.factories import EscalationFactory, ProgramFactory

pytestmark = pytest.mark.django_db

RUPTURE = {
    "pain_now": 9,
    "pain_activity": 9,
    "pain_character": "sharp",
    "pain_course": "increasing",
    "walking_minutes": 0,
    "walks_without_limp": False,
    "next_day_pain": True,
    "exercise_pain_over_hour": True,
}


def snap_assessment(client, patient):
    response = client.post(
        "/api/v1/assessments/",
        {
            "patient": patient.id,
            "side": "left",
            "onset_date": (timezone.localdate() - datetime.timedelta(days=2)).isoformat(),
            "red_flags": ["audible_snap", "unable_to_walk"],
            "notes": "Audible snap; unable to walk.",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    return Escalation.objects.get(patient=patient, rule="suspected_grade_3")


def escalation_json(client, escalation):
    response = client.get(f"/api/v1/escalations/{escalation.id}/")
    assert response.status_code == 200
    return response.json()


def notices(escalation, kind):
    return Notification.objects.filter(escalation=escalation, kind=kind)


def test_an_urgent_repeat_after_acknowledgement_reaches_a_person_again(
    api, clinician, patient, manager
):
    staff = api(clinician.user)
    escalation = snap_assessment(staff, patient)
    original_reason = escalation.reason
    assert staff.post(f"/api/v1/escalations/{escalation.id}/acknowledge/").status_code == 200
    notices_before = set(notices(escalation, "escalation_notice").values_list("pk", flat=True))
    assert not notices(escalation, "escalation_unacknowledged").filter(status="pending").exists()

    response = api(patient.user).post("/api/v1/check-ins/", RUPTURE, format="json")
    assert response.status_code == 201
    assert "suspected_grade_3" in response.json()["alerts"]

    body = escalation_json(staff, escalation)
    # It needs attention again, and nothing is overwritten.
    assert (body["status"], body["needs_attention"]) == ("open", True)
    assert body["occurrences"] == 2
    assert body["reason"] == original_reason
    history = body["occurrence_history"]
    assert [(o["source"], o["reopened"]) for o in history] == [
        ("assessment", False),
        ("check_in", True),
    ]
    assert history[0]["reason"] == original_reason
    assert "Sharp pain 9/10" in history[1]["reason"]
    assert history[1]["check_in"] == response.json()["id"]

    # The clinician is told again now ...
    new = notices(escalation, "escalation_notice").exclude(pk__in=notices_before)
    assert {n.recipient_user_id for n in new} == {clinician.user_id}
    assert all(n.send_at <= timezone.now() for n in new)
    # ... and the managers if nobody acknowledges within the ack window (2 h for urgent).
    waiting = notices(escalation, "escalation_unacknowledged").filter(status="pending")
    reopened_at = Escalation.objects.get(pk=escalation.pk).needs_attention_since
    assert {n.recipient_user_id for n in waiting} == {manager.pk}
    assert {n.send_at for n in waiting} == {reopened_at + datetime.timedelta(hours=2)}
    timers = list(waiting.values_list("pk", flat=True))

    # Acknowledged again in time: the managers are not bothered.
    assert staff.post(f"/api/v1/escalations/{escalation.id}/acknowledge/").status_code == 200
    statuses = Notification.objects.filter(pk__in=timers).values_list("status", flat=True)
    assert set(statuses) == {"cancelled"}
    assert escalation_json(staff, escalation)["status"] == "acknowledged"


def test_a_high_repeat_after_acknowledgement_reopens_at_its_own_pace(
    api, clinician, patient, manager
):
    staff = api(clinician.user)
    ProgramFactory(patient=patient, clinician=clinician)
    sharp = {**RUPTURE, "pain_now": 4, "pain_activity": 4, "walking_minutes": 20}
    assert api(patient.user).post("/api/v1/check-ins/", sharp, format="json").status_code == 201
    escalation = Escalation.objects.get(patient=patient, rule="stop_signal")
    assert escalation.severity == "high"
    assert staff.post(f"/api/v1/escalations/{escalation.id}/acknowledge/").status_code == 200

    assert api(patient.user).post("/api/v1/check-ins/", sharp, format="json").status_code == 201
    escalation.refresh_from_db()
    assert escalation.status == "open"
    waiting = notices(escalation, "escalation_unacknowledged").filter(status="pending")
    assert {n.send_at for n in waiting} == {
        escalation.needs_attention_since + datetime.timedelta(hours=8)
    }


def test_a_normal_repeat_after_acknowledgement_stays_acknowledged(api, clinician, patient):
    staff = api(clinician.user)
    complaint = {**RUPTURE, "pain_now": 2, "pain_activity": 2, "pain_character": "dull"}
    complaint.update(walking_minutes=20, pain_course="stable", complaints_elsewhere=["knee"])
    api(patient.user).post("/api/v1/check-ins/", complaint, format="json")
    escalation = Escalation.objects.get(patient=patient, rule="compensation_complaints")
    assert staff.post(f"/api/v1/escalations/{escalation.id}/acknowledge/").status_code == 200
    sent_before = Notification.objects.filter(escalation=escalation).count()

    api(patient.user).post("/api/v1/check-ins/", complaint, format="json")
    body = escalation_json(staff, escalation)
    assert (body["status"], body["occurrences"]) == ("acknowledged", 2)
    assert len(body["occurrence_history"]) == 2
    assert Notification.objects.filter(escalation=escalation).count() == sent_before


def test_a_repeat_while_still_open_adds_history_without_a_second_timer(
    api, clinician, patient, manager
):
    staff = api(clinician.user)
    escalation = snap_assessment(staff, patient)
    api(patient.user).post("/api/v1/check-ins/", RUPTURE, format="json")
    body = escalation_json(staff, escalation)
    assert (body["status"], body["occurrences"]) == ("open", 2)
    assert [o["reopened"] for o in body["occurrence_history"]] == [False, False]
    waiting = notices(escalation, "escalation_unacknowledged")
    assert {n.send_at for n in waiting} == {escalation.created_at + datetime.timedelta(hours=2)}


def test_the_escalation_list_shows_history_in_a_fixed_number_of_queries(
    api, clinician, patient, django_assert_max_num_queries
):
    for rule in ("recurrence", "no_progress", "pain_trend_rising"):
        escalation = EscalationFactory(patient=patient, rule=rule)
        escalation.occurrence_history.create(source="check_in", reason="x", severity="normal")
    client = api(clinician.user)
    client.get("/api/v1/escalations/")  # warm up
    with django_assert_max_num_queries(12) as few:
        client.get("/api/v1/escalations/")
    for _ in range(5):
        EscalationFactory(patient=patient, rule="stop_signal", status="resolved")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/api/v1/escalations/")
    assert len(response.json()["results"]) == 8


# --- case 9: closing urgent and high ------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "outcome"),
        ({"note": "Seen."}, "outcome"),
        ({"outcome": "handled_in_clinic"}, "note"),
        ({"outcome": "handled_in_clinic", "note": "   "}, "note"),
        ({"outcome": "maybe", "note": "Seen."}, "outcome"),
    ],
)
@pytest.mark.parametrize("severity", ["urgent", "high"])
def test_closing_urgent_or_high_needs_an_outcome_and_a_note(
    api, clinician, patient, severity, body, field
):
    escalation = EscalationFactory(patient=patient, rule="suspected_grade_3", severity=severity)
    response = api(clinician.user).post(
        f"/api/v1/escalations/{escalation.id}/resolve/", body, format="json"
    )
    assert response.status_code == 400, response.json()
    assert field in response.json()["errors"]
    escalation.refresh_from_db()
    assert escalation.status == "open"


def test_a_normal_escalation_closes_without_an_outcome(api, clinician, patient):
    escalation = EscalationFactory(patient=patient, rule="recurrence", severity="normal")
    response = api(clinician.user).post(
        f"/api/v1/escalations/{escalation.id}/resolve/", {}, format="json"
    )
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["outcome"]) == ("resolved", None)


@pytest.mark.parametrize(
    ("outcome", "program_status"),
    [
        ("referred_specialist", "referred"),
        ("referred_gp", "referred"),
        ("handled_in_clinic", "active"),
        ("false_alarm", "active"),
    ],
)
def test_a_referral_sets_the_program_to_referred_and_stays_readable(
    api, clinician, patient, outcome, program_status
):
    program = ProgramFactory(patient=patient, clinician=clinician)
    escalation = EscalationFactory(patient=patient, rule="suspected_grade_3", severity="urgent")
    client = api(clinician.user)
    response = client.post(
        f"/api/v1/escalations/{escalation.id}/resolve/",
        {"outcome": outcome, "note": "MRI requested at the hospital."},
        format="json",
    )
    assert response.status_code == 200, response.json()
    again = escalation_json(client, escalation)
    assert (again["outcome"], again["resolution_note"]) == (
        outcome,
        "MRI requested at the hospital.",
    )
    program_body = client.get(f"/api/v1/programs/{program.id}/").json()
    assert program_body["status"] == program_status
    if program_status == "referred":
        assert "MRI requested at the hospital." in program_body["closed_reason"]


def test_the_manager_may_resolve_with_an_outcome(api, patient, rotterdam):
    manager = UserFactory(role=Role.MANAGER, locations=[rotterdam])
    escalation = EscalationFactory(patient=patient, rule="stop_signal", severity="high")
    response = api(manager).post(
        f"/api/v1/escalations/{escalation.id}/resolve/",
        {"outcome": "false_alarm", "note": "Cramp, not a tear."},
        format="json",
    )
    assert response.status_code == 200


def test_the_missing_outcome_is_explained_in_dutch(api, clinician, patient):
    escalation = EscalationFactory(patient=patient, rule="suspected_grade_3", severity="urgent")
    response = api(clinician.user).post(
        f"/api/v1/escalations/{escalation.id}/resolve/",
        {},
        format="json",
        HTTP_ACCEPT_LANGUAGE="nl",
    )
    assert response.status_code == 400
    assert "uitkomst" in response.json()["detail"]


def test_an_unknown_outcome_is_refused_by_the_service_and_the_database(clinician, patient):
    """The API's serializer and the staff form check the outcome; the service and the
    database do too, for every other way in (admin actions, tasks, code)."""
    escalation = EscalationFactory(patient=patient, severity="normal")
    with pytest.raises(InvalidInput):
        escalation_resolve(escalation=escalation, by=clinician.user, outcome="made_up")
    escalation.refresh_from_db()
    assert escalation.status != "resolved"
    with pytest.raises(IntegrityError), transaction.atomic():
        Escalation.objects.filter(pk=escalation.pk).update(outcome="made_up")
