"""The program's clinical rules, table by table, as DOMAIN.md states them."""

import datetime
from decimal import Decimal

import pytest

from clinical_rules.thresholds import DEFAULTS
from programs import rules
from programs.rules import CheckInReport, PainPoint

T0 = datetime.datetime(2027, 3, 1, 18, 0, tzinfo=datetime.UTC)


def day(n: float) -> datetime.datetime:
    return T0 + datetime.timedelta(days=n)


# --- Check-in rhythm ------------------------------------------------------------------------


@pytest.mark.parametrize(("step", "every"), [(1, 2), (2, 2), (3, 3), (4, 3), (5, 7)])
def test_check_in_rhythm_follows_the_step(step, every):
    assert rules.check_in_every_days_for(step) == every


def test_the_check_in_rhythm_is_the_clinics_setting():
    settings = DEFAULTS.with_values({"check_in_every_days_step_5": 14})
    assert rules.check_in_every_days_for(5, settings=settings) == 14


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
        # the clinician saw a limp: the patient's newer report does not outweigh it
        (False, True, day(1), False),
        (True, False, day(1), False),  # a new limp since the assessment holds back
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


@pytest.mark.parametrize(
    ("red_flags", "check_in", "holds", "source"),
    [
        (["unable_to_walk"], True, False, "assessment"),  # the clinician saw it
        ([], True, True, "check_in"),  # nothing recorded by the clinician
        ([], None, False, "not_observed"),
    ],
)
def test_unable_to_walk_is_the_clinicians_observation(red_flags, check_in, holds, source):
    check = rules.step_exit_check(
        step=2,
        assessment_readiness={"no_pain_daily_movements": True},
        assessment_at=T0,
        assessment_red_flags=red_flags,
        latest_check_in_walks_without_limp=check_in,
        latest_check_in_at=day(1) if check_in is not None else None,
    )
    assert ("walks_without_limp" in check.met) is holds
    assert check.sources == {"walks_without_limp": source}


@pytest.mark.parametrize(
    ("step", "days", "held_back"),
    [
        (2, 2.99, True),
        (2, 3, False),  # the default minimum of step 2 is 3 days
        (3, 6.99, True),
        (3, 7, False),
        (4, 13.99, True),
        (4, 14, False),
        (1, 0, False),  # analysis has none
    ],
)
def test_each_step_has_a_minimum_time(step, days, held_back):
    check = rules.step_exit_check(
        step=step, assessment_readiness=ALL_PASSED, assessment_at=T0, days_in_step=days
    )
    assert ("min_time_in_step" in check.unmet) is held_back


def test_the_minimum_time_is_the_clinics_setting():
    settings = DEFAULTS.with_values({"min_days_step_2": 10})
    check = rules.step_exit_check(
        step=2,
        assessment_readiness=ALL_PASSED,
        assessment_at=T0,
        days_in_step=9.5,
        settings=settings,
    )
    assert check.unmet == ["min_time_in_step"]


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
        # pain: sharp, stabbing → a stop signal, whatever its course
        ({"pain_character": "sharp", "pain_course": "increasing"}, ["stop_signal"]),
        ({"pain_character": "sharp", "pain_course": "stable"}, ["stop_signal"]),
        ({"pain_character": "sharp", "pain_course": "decreasing"}, ["stop_signal"]),
        # sharp with no pain at all is no pain
        ({"pain_character": "sharp", "pain_now": 0, "pain_activity": 0}, []),
        # a high pain score during activity, whatever its character (from 7)
        ({"pain_activity": 6}, []),
        ({"pain_activity": 7}, ["high_pain_during_activity"]),
        (
            {"pain_activity": 7, "pain_course": "increasing"},
            ["high_pain_during_activity", "pain_increasing_with_activity"],
        ),
        # the case of issue 12: 9/9 sharp, stable, limping → not silent
        (
            {
                "pain_now": 9,
                "pain_activity": 9,
                "pain_character": "sharp",
                "walks_without_limp": False,
            },
            ["severe_pain_now", "stop_signal", "high_pain_during_activity", "limp_with_pain"],
        ),
        # dull but increasing: the pain that increases with activity, for review
        ({"pain_course": "increasing"}, ["pain_increasing_with_activity"]),
        ({"exercise_pain_over_hour": True}, ["exercise_pain_over_hour"]),
        ({"next_day_pain": True}, ["next_day_pain"]),
        ({"complaints_elsewhere": ["knee"]}, ["compensation_complaints"]),
        ({"complaints_elsewhere": ["back", "other_leg"]}, ["compensation_complaints"]),
        # unable to walk (0 minutes, limping) is suspected grade 3 whatever the pain (issue 22)
        (
            {
                "pain_now": 8,
                "pain_character": "sharp",
                "walking_minutes": 0,
                "walks_without_limp": False,
            },
            ["suspected_grade_3", "severe_pain_now", "stop_signal"],
        ),
        (
            {
                "pain_now": 7,
                "pain_character": "sharp",
                "walking_minutes": 0,
                "walks_without_limp": False,
            },
            ["suspected_grade_3", "stop_signal"],
        ),
        (
            {
                "pain_now": 9,
                "pain_character": "sharp",
                "walking_minutes": 5,
                "walks_without_limp": False,
            },
            ["severe_pain_now", "stop_signal", "limp_with_pain"],
        ),
        # not answered: suspected grade 3 is not guessed either way
        (
            {
                "pain_now": 9,
                "pain_character": "sharp",
                "walking_minutes": 0,
                "walks_without_limp": None,
            },
            ["severe_pain_now", "stop_signal"],
        ),
        (
            {
                "pain_now": 9,
                "pain_character": "dull",
                "walking_minutes": 0,
                "walks_without_limp": False,
            },
            ["suspected_grade_3", "severe_pain_now"],
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
            ["suspected_grade_3", "severe_pain_now", "stop_signal", "next_day_pain"],
        ),
    ],
)
def test_check_in_rules(fields, codes):
    assert [a.code for a in rules.check_in_alerts(report(**fields))] == codes


@pytest.mark.parametrize(("pain_activity", "flagged"), [(4, False), (5, True), (10, True)])
def test_the_high_pain_score_is_the_clinics_setting(pain_activity, flagged):
    settings = DEFAULTS.with_values({"high_pain_during_activity": 5})
    codes = [
        a.code
        for a in rules.check_in_alerts(report(pain_activity=pain_activity), settings=settings)
    ]
    assert ("high_pain_during_activity" in codes) is flagged


def test_unanswered_questions_are_reported_with_the_rules_they_silence():
    bare = CheckInReport(pain_now=2, pain_activity=3, pain_character="dull", pain_course="stable")
    assert rules.not_answered(bare) == [
        {"field": "next_day_pain", "rules": ["next_day_pain"]},
        {"field": "exercise_pain_over_hour", "rules": ["exercise_pain_over_hour"]},
        {"field": "walking_minutes", "rules": ["suspected_grade_3"]},
        {"field": "walks_without_limp", "rules": ["suspected_grade_3"]},
    ]
    assert rules.not_answered(report(next_day_pain=False, exercise_pain_over_hour=False)) == []


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
        # no clear improvement over ≥ 2 weeks (a drop of 2 points is clear)
        (points((5, 0), (5, 14)), ["no_progress"]),
        (points((5, 0), (5, 13.9)), []),  # not yet two weeks
        (points((5, 0), (4, 14)), ["no_progress"]),  # 1 point is not a clear change
        (points((5, 0), (3, 14)), []),  # 2 points is
        (points((1, 0), (0, 14)), []),  # no pain left
        (points((0, 0), (0, 14)), []),  # pain-free: nothing to improve
        (points((5, 0), (2, 7), (5, 14)), ["no_progress"]),  # back where it was
        # counted from the first check-in when the onset is unknown: review after 4
        # weeks, escalate after 6
        (points((5, 0), (5, 28)), ["no_progress"]),
        (points((5, 0), (5, 28.1)), ["no_clear_improvement_review", "no_progress"]),
        (points((5, 0), (5, 42)), ["no_clear_improvement_review", "no_progress"]),
        (points((5, 0), (5, 42.1)), ["chronic_no_improvement"]),
        (points((5, 0), (3, 30), (5, 43)), ["chronic_no_improvement"]),
        (points((6, 0), (5, 43)), ["chronic_no_improvement"]),  # 1 point: not clear
        (points((6, 0), (4, 43)), []),
    ],
)
def test_trend_rules(history, codes):
    assert [a.code for a in rules.trend_alerts(history)] == codes


def test_improvement_in_activity_pain_counts_as_progress():
    history = [PainPoint(day(0), 4, 6), PainPoint(day(15), 4, 4)]
    assert rules.trend_alerts(history) == []


@pytest.mark.parametrize(
    ("activity", "codes"),
    [
        ((3, 6, 9), ["pain_trend_rising"]),  # issue 12, case 5: pain now stays 2
        ((3, 6, 6), []),
    ],
)
def test_the_trend_reads_pain_during_activity_too(activity, codes):
    history = [PainPoint(day(i), 2, a) for i, a in enumerate(activity)]
    assert [a.code for a in rules.trend_alerts(history)] == codes


@pytest.mark.parametrize(
    ("days_since_onset", "codes"),
    [
        (28, []),
        (29, ["no_clear_improvement_review"]),
        (42, ["no_clear_improvement_review"]),
        (43, ["chronic_no_improvement"]),
        (70, ["chronic_no_improvement"]),  # 10 weeks after onset, first check-in
    ],
)
def test_no_clear_improvement_is_counted_from_onset(days_since_onset, codes):
    history = [PainPoint(day(0), 4, 5)]
    found = rules.trend_alerts(history, days_since_onset=days_since_onset)
    assert [a.code for a in found] == codes


@pytest.mark.parametrize(("drop", "codes"), [(1, []), (0, ["no_progress"])])
def test_minimal_important_change_is_the_clinics_setting(drop, codes):
    settings = DEFAULTS.with_values({"minimal_important_change": 1})
    history = [PainPoint(day(0), 5, 5), PainPoint(day(14), 5 - drop, 5)]
    assert [a.code for a in rules.trend_alerts(history, settings=settings)] == codes


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


@pytest.mark.parametrize(
    ("alerts", "standing", "codes"),
    [
        ([], False, ["keep_going"]),
        ([], True, ["under_review"]),  # an earlier escalation is still open
        (["some_future_rule"], False, ["under_review"]),  # an alert without advice
        (["stop_signal"], False, ["stop_signal"]),
    ],
)
def test_keep_going_never_while_an_alert_stands(alerts, standing, codes):
    assert rules.advice_codes_for(alerts, escalation_standing=standing) == codes
