"""The readiness verdict (DOMAIN.md, "Readiness") through the API, and its rule at the
boundaries: ready to walk, the self-tests in order, walking start, and when light jogging
may be suggested."""

import datetime

import pytest
from django.utils import timezone

from assessments import rules
from clinical_rules.thresholds import DEFAULTS
from tests.assessments.factories import AssessmentFactory, InjuryEpisodeFactory
from tests.programs.factories import CheckInFactory, ProgramFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2027, 6, 1)
WALK_READY = {
    "walks_without_limp": True,
    "no_pain_daily_movements": True,
    "no_tenderness": True,
    "full_knee_extension": True,
    "strength_symmetry_percent": 90,
}
RUN_READY = {**WALK_READY, "single_leg_stance": True, "single_leg_hop": True, "sprint_drills": True}


def verdict(readiness, *, grade=1, onset_days=60, weeks=3.0):
    return rules.readiness_verdict(
        readiness=readiness,
        grade=grade,
        onset_date=TODAY - datetime.timedelta(days=onset_days),
        pain_free_walking_weeks=weeks,
        today=TODAY,
    )


@pytest.mark.parametrize(
    ("readiness", "ready", "unmet"),
    [
        (WALK_READY, True, []),
        ({**WALK_READY, "strength_symmetry_percent": 89.9}, False, ["strength_symmetry_percent"]),
        ({**WALK_READY, "no_tenderness": False}, False, ["no_tenderness"]),
        (
            {k: v for k, v in WALK_READY.items() if k != "walks_without_limp"},
            False,
            ["walks_without_limp"],
        ),
    ],
)
def test_ready_to_walk_needs_all_five(readiness, ready, unmet):
    result = verdict(readiness)
    assert (result.ready_to_walk, result.walk_criteria_unmet) == (ready, unmet)
    assert result.walking_start_minutes == ({"min": 10, "max": 15} if ready else None)


@pytest.mark.parametrize(
    ("tests", "ready", "out_of_order"),
    [
        ((True, True, True), True, []),
        ((True, True, False), False, []),
        ((False, True, True), False, ["single_leg_hop", "sprint_drills"]),
        ((True, None, True), False, ["sprint_drills"]),
    ],
)
def test_ready_to_run_takes_the_self_tests_in_order(tests, ready, out_of_order):
    readiness = dict(WALK_READY)
    for code, passed in zip(rules.SELF_TESTS, tests, strict=True):
        if passed is not None:
            readiness[code] = passed
    result = verdict(readiness)
    assert result.ready_to_run is ready
    assert result.self_tests_out_of_order == out_of_order


@pytest.mark.parametrize(
    ("weeks", "onset_days", "grade", "suggested", "not_yet"),
    [
        (3.0, 60, 1, True, []),
        (2.9, 60, 1, False, ["pain_free_walking_weeks"]),
        (None, 60, 1, False, ["pain_free_walking_weeks"]),
        (3.0, 13, 1, False, ["before_earliest_return"]),  # grade 1: 2 weeks at the earliest
        (3.0, 14, 1, True, []),
        (3.0, 27, 2, False, ["before_earliest_return"]),  # grade 2: 4 weeks
        (3.0, 60, None, False, ["grade_unknown"]),
    ],
)
def test_jogging_only_after_weeks_of_pain_free_walking_and_the_grades_window(
    weeks, onset_days, grade, suggested, not_yet
):
    result = verdict(RUN_READY, grade=grade, onset_days=onset_days, weeks=weeks)
    assert (result.jogging_suggested, result.jogging_not_yet) == (suggested, not_yet)


def test_weeks_of_pain_free_walking_are_the_clinics_setting():
    settings = DEFAULTS.with_values({"pain_free_walking_weeks_before_jogging": 4})
    result = rules.readiness_verdict(
        readiness=RUN_READY,
        grade=1,
        onset_date=TODAY - datetime.timedelta(days=60),
        pain_free_walking_weeks=3.5,
        today=TODAY,
        settings=settings,
    )
    assert result.jogging_not_yet == ["pain_free_walking_weeks"]


def test_the_program_answers_its_readiness(api, clinician, patient):
    now = timezone.now()
    program = ProgramFactory(
        patient=patient, clinician=clinician, step=4, started_at=now - datetime.timedelta(days=60)
    )
    episode = InjuryEpisodeFactory(
        patient=patient, onset_date=timezone.localdate() - datetime.timedelta(days=50)
    )
    AssessmentFactory(episode=episode, grade=1, readiness={**RUN_READY, "sprint_drills": False})
    walk = {"walking_minutes": 30, "walks_without_limp": True, "pain_activity": 0, "pain_now": 0}
    CheckInFactory(patient=patient, submitted_at=now - datetime.timedelta(days=30), pain_activity=3)
    for days in (22, 15, 8, 1):
        CheckInFactory(patient=patient, submitted_at=now - datetime.timedelta(days=days), **walk)

    for user in (clinician.user, patient.user):
        response = api(user).get(f"/api/v1/programs/{program.id}/readiness/")
        assert response.status_code == 200, response.json()
    body = response.json()
    assert body["ready_to_walk"] is True
    assert body["walking_start_minutes"] == {"min": 10, "max": 15}
    assert body["ready_to_run"] is False
    assert body["pain_free_walking_weeks"] == 3.0
    assert body["jogging_suggested"] is False
    assert body["jogging_not_yet"] == ["not_ready_to_run"]
