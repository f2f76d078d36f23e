"""GET /api/v1/me/record/: the patient's own clinical record in plain words."""

from __future__ import annotations

import json

import pytest

from clinic.models import AccessLogEntry
from records import readable
from tests import factories
from tests.programs.factories import CheckInFactory

pytestmark = pytest.mark.django_db


def test_patient_reads_own_assessments_in_plain_english(api, patient, full_record):
    patient.language = "en"
    patient.save()
    body = api(patient.user).get("/api/v1/me/record/").json()

    assert body["patient"]["id"] == patient.id
    (assessment,) = body["assessments"]
    assert assessment["grade"] == 2
    assert assessment["grade_text"] == "Grade 2: substantial tears in the muscle fibres."
    assert assessment["phase"] == "acute"
    assert assessment["phase_text"].startswith("Acute")
    onset = full_record["assessment"].episode.onset_date
    assert assessment["return_to_jog"]["earliest"] > onset.isoformat()
    assert "Light jogging" in assessment["return_to_jog_text"]
    assert assessment["red_flags"] == [
        {"code": "audible_snap", "text": "An audible snap at the moment of injury."}
    ]


def test_a_dutch_patient_reads_dutch(api, patient, full_record):
    body = api(patient.user).get("/api/v1/me/record/").json()
    assert body["language"] == "nl"
    assert body["assessments"][0]["grade_text"].startswith("Graad 2")
    assert body["assessments"][0]["red_flags"][0]["text"].startswith("Een hoorbare knak")
    assert body["programs"][0]["step_text"] == "Stap 2: pijnvermindering"
    advice = body["check_ins"][0]["advice"][0]["text"]
    assert "fysiotherapeut" in advice or "Dank je" in advice


def test_step_history_check_ins_and_escalations(api, patient, full_record):
    body = api(patient.user).get("/api/v1/me/record/").json()

    (program,) = body["programs"]
    assert program["step"] == 2
    assert [(h["from_step"], h["to_step"]) for h in program["history"]] == [(1, 2)]
    assert body["check_ins_total"] == 2
    newest = body["check_ins"][0]
    assert newest["id"] == full_record["check_ins"][1].id
    assert "stop_signal" in newest["alerts"]
    assert [a["code"] for a in newest["advice"]][0] == "stop_signal"
    rules = {e["rule"] for e in body["escalations"]}
    assert "recurrence" in rules
    recurrence = next(e for e in body["escalations"] if e["rule"] == "recurrence")
    assert recurrence["status"] == "open"
    assert recurrence["outcome"] is None


def test_only_what_a_patient_may_read_leaves(api, patient, full_record):
    """Field lists are those of records.readable; staff notes and reasons never appear."""
    response = api(patient.user).get("/api/v1/me/record/")
    body = response.json()
    assert set(body["assessments"][0]) == set(readable.ASSESSMENT)
    assert set(body["programs"][0]) == set(readable.PROGRAM)
    assert set(body["programs"][0]["history"][0]) == set(readable.STEP_CHANGE)
    assert set(body["check_ins"][0]) == set(readable.CHECK_IN)
    assert set(body["escalations"][0]) == set(readable.ESCALATION)
    text = json.dumps(body)
    assert "Staff only" not in text
    assert "Staff-internal" not in text
    assert "Clinical call" not in text  # the override reason of the step change
    for fields in readable.STAFF_ONLY.values():
        for field in fields:
            assert f'"{field}"' not in text


def test_reading_the_record_is_in_the_access_log(api, patient, full_record):
    api(patient.user).get("/api/v1/me/record/")
    entry = AccessLogEntry.objects.filter(patient=patient, resource="record").get()
    assert entry.actor == patient.user
    assert entry.action == "read"


def test_a_patient_gets_only_their_own_record(api, patient, other_patient, full_record):
    body = api(other_patient.user).get("/api/v1/me/record/").json()
    assert body["patient"]["id"] == other_patient.id
    assert body["assessments"] == []
    assert body["check_ins"] == []
    assert body["escalations"] == []


@pytest.mark.parametrize("role", ["front_desk", "clinician", "manager"])
def test_staff_have_no_me_record(api, request, role):
    user = request.getfixturevalue(role)
    user = getattr(user, "user", user)
    response = api(user).get("/api/v1/me/record/")
    assert response.status_code == 403
    assert response["Content-Type"].startswith("application/problem+json")


def test_a_patient_account_without_a_record_gets_404(api):
    user = factories.UserFactory(role="patient")
    response = api(user).get("/api/v1/me/record/")
    assert response.status_code == 404


def test_long_histories_show_the_latest_check_ins_and_point_to_the_rest(
    api, patient, django_assert_max_num_queries
):
    CheckInFactory.create_batch(readable.RECENT_CHECK_INS + 5, patient=patient)
    client = api(patient.user)
    with django_assert_max_num_queries(15):
        body = client.get("/api/v1/me/record/").json()
    assert len(body["check_ins"]) == readable.RECENT_CHECK_INS
    assert body["check_ins_total"] == readable.RECENT_CHECK_INS + 5
    assert body["check_ins_more"].endswith("/api/v1/check-ins/")
