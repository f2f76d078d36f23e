"""Issue 22, cases 1-4, through the API (the patient posts check-ins), and the one
decision over a check-in's answers proved over the whole input space (hypothesis).

Examples per property: ``HYPOTHESIS_EXAMPLES`` (300 in ``make test``; ``make fuzz`` raises
it)."""

import datetime
import os

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from escalations.catalogue import DEFAULT_SEVERITY
from escalations.models import Escalation, Severity
from programs import rules
from programs.models import CheckIn
from tests.assessments.factories import InjuryEpisodeFactory
from tests.programs.factories import CheckInFactory, ProgramFactory

URL = "/api/v1/check-ins/"
EXAMPLES = int(os.environ.get("HYPOTHESIS_EXAMPLES", "300"))
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


def on_day(patient, clinician, days):
    episode = InjuryEpisodeFactory(
        patient=patient, onset_date=timezone.localdate() - datetime.timedelta(days=days)
    )
    return ProgramFactory(patient=patient, clinician=clinician, episode=episode)


# --- case 1: unable to walk is a sign of suspected grade 3 on its own ------------------------


@pytest.mark.django_db
def test_unable_to_walk_with_dull_pain_is_urgent(api, patient, clinician):
    on_day(patient, clinician, 5)
    body = submit(
        api,
        patient,
        pain_now=8,
        pain_activity=9,
        pain_character="dull",
        pain_course="stable",
        walking_minutes=0,
        walks_without_limp=False,
    )
    assert "suspected_grade_3" in body["alerts"]
    assert "keep_going" not in advice(body)
    escalation = Escalation.objects.get(patient=patient, rule="suspected_grade_3")
    assert escalation.severity == Severity.URGENT


# --- case 2: pain 10/10 now is never "keep going" --------------------------------------------


@pytest.mark.django_db
def test_pain_ten_now_dull_and_decreasing_is_flagged(api, patient, clinician):
    on_day(patient, clinician, 5)
    body = submit(
        api,
        patient,
        pain_now=10,
        pain_activity=3,
        pain_character="dull",
        pain_course="decreasing",
        walking_minutes=15,
        walks_without_limp=True,
    )
    assert "severe_pain_now" in body["alerts"]
    assert "keep_going" not in advice(body)
    assert Escalation.objects.get(patient=patient, rule="severe_pain_now").severity == "high"


# --- case 3: a jump in walking, then a limp with pain ----------------------------------------


@pytest.mark.django_db
def test_a_jump_in_walking_and_then_a_limp_with_pain_are_flagged(api, patient, clinician):
    on_day(patient, clinician, 5)
    CheckInFactory(
        patient=patient,
        submitted_at=timezone.now() - datetime.timedelta(days=2),
        pain_now=1,
        pain_activity=1,
        walking_minutes=10,
        walks_without_limp=True,
    )
    jump = submit(api, patient, pain_now=1, pain_activity=1, walking_minutes=120)
    assert "walking_load_jump" in jump["alerts"]
    assert "keep_going" not in advice(jump)
    limp = submit(
        api, patient, pain_now=3, pain_activity=5, walking_minutes=120, walks_without_limp=False
    )
    assert "limp_with_pain" in limp["alerts"]
    assert "keep_going" not in advice(limp)


@pytest.mark.django_db
def test_walking_a_little_more_is_no_jump(api, patient, clinician):
    on_day(patient, clinician, 5)
    CheckInFactory(
        patient=patient,
        submitted_at=timezone.now() - datetime.timedelta(days=2),
        pain_now=1,
        pain_activity=1,
        walking_minutes=20,
        walks_without_limp=True,
    )
    body = submit(api, patient, pain_now=1, pain_activity=1, walking_minutes=22)
    assert body["alerts"] == []


# --- case 4: pain persisting after two weeks is evaluated at check-ins too -------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("days", "pain_now", "flagged"), [(20, 6, True), (13, 6, False), (20, 0, False)]
)
def test_pain_at_rest_after_two_weeks_is_flagged(api, patient, clinician, days, pain_now, flagged):
    on_day(patient, clinician, days)
    body = submit(api, patient, pain_now=pain_now, pain_activity=pain_now)
    assert ("persistent_pain_after_rest" in body["alerts"]) is flagged
    assert (
        Escalation.objects.filter(patient=patient, rule="persistent_pain_after_rest").exists()
        is flagged
    )


# --- the decision over the whole input space -------------------------------------------------

scores = st.integers(min_value=0, max_value=10)
reports = st.builds(
    rules.CheckInReport,
    pain_now=scores,
    pain_activity=scores,
    pain_character=st.sampled_from(["sharp", "dull"]),
    pain_course=st.sampled_from(["increasing", "stable", "decreasing"]),
    next_day_pain=st.sampled_from([None, True, False]),
    exercise_pain_over_hour=st.sampled_from([None, True, False]),
    walking_minutes=st.one_of(st.none(), st.integers(min_value=0, max_value=600)),
    walks_without_limp=st.sampled_from([None, True, False]),
    complaints_elsewhere=st.lists(st.sampled_from(rules.COMPLAINT_AREAS), unique=True),
)
START = datetime.datetime(2026, 1, 1, 9, tzinfo=datetime.UTC)
histories = st.lists(
    st.builds(
        rules.PainPoint,
        at=st.integers(min_value=0, max_value=120).map(
            lambda d: START + datetime.timedelta(days=d)
        ),
        pain_now=scores,
        pain_activity=scores,
    ),
    max_size=8,
)
states = st.fixed_dictionaries(
    {
        "history": histories,
        "days_since_onset": st.one_of(st.none(), st.integers(min_value=0, max_value=400)),
        "previous_walking_minutes": st.one_of(st.none(), st.integers(min_value=0, max_value=600)),
        "escalation_standing": st.booleans(),
    }
)


def decide(report, state):
    history = [
        *state["history"],
        rules.PainPoint(
            START + datetime.timedelta(days=121), report.pain_now, report.pain_activity
        ),
    ]
    return rules.check_in_decision(report, **{**state, "history": history})


@settings(max_examples=EXAMPLES, deadline=None)
@given(report=reports, state=states)
def test_every_check_in_has_a_defined_outcome_and_explained_alerts(report, state):
    decision = decide(report, state)
    assert decision.advice_codes
    assert all(code in rules.ADVICE for code in decision.advice_codes)
    for alert in decision.alerts:
        assert alert.code in rules.CHECK_IN_ALERT_CODES
        assert alert.reason
        assert alert.inputs
        assert alert.escalates is (alert.code in DEFAULT_SEVERITY)


@settings(max_examples=EXAMPLES, deadline=None)
@given(report=reports, state=states)
def test_a_sign_of_suspected_grade_3_opens_an_urgent_escalation(report, state):
    decision = decide(report, state)
    if report.walking_minutes == 0 and report.walks_without_limp is False:
        (alert,) = [a for a in decision.alerts if a.code == rules.SUSPECTED_GRADE_3]
        assert alert.escalates
        assert DEFAULT_SEVERITY[alert.code] == Severity.URGENT


@settings(max_examples=EXAMPLES, deadline=None)
@given(report=reports, state=states)
def test_severe_sharp_limping_or_standing_is_never_keep_going(report, state):
    decision = decide(report, state)
    pain = max(report.pain_now, report.pain_activity)
    unsafe = (
        report.pain_now >= 8
        or report.pain_activity >= 8
        or (report.pain_character == "sharp" and pain > 0)
        or (report.walks_without_limp is False and pain > 0)
        or state["escalation_standing"]
    )
    if unsafe:
        assert rules.KEEP_GOING not in decision.advice_codes
    if rules.KEEP_GOING in decision.advice_codes:
        assert decision.advice_codes == [rules.KEEP_GOING] and not decision.alerts


@pytest.mark.django_db
@settings(
    max_examples=max(EXAMPLES // 10, 20),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(report=reports)
def test_through_the_api_a_sign_of_grade_3_is_urgent(api, patient, report):
    # Each example starts with no escalation and no earlier check-in of its own.
    Escalation.objects.filter(patient=patient).delete()
    CheckIn.objects.filter(patient=patient).delete()
    fields = {**vars(report), "complaints_elsewhere": list(report.complaints_elsewhere)}
    body = submit(api, patient, **fields)
    if report.walking_minutes == 0 and report.walks_without_limp is False:
        assert (
            Escalation.objects.get(patient=patient, rule="suspected_grade_3").severity == "urgent"
        )
    if report.pain_now >= 8 or (
        report.pain_character == "sharp" and max(report.pain_now, report.pain_activity) > 0
    ):
        assert "keep_going" not in advice(body)
