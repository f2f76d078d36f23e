"""The program's clinical rules, table by table, as DOMAIN.md states them."""

import datetime
from decimal import Decimal

import pytest

from programs import rules
from programs.rules import CheckInReport, PainPoint

T0 = datetime.datetime(2027, 3, 1, 18, 0, tzinfo=datetime.UTC)


def day(n: float) -> datetime.datetime:
    return T0 + datetime.timedelta(days=n)


# --- Check-in rhythm ------------------------------------------------------------------------


@pytest.mark.parametrize(("step", "every"), [(1, 2), (2, 2), (3, 3), (4, 3), (5, 7)])
def test_check_in_rhythm_follows_the_step(step, every):
    assert rules.check_in_every_days_for(step) == every


# --- Exit criteria --------------------------------------------------------------------------

ALL_PASSED = {
    "walks_without_limp": True,
    "no_pain_daily_movements": True,
    "no_tenderness": True,
    "full_knee_extension": True,
    "single_leg_stance": True,
    "single_leg_hop": True,
    "sprint_drills": True,
    "strength_symmetry_percent": 95,
}


@pytest.mark.parametrize(
    ("step", "readiness", "assessed", "unmet"),
    [
        # analysis → pain reduction: an assessment exists
        (1, None, False, ["assessment_exists"]),
        (1, {}, True, []),
        # pain reduction → movement optimisation
        (2, {}, True, ["walks_without_limp", "no_pain_daily_movements"]),
        (2, {"walks_without_limp": True}, True, ["no_pain_daily_movements"]),
        (2, {"walks_without_limp": True, "no_pain_daily_movements": True}, True, []),
        # movement optimisation → strength: full extension and no tenderness
        (3, {"full_knee_extension": True, "no_tenderness": False}, True, ["no_tenderness"]),
        (3, {"full_knee_extension": True, "no_tenderness": True}, True, []),
        # strength → self-sufficiency: ≥ 90% symmetry, hop and sprint drills pain-free
        (4, {**ALL_PASSED, "strength_symmetry_percent": 89}, True, ["strength_symmetry_percent"]),
        (4, {**ALL_PASSED, "strength_symmetry_percent": 90}, True, []),
        (4, {**ALL_PASSED, "strength_symmetry_percent": 89.9}, True, ["strength_symmetry_percent"]),
        (4, {**ALL_PASSED, "strength_symmetry_percent": True}, True, ["strength_symmetry_percent"]),
        (4, {**ALL_PASSED, "single_leg_hop": False}, True, ["single_leg_hop"]),
        (4, {**ALL_PASSED, "sprint_drills": None}, True, ["sprint_drills"]),
        (
            4,
            {},
            True,
            ["strength_symmetry_percent", "single_leg_hop", "sprint_drills"],
        ),
        # no assessment at all: nothing beyond step 1 can hold
        (3, None, False, ["full_knee_extension", "no_tenderness"]),
    ],
)
def test_exit_criteria_per_step(step, readiness, assessed, unmet):
    check = rules.step_exit_check(
        step=step, assessment_readiness=readiness, assessment_at=T0 if assessed else None
    )
    assert check.unmet == unmet
    assert set(check.met) | set(check.unmet) == set(rules.EXIT_CRITERIA[step])
    assert check.passed is (not unmet)


@pytest.mark.parametrize(
    ("at_assessment", "check_in", "check_in_at", "holds"),
    [
        (False, True, day(1), True),  # walks without limp since the assessment
        (True, False, day(1), False),  # a new limp since the assessment
        (False, True, day(-1), False),  # the older check-in does not overrule the assessment
        (True, None, None, True),
        (None, True, day(1), True),  # not tested at the assessment; the patient reports it
        (None, None, None, False),
    ],
)
def test_walks_without_limp_the_newest_observation_counts(
    at_assessment, check_in, check_in_at, holds
):
    readiness = {"no_pain_daily_movements": True}
    if at_assessment is not None:
        readiness["walks_without_limp"] = at_assessment
    check = rules.step_exit_check(
        step=2,
        assessment_readiness=readiness,
        assessment_at=T0,
        latest_check_in_walks_without_limp=check_in,
        latest_check_in_at=check_in_at,
    )
    assert ("walks_without_limp" in check.met) is holds


def test_step_5_has_no_exit_criteria():
    assert rules.step_exit_check(step=5, assessment_readiness={}, assessment_at=T0).unmet == []


# --- Training load --------------------------------------------------------------------------

BASE = {"sets": 3, "reps": 10, "hold_seconds": None, "minutes": None, "times_per_week": 3}


@pytest.mark.parametrize(
    ("before", "after", "too_large"),
    [
        ({**BASE, "load_kg": "20"}, {**BASE, "load_kg": "22"}, False),  # exactly +10%
        ({**BASE, "load_kg": "20"}, {**BASE, "load_kg": "22.01"}, True),  # just over
        ({**BASE, "load_kg": None}, {**BASE, "reps": 11, "load_kg": None}, False),  # 30 → 33
        ({**BASE, "load_kg": None}, {**BASE, "reps": 12, "load_kg": None}, True),  # 30 → 36
        ({**BASE, "load_kg": "10"}, {**BASE, "sets": 4, "load_kg": "10"}, True),  # +33% volume
        ({**BASE, "load_kg": "10"}, {**BASE, "times_per_week": 4, "load_kg": "10"}, True),
        ({**BASE, "load_kg": "20"}, {**BASE, "load_kg": "15"}, False),  # lowering is fine
        # a first weight on a body-weight exercise is a change of form, not measurable
        ({**BASE, "load_kg": None}, {**BASE, "load_kg": "5"}, False),
        (
            {"minutes": 10, "times_per_week": 3},
            {"minutes": 11, "times_per_week": 3},
            False,
        ),
        (
            {"minutes": 10, "times_per_week": 3},
            {"minutes": 15, "times_per_week": 3},
            True,
        ),
        (
            {"sets": 3, "hold_seconds": 30, "times_per_week": 3},
            {"sets": 3, "hold_seconds": 45, "times_per_week": 3},
            True,
        ),
    ],
)
def test_weekly_load_may_grow_at_most_ten_percent(before, after, too_large):
    assert rules.load_increase_too_large(before, after) is too_large


def test_load_increase_is_relative():
    assert rules.load_increase({"load_kg": "20"}, {"load_kg": "25"}) == Decimal("0.25")


# --- One check-in ---------------------------------------------------------------------------


def report(**fields) -> CheckInReport:
    values = {
        "pain_now": 2,
        "pain_activity": 3,
        "pain_character": "dull",
        "pain_course": "stable",
        "walking_minutes": 20,
        "walks_without_limp": True,
    }
    values.update(fields)
    return CheckInReport(**values)


@pytest.mark.parametrize(
    ("fields", "codes"),
    [
        # discomfort: dull, stays the same or decreases → acceptable
        ({}, []),
        ({"pain_course": "decreasing"}, []),
        # pain: sharp and increasing during activity → stop signal
        ({"pain_character": "sharp", "pain_course": "increasing"}, ["stop_signal"]),
        ({"pain_character": "sharp", "pain_course": "stable"}, []),
        # dull but increasing: the pain that increases with activity, for review
        ({"pain_course": "increasing"}, ["pain_increasing_with_activity"]),
        ({"exercise_pain_over_hour": True}, ["exercise_pain_over_hour"]),
        ({"next_day_pain": True}, ["next_day_pain"]),
        ({"complaints_elsewhere": ["knee"]}, ["compensation_complaints"]),
        ({"complaints_elsewhere": ["back", "other_leg"]}, ["compensation_complaints"]),
        # severe sharp pain and unable to walk: suspected grade 3
        (
            {
                "pain_now": 8,
                "pain_character": "sharp",
                "walking_minutes": 0,
                "walks_without_limp": False,
            },
            ["suspected_grade_3"],
        ),
        (
            {
                "pain_now": 7,
                "pain_character": "sharp",
                "walking_minutes": 0,
                "walks_without_limp": False,
            },
            [],
        ),
        (
            {
                "pain_now": 9,
                "pain_character": "sharp",
                "walking_minutes": 5,
                "walks_without_limp": False,
            },
            [],
        ),
        (
            {
                "pain_now": 9,
                "pain_character": "dull",
                "walking_minutes": 0,
                "walks_without_limp": False,
            },
            [],
        ),
        (
            {
                "pain_now": 9,
                "pain_character": "sharp",
                "pain_course": "increasing",
                "walking_minutes": 0,
                "walks_without_limp": False,
                "next_day_pain": True,
            },
            ["suspected_grade_3", "stop_signal", "next_day_pain"],
        ),
    ],
)
def test_check_in_rules(fields, codes):
    assert [a.code for a in rules.check_in_alerts(report(**fields))] == codes


@pytest.mark.parametrize(
    ("code", "escalates"),
    [
        ("stop_signal", True),
        ("suspected_grade_3", True),
        ("compensation_complaints", True),
        ("exercise_pain_over_hour", False),
        ("next_day_pain", False),
    ],
)
def test_advisory_alerts_do_not_escalate(code, escalates):
    assert rules.Alert(code, "x").escalates is escalates


# --- Trend ------------------------------------------------------------------------------------


def points(*pain_at_day, activity=None):
    return [
        PainPoint(day(d), pain, pain if activity is None else activity) for pain, d in pain_at_day
    ]


@pytest.mark.parametrize(
    ("history", "codes"),
    [
        # pain now rising strictly over the last three check-ins
        (points((3, 0), (4, 2), (5, 4)), ["pain_trend_rising"]),
        (points((3, 0), (4, 2), (4, 4)), []),
        (points((5, 0), (3, 2), (4, 4), (5, 6)), ["pain_trend_rising"]),
        (points((4, 2), (5, 4)), []),  # two check-ins are not a trend
        # no improvement over ≥ 2 weeks
        (points((5, 0), (5, 14)), ["no_progress"]),
        (points((5, 0), (5, 13.9)), []),  # not yet two weeks
        (points((5, 0), (4, 14)), []),  # improved
        (points((0, 0), (0, 14)), []),  # pain-free: nothing to improve
        (points((5, 0), (2, 7), (5, 14)), ["no_progress"]),  # back where it was
        # chronic: more than six weeks without improvement
        (points((5, 0), (5, 42)), ["no_progress"]),  # six weeks exactly: not yet chronic
        (points((5, 0), (5, 43)), ["chronic_no_improvement"]),  # six weeks and a day
        (points((5, 0), (3, 30), (5, 43)), ["chronic_no_improvement"]),
        (points((6, 0), (5, 43)), []),
    ],
)
def test_trend_rules(history, codes):
    assert [a.code for a in rules.trend_alerts(history)] == codes


def test_improvement_in_activity_pain_counts_as_progress():
    history = [PainPoint(day(0), 4, 6), PainPoint(day(15), 4, 5)]
    assert rules.trend_alerts(history) == []


# --- Advice -----------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["nl", "en"])
def test_every_alert_has_advice_in_both_languages(language):
    codes = [
        "suspected_grade_3",
        "stop_signal",
        "pain_increasing_with_activity",
        "compensation_complaints",
        "exercise_pain_over_hour",
        "next_day_pain",
        "pain_trend_rising",
        "no_progress",
        "chronic_no_improvement",
    ]
    advice = rules.advice_for(codes, language)
    assert [a["code"] for a in advice] == codes
    assert all(len(a["text"]) > 40 for a in advice)


def test_stop_signal_advice_says_stop_and_contact_the_physiotherapist():
    assert "contact your physiotherapist" in rules.advice_for(["stop_signal"], "en")[0]["text"]
    assert "fysiotherapeut" in rules.advice_for(["stop_signal"], "nl")[0]["text"]


def test_no_alerts_gives_encouragement():
    assert [a["code"] for a in rules.advice_for([], "en")] == ["keep_going"]
