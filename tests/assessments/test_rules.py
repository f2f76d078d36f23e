"""The clinical rules of DOMAIN.md, one table per rule, with each boundary."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assessments import rules
from assessments.rules import EarlierAssessment, Findings
from clinical_rules.thresholds import DEFAULTS

ONSET = date(2027, 3, 1)


def on_day(days: int) -> date:
    return ONSET + timedelta(days=days)


def codes(**kwargs) -> list[str]:
    kwargs.setdefault("onset_date", ONSET)
    kwargs.setdefault("assessed_on", on_day(3))
    return [alert.code for alert in rules.alerts_for(Findings(**kwargs))]


# --- Acute vs chronic: chronic when symptoms last LONGER than six weeks ----------------------


@pytest.mark.parametrize(
    ("days", "expected"),
    [
        (0, "acute"),
        (28, "acute"),
        (41, "acute"),
        (42, "acute"),  # exactly six weeks
        (43, "chronic"),  # six weeks and a day
        (120, "chronic"),
    ],
)
def test_phase(days, expected):
    assert rules.phase(onset_date=ONSET, on=on_day(days)) == expected


# --- Return to running: G1 2–3 weeks, G2 4–8 weeks, G3 3–6 months after onset ----------------


@pytest.mark.parametrize(
    ("grade", "onset", "earliest", "latest"),
    [
        (1, date(2027, 3, 1), date(2027, 3, 15), date(2027, 3, 22)),
        (2, date(2027, 3, 1), date(2027, 3, 29), date(2027, 4, 26)),  # 4 and 8 weeks
        (3, date(2027, 3, 1), date(2027, 6, 1), date(2027, 9, 1)),
        (3, date(2027, 8, 31), date(2027, 11, 30), date(2028, 2, 29)),  # month ends clamp
        (3, date(2027, 11, 15), date(2028, 2, 15), date(2028, 5, 15)),  # over the new year
    ],
)
def test_return_to_run_window(grade, onset, earliest, latest):
    window = rules.return_to_run(grade=grade, onset_date=onset)
    assert window == {"earliest": earliest, "latest": latest}


def test_grade_2_window_spans_exactly_four_to_eight_weeks():
    window = rules.return_to_run(grade=2, onset_date=ONSET)
    assert (window["earliest"] - ONSET).days == 28
    assert (window["latest"] - ONSET).days == 56


@pytest.mark.parametrize("grade", [None, 0, 4])
def test_no_window_without_a_known_grade(grade):
    assert rules.return_to_run(grade=grade, onset_date=ONSET) is None


# --- Suspected grade 3: urgent specialist referral ------------------------------------------


@pytest.mark.parametrize(
    ("red_flags", "grade", "fires"),
    [
        (["audible_snap"], None, True),
        (["immediate_strength_loss"], None, True),
        (["unable_to_walk"], 2, True),
        ([], 3, True),
        ([], 2, False),
        ([], None, False),
        (["pain_increases_with_activity", "compensation_complaints"], 1, False),
    ],
)
def test_suspected_grade_3(red_flags, grade, fires):
    assert ("suspected_grade_3" in codes(red_flags=red_flags, grade=grade)) is fires


def test_suspected_grade_3_is_urgent_and_explains_itself():
    (alert,) = rules.alerts_for(
        Findings(onset_date=ONSET, assessed_on=on_day(1), red_flags=["audible_snap"])
    )
    assert alert.severity == "urgent"
    assert "snap" in alert.reason and "specialist" in alert.reason
    assert alert.inputs == {"red_flags": ["audible_snap"], "grade": None}


# --- Pain persisting after two weeks of rest ------------------------------------------------


@pytest.mark.parametrize(
    ("days", "pain_rest", "red_flags", "fires"),
    [
        (13, 3, [], False),  # not yet two weeks
        (14, 3, [], True),  # two weeks
        (30, 1, [], True),
        (30, 0, [], False),  # no pain at rest
        (30, None, [], False),  # not recorded
        (5, 0, ["pain_after_two_weeks_rest"], True),  # the clinician's own judgement
    ],
)
def test_persistent_pain_after_rest(days, pain_rest, red_flags, fires):
    fired = codes(assessed_on=on_day(days), pain_rest=pain_rest, red_flags=red_flags)
    assert ("persistent_pain_after_rest" in fired) is fires


# --- More than six weeks without clear improvement ------------------------------------------


def earlier(days: int, pain_rest=None, pain_walking=None, readiness=None) -> EarlierAssessment:
    return EarlierAssessment(on_day(days), pain_rest, pain_walking, readiness or {})


@pytest.mark.parametrize(
    ("days", "pain_walking", "previous", "fires"),
    [
        (42, 4, None, False),  # exactly six weeks: not yet
        (43, 4, None, True),  # six weeks and a day, nothing shows improvement
        (43, 0, None, False),  # no pain left
        (43, None, None, False),  # pain not recorded
        (50, 4, earlier(36, pain_walking=4), True),  # same pain as before
        (50, 5, earlier(36, pain_walking=4), True),  # worse
        (50, 3, earlier(36, pain_walking=4), True),  # one point lower: no clear improvement
        (50, 2, earlier(36, pain_walking=4), False),  # two points lower: clearly improving
    ],
)
def test_chronic_no_improvement(days, pain_walking, previous, fires):
    fired = codes(assessed_on=on_day(days), pain_walking=pain_walking, previous=previous)
    assert ("chronic_no_improvement" in fired) is fires


@pytest.mark.parametrize(("days", "fires"), [(35, False), (36, True)])
def test_lasting_complaints_follow_the_locations_limit(days, fires):
    """A location that escalates lasting complaints after 35 days does so at an assessment
    as it does at a check-in (the same setting, chronic_escalate_after_days)."""
    settings = DEFAULTS.with_values({"chronic_escalate_after_days": 35})
    fired = codes(assessed_on=on_day(days), pain_walking=4, settings=settings)
    assert ("chronic_no_improvement" in fired) is fires


@pytest.mark.parametrize(("change", "fires"), [(1, False), (2, True)])
def test_a_clear_improvement_is_the_locations_minimal_important_change(change, fires):
    settings = DEFAULTS.with_values({"minimal_important_change": change})
    fired = codes(
        assessed_on=on_day(50),
        pain_walking=3,
        previous=earlier(36, pain_walking=4),
        settings=settings,
    )
    assert ("chronic_no_improvement" in fired) is fires


# --- Red flags that map one to one ----------------------------------------------------------


@pytest.mark.parametrize(
    ("red_flag", "alert"),
    [
        ("pain_increases_with_activity", "pain_increasing_with_activity"),
        ("compensation_complaints", "compensation_complaints"),
        ("no_progress", "no_progress"),
        ("pain_after_two_weeks_rest", "persistent_pain_after_rest"),
        ("audible_snap", "suspected_grade_3"),
        ("immediate_strength_loss", "suspected_grade_3"),
        ("unable_to_walk", "suspected_grade_3"),
    ],
)
def test_each_red_flag_raises_its_alert(red_flag, alert):
    assert codes(red_flags=[red_flag]) == [alert]


def test_every_red_flag_code_is_covered():
    assert set(rules.RED_FLAGS) == {
        "audible_snap",
        "immediate_strength_loss",
        "unable_to_walk",
        "pain_after_two_weeks_rest",
        "pain_increases_with_activity",
        "compensation_complaints",
        "no_progress",
    }


# --- Recurrence -----------------------------------------------------------------------------


@pytest.mark.parametrize(("previous_injuries", "fires"), [(0, False), (1, True), (3, True)])
def test_recurrence(previous_injuries, fires):
    assert ("recurrence" in codes(previous_injuries=previous_injuries)) is fires


# --- No progress week over week -------------------------------------------------------------

HOP_FREE = {"walks_without_limp": True, "single_leg_stance": True, "single_leg_hop": True}
HOP_PAINFUL = {"walks_without_limp": True, "single_leg_stance": True, "single_leg_hop": False}


@pytest.mark.parametrize(
    ("days_between", "now", "before", "fires"),
    [
        # pain not lower after a week or more
        (7, {"pain_walking": 4}, {"pain_walking": 4}, True),
        (6, {"pain_walking": 4}, {"pain_walking": 4}, False),  # less than a week
        (14, {"pain_walking": 3}, {"pain_walking": 4}, True),  # one point: not clearly lower
        (14, {"pain_walking": 2}, {"pain_walking": 4}, False),  # two points: clearly lower
        (14, {"pain_walking": 0}, {"pain_walking": 0}, False),  # pain-free both times
        (14, {"pain_rest": 2}, {"pain_walking": 2}, True),  # worst pain compared
        # readiness: the hop becoming pain-free is progress, still painful is not
        (7, {"readiness": HOP_FREE}, {"readiness": HOP_PAINFUL}, False),
        (7, {"readiness": HOP_PAINFUL}, {"readiness": HOP_PAINFUL}, True),
        (
            7,
            {"readiness": {**HOP_PAINFUL, "strength_symmetry_percent": 85}},
            {"readiness": {**HOP_PAINFUL, "strength_symmetry_percent": 80}},
            False,
        ),
        # either pain or readiness improving is progress
        (
            7,
            {"pain_walking": 4, "readiness": HOP_FREE},
            {"pain_walking": 4, "readiness": HOP_PAINFUL},
            False,
        ),
        # nothing comparable recorded: no verdict
        (14, {}, {}, False),
        (14, {"pain_walking": 3}, {"readiness": HOP_FREE}, False),
    ],
)
def test_no_progress_compared_with_the_previous_assessment(days_between, now, before, fires):
    previous = EarlierAssessment(assessed_on=on_day(3), **before)
    fired = codes(assessed_on=on_day(3 + days_between), previous=previous, **now)
    assert ("no_progress" in fired) is fires


def test_no_progress_needs_a_previous_assessment():
    assert "no_progress" not in codes(assessed_on=on_day(30), pain_walking=5)


# --- Every alert is explainable and has the clinic's default severity -----------------------


def test_alerts_carry_code_severity_reason_and_inputs():
    alerts = rules.alerts_for(
        Findings(
            onset_date=ONSET,
            assessed_on=on_day(60),
            grade=3,
            previous_injuries=2,
            red_flags=list(rules.RED_FLAGS),
            pain_rest=5,
            pain_walking=7,
            previous=earlier(50, pain_rest=5, pain_walking=7),
        )
    )
    assert [a.code for a in alerts] == [rule.code for rule in rules.ASSESSMENT_RULES]
    severities = {a.code: a.severity for a in alerts}
    assert severities["suspected_grade_3"] == "urgent"
    assert {s for c, s in severities.items() if c != "suspected_grade_3"} == {"normal"}
    for alert in alerts:
        assert alert.reason and isinstance(alert.inputs, dict) and alert.inputs
        assert set(alert.as_dict()) == {"code", "severity", "reason", "inputs"}


def test_a_mild_fresh_injury_raises_nothing():
    assert codes(grade=1, pain_rest=0, pain_walking=2, assessed_on=on_day(3)) == []


# --- Input checks ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("red_flags", "valid"),
    [
        ([], True),
        (["audible_snap", "no_progress"], True),
        (["knak"], False),
        (["AUDIBLE_SNAP"], False),
        ("audible_snap", False),
        ([1], False),
    ],
)
def test_red_flag_codes_are_checked_exactly(red_flags, valid):
    assert (rules.red_flag_errors(red_flags) == []) is valid


@pytest.mark.parametrize(
    ("readiness", "valid"),
    [
        ({}, True),
        ({test: True for test in rules.READINESS_TESTS}, True),
        ({"single_leg_hop": False, "strength_symmetry_percent": 92.5}, True),
        ({"strength_symmetry_percent": 0}, True),
        ({"strength_symmetry_percent": 100}, True),
        ({"strength_symmetry_percent": 101}, False),
        ({"strength_symmetry_percent": -1}, False),
        ({"strength_symmetry_percent": True}, False),
        ({"strength_symmetry_percent": "90"}, False),
        ({"single_leg_hop": "yes"}, False),
        ({"single_leg_hop": 1}, False),
        ({"can_run": True}, False),
        (["single_leg_hop"], False),
    ],
)
def test_readiness_tests_are_checked_exactly(readiness, valid):
    assert (rules.readiness_errors(readiness) == []) is valid


# --- Invariants -----------------------------------------------------------------------------

onsets = st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31))


@given(onset=onsets, grade=st.sampled_from(rules.GRADES))
def test_the_window_lies_after_onset_and_grows_with_the_grade(onset, grade):
    window = rules.return_to_run(grade=grade, onset_date=onset)
    assert onset < window["earliest"] < window["latest"]
    if grade > 1:
        lower = rules.return_to_run(grade=grade - 1, onset_date=onset)
        assert lower["latest"] <= window["earliest"]


@given(onset=onsets, days=st.integers(min_value=0, max_value=3650))
def test_once_chronic_always_chronic(onset, days):
    later = onset + timedelta(days=days)
    if rules.phase(onset_date=onset, on=later) == "chronic":
        assert rules.phase(onset_date=onset, on=later + timedelta(days=1)) == "chronic"
    assert (rules.phase(onset_date=onset, on=later) == "chronic") is (days > 42)


@given(
    red_flags=st.lists(st.sampled_from(list(rules.RED_FLAGS)), unique=True),
    grade=st.sampled_from([None, *rules.GRADES]),
    previous_injuries=st.integers(min_value=0, max_value=5),
    pain_rest=st.one_of(st.none(), st.integers(0, 10)),
    pain_walking=st.one_of(st.none(), st.integers(0, 10)),
    days=st.integers(min_value=0, max_value=400),
)
def test_every_red_flag_is_answered_by_an_alert(
    red_flags, grade, previous_injuries, pain_rest, pain_walking, days
):
    fired = codes(
        red_flags=red_flags,
        grade=grade,
        previous_injuries=previous_injuries,
        pain_rest=pain_rest,
        pain_walking=pain_walking,
        assessed_on=on_day(days),
    )
    answers = {
        "audible_snap": "suspected_grade_3",
        "immediate_strength_loss": "suspected_grade_3",
        "unable_to_walk": "suspected_grade_3",
        "pain_after_two_weeks_rest": "persistent_pain_after_rest",
        "pain_increases_with_activity": "pain_increasing_with_activity",
        "compensation_complaints": "compensation_complaints",
        "no_progress": "no_progress",
    }
    assert {answers[flag] for flag in red_flags} <= set(fired)
    assert len(fired) == len(set(fired))
