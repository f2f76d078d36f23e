"""Issue 12, cases 2, 5, 6 and 11, through the API: a check-in never gets "keep going"
while something is wrong, the trend reads both pain scores, no clear improvement is
counted from onset, and a question left unanswered is reported, never guessed."""

import datetime

import pytest
from django.utils import timezone

from clinic.models import Location
from clinical_rules.models import RuleSetting
from escalations.models import Escalation
from tests.assessments.factories import InjuryEpisodeFactory
from tests.programs.factories import CheckInFactory, EscalationFactory, ProgramFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/check-ins/"
ANSWERED = {
    "pain_now": 2,
    "pain_activity": 3,
    "pain_character": "dull",
    "pain_course": "stable",
    "next_day_pain": False,
    "exercise_pain_over_hour": False,
    "exercises_done": True,
    "walking_minutes": 20,
    "walks_without_limp": True,
}


def submit(api, patient, **fields):
    response = api(patient.user).post(URL, {**ANSWERED, **fields}, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def advice(body):
    return [a["code"] for a in body["advice"]]


# --- case 2: sharp pain, a high score, "keep going" -----------------------------------------


def test_severe_sharp_stable_pain_is_not_keep_going(api, patient):
    body = submit(
        api,
        patient,
        pain_now=9,
        pain_activity=9,
        pain_character="sharp",
        pain_course="stable",
        walks_without_limp=False,
    )
    assert body["alerts"] == [
        "severe_pain_now",
        "stop_signal",
        "high_pain_during_activity",
        "limp_with_pain",
    ]
    assert "keep_going" not in advice(body)
    assert {e.rule: e.severity for e in Escalation.objects.filter(patient=patient)} == {
        "severe_pain_now": "high",
        "stop_signal": "high",
        "high_pain_during_activity": "high",
        "limp_with_pain": "normal",
    }


@pytest.mark.parametrize(("course"), ["increasing", "stable", "decreasing"])
def test_sharp_pain_is_a_stop_signal_whatever_its_course(api, patient, course):
    body = submit(api, patient, pain_character="sharp", pain_course=course)
    assert body["alerts"] == ["stop_signal"]


@pytest.mark.parametrize(("pain_activity", "alerts"), [(6, []), (7, ["high_pain_during_activity"])])
def test_a_high_pain_score_flags_dull_pain_too(api, patient, pain_activity, alerts):
    body = submit(api, patient, pain_activity=pain_activity)
    assert body["alerts"] == alerts
    assert ("keep_going" in advice(body)) is (not alerts)


def test_the_high_pain_score_follows_the_locations_setting(api, patient):
    RuleSetting.objects.create(
        location=Location.objects.get(pk=patient.location_id),
        name="high_pain_during_activity",
        value=5,
    )
    assert submit(api, patient, pain_activity=5)["alerts"] == ["high_pain_during_activity"]
    assert submit(api, patient, pain_activity=4, pain_now=1)["alerts"] == []


def test_no_keep_going_while_an_escalation_stands(api, patient):
    EscalationFactory(patient=patient, rule="suspected_grade_3", severity="urgent")
    body = submit(api, patient)
    assert body["alerts"] == []
    assert advice(body) == ["under_review"]
    assert "keep going" not in body["advice"][0]["text"].lower()


# --- case 5: a trend on pain during activity ---------------------------------------------------


def test_rising_pain_during_activity_is_a_trend(api, patient):
    for score in (3, 6):
        submit(api, patient, pain_now=1, pain_activity=score)
    body = submit(api, patient, pain_now=1, pain_activity=9)
    assert "pain_trend_rising" in body["alerts"]
    reason = Escalation.objects.get(patient=patient, rule="pain_trend_rising").reason
    assert "pain during activity 3 → 6 → 9" in reason


def test_pain_during_activity_that_stays_the_same_is_no_trend(api, patient):
    for score in (3, 6, 6):
        body = submit(api, patient, pain_now=1, pain_activity=score)
    assert "pain_trend_rising" not in body["alerts"]


# --- case 6: counted from onset, review at 4 weeks, escalate at 6 -------------------------------


@pytest.mark.parametrize(
    ("days_since_onset", "alerts", "escalated"),
    [
        # pain at rest after two weeks is flagged on its own (issue 22, case 4)
        (28, ["persistent_pain_after_rest"], False),
        (29, ["persistent_pain_after_rest", "no_clear_improvement_review"], False),
        (42, ["persistent_pain_after_rest", "no_clear_improvement_review"], False),
        (43, ["persistent_pain_after_rest", "chronic_no_improvement"], True),
        # 10 weeks after onset, first check-in
        (70, ["persistent_pain_after_rest", "chronic_no_improvement"], True),
    ],
)
def test_no_clear_improvement_is_counted_from_the_onset(
    api, patient, clinician, days_since_onset, alerts, escalated
):
    episode = InjuryEpisodeFactory(
        patient=patient, onset_date=timezone.localdate() - datetime.timedelta(days=days_since_onset)
    )
    ProgramFactory(patient=patient, clinician=clinician, episode=episode)
    body = submit(api, patient, pain_now=4, pain_activity=5)
    assert body["alerts"] == alerts
    exists = Escalation.objects.filter(patient=patient, rule="chronic_no_improvement").exists()
    assert exists is escalated


@pytest.mark.parametrize(
    ("latest", "alerts"),
    [
        (4, ["persistent_pain_after_rest", "chronic_no_improvement"]),
        (3, ["persistent_pain_after_rest"]),
    ],
)
def test_a_clear_improvement_is_two_points(api, patient, clinician, latest, alerts):
    episode = InjuryEpisodeFactory(
        patient=patient, onset_date=timezone.localdate() - datetime.timedelta(days=60)
    )
    CheckInFactory(
        patient=patient,
        pain_now=5,
        pain_activity=5,
        submitted_at=timezone.now() - datetime.timedelta(days=50),
    )
    ProgramFactory(patient=patient, clinician=clinician, episode=episode)
    body = submit(api, patient, pain_now=latest, pain_activity=latest)
    assert [a for a in body["alerts"] if a != "no_progress"] == alerts


# --- case 11: never a silent default -----------------------------------------------------------


def test_a_question_left_out_is_reported_not_answered(api, patient):
    minimal = {"pain_now": 2, "pain_activity": 3, "pain_character": "dull", "pain_course": "stable"}
    response = api(patient.user).post(URL, minimal, format="json")
    assert response.status_code == 201
    body = response.json()
    assert body["walks_without_limp"] is None
    assert body["walking_minutes"] is None
    assert body["not_answered"] == [
        {"field": "next_day_pain", "rules": ["next_day_pain"]},
        {"field": "exercise_pain_over_hour", "rules": ["exercise_pain_over_hour"]},
        {"field": "walking_minutes", "rules": ["suspected_grade_3"]},
        {"field": "walks_without_limp", "rules": ["suspected_grade_3"]},
    ]
    assert body["alerts"] == []
    assert submit(api, patient)["not_answered"] == []


def test_a_missing_limp_answer_does_not_count_as_limping_at_the_gate(api, patient, clinician):
    program = ProgramFactory(
        patient=patient,
        clinician=clinician,
        step=2,
        started_at=timezone.now() - datetime.timedelta(days=30),
    )
    submit(api, patient, walks_without_limp=True)
    minimal = {"pain_now": 1, "pain_activity": 1, "pain_character": "dull", "pain_course": "stable"}
    api(patient.user).post(URL, minimal, format="json")
    response = api(clinician.user).post(
        f"/api/v1/programs/{program.id}/advance/", {}, format="json"
    )
    # The unanswered check-in neither limps nor walks: the earlier answer still counts.
    assert response.status_code == 409
    assert response.json()["unmet"] == ["no_pain_daily_movements"]
    assert response.json()["decided_by"] == {"walks_without_limp": "check_in"}


def test_sharp_severe_pain_without_the_walking_answers_still_speaks(api, patient):
    body = (
        api(patient.user)
        .post(
            URL,
            {"pain_now": 9, "pain_activity": 9, "pain_character": "sharp", "pain_course": "stable"},
            format="json",
        )
        .json()
    )
    assert body["alerts"] == ["severe_pain_now", "stop_signal", "high_pain_during_activity"]
    assert {"field": "walks_without_limp", "rules": ["suspected_grade_3"]} in body["not_answered"]
