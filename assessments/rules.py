"""The clinical rules applied to an assessment, in one module a clinician can review.

Everything here is pure: dates and findings in, a verdict out, no database. Each alert rule
has a stable code (API.md, "Codes"), a severity (the clinic's defaults in
``escalations.catalogue.DEFAULT_SEVERITY``), a reason a clinician can read and the
inputs it looked at, so every flag can be explained later. The numbers come from DOMAIN.md
and the two source articles behind it.

Nothing here diagnoses: the rules flag what deserves a clinician's attention.
"""

from __future__ import annotations

import calendar
import json
from collections.abc import Callable, Collection, Mapping
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta

from django.utils.translation import gettext

from clinical_rules.thresholds import DEFAULTS, RuleSettings
from escalations.catalogue import DEFAULT_SEVERITY, EscalationRule

# --- Codes the clinician records (API.md, "Codes") -----------------------------------------

RED_FLAGS: dict[str, str] = {
    "audible_snap": "an audible snap at the moment of injury",
    "immediate_strength_loss": "immediate loss of strength",
    "unable_to_walk": "unable to walk",
    "pain_after_two_weeks_rest": "pain persisting after two weeks of rest",
    "pain_increases_with_activity": "pain that increases with activity, even after a warm-up",
    "compensation_complaints": "complaints elsewhere: low back, knee or the other leg",
    "no_progress": "no progress in rehabilitation week over week",
}
# Signs of a (partial) rupture: refer to a specialist at once.
GRADE_3_SIGNS = ("audible_snap", "immediate_strength_loss", "unable_to_walk")

READINESS_TESTS: dict[str, str] = {
    "walks_without_limp": "walks without limping",
    "no_pain_daily_movements": "no pain in daily movements",
    "no_tenderness": "hamstring not tender to touch",
    "full_knee_extension": "knee fully extends without sharp pain",
    "single_leg_stance": "single-leg stance with small knee bends pain-free",
    "single_leg_hop": "single-leg hop pain-free",
    "sprint_drills": "sprint-specific drills pain-free",
}
STRENGTH_SYMMETRY = "strength_symmetry_percent"

MOBILITY_FINDINGS: dict[str, str] = {
    "stiff_ankles": "stiff ankles (limited dorsiflexion)",
    "limited_hip_extension": "limited hip extension",
    "limited_hip_mobility": "limited hip mobility",
    "stiff_thoracic_spine": "stiff thoracic spine",
    "weak_glutes": "weak glutes",
    "weak_core": "insufficient core stability",
}
MOVEMENT_PATTERNS: dict[str, str] = {
    "hip_hinge_from_low_back": "bends from the low back instead of hinging at the hips",
    "overstriding": "overstrides when running, landing far ahead of the centre of mass",
    "poor_foot_placement": "poor foot placement / roll-off",
    "insufficient_warm_up": "loads the hamstring without a proper warm-up",
    "prolonged_sitting": "sits for long periods without movement breaks",
}

PAIN_MIN, PAIN_MAX = 0, 10
GRADES = (1, 2, 3)

# --- Time limits ---------------------------------------------------------------------------

# Chronic: symptoms for LONGER than six weeks. Day 42 after onset is still acute, day 43
# chronic (DOMAIN.md, "Acute vs chronic"). The phase is a definition; when lasting
# complaints escalate is the location's ``chronic_escalate_after_days``.
CHRONIC_AFTER_DAYS = 42
# Pain at rest from two weeks after onset counts as "pain persisting after 2 weeks of rest".
REST_PAIN_AFTER_DAYS = 14
# "No progress week over week": compared with an assessment at least a week earlier.
PROGRESS_INTERVAL_DAYS = 7

# Typical return to jogging per grade, counted from onset (DOMAIN.md, "Injury grades").
RETURN_TO_RUN: dict[int, tuple[tuple[int, str], tuple[int, str]]] = {
    1: ((2, "weeks"), (3, "weeks")),
    2: ((4, "weeks"), (8, "weeks")),
    3: ((3, "months"), (6, "months")),
}
# Grades whose window is open-ended: grade 3 is "after 3–6 months or longer" (seed 000).
RETURN_MAY_TAKE_LONGER = frozenset({3})


def return_may_take_longer(grade: int | None) -> bool:
    """Whether the grade's return-to-jogging window can run past its latest date."""
    return grade in RETURN_MAY_TAKE_LONGER


# --- Input checks (shared by the API serializer and the service) ---------------------------


def _quoted(value: object) -> str:
    """A value the client sent, as JSON (never a Python repr) so any client can read it."""
    return json.dumps(value, ensure_ascii=False, default=str)


def red_flag_errors(codes: object) -> list[str]:
    """Messages for a red-flag list that is not a list of the known codes."""
    if not isinstance(codes, list | tuple):
        return [gettext("Give a list of red-flag codes.")]
    unknown = [c for c in codes if not isinstance(c, str) or c not in RED_FLAGS]
    if unknown:
        return [
            gettext("Unknown red flag %(code)s; known: %(known)s.")
            % {"code": _quoted(c), "known": ", ".join(RED_FLAGS)}
            for c in unknown
        ]
    return []


def readiness_errors(readiness: object) -> list[str]:
    """Messages for a readiness object that is not {test: bool, strength_symmetry_percent}."""
    if not isinstance(readiness, Mapping):
        return [gettext("Give an object of readiness test → true/false.")]
    errors = []
    for key, value in readiness.items():
        if key == STRENGTH_SYMMETRY:
            number = isinstance(value, int | float) and not isinstance(value, bool)
            if not number or not 0 <= value <= 100:
                errors.append(
                    gettext("%(test)s must be a number from 0 to 100.")
                    % {"test": STRENGTH_SYMMETRY}
                )
        elif key in READINESS_TESTS:
            if not isinstance(value, bool):
                errors.append(gettext("%(test)s must be true or false.") % {"test": key})
        else:
            known = ", ".join([*READINESS_TESTS, STRENGTH_SYMMETRY])
            errors.append(
                gettext("Unknown readiness test %(test)s; known: %(known)s.")
                % {"test": _quoted(key), "known": known}
            )
    return errors


def code_list_errors(codes: object, known: Mapping[str, str], what: str) -> list[str]:
    if not isinstance(codes, list | tuple):
        return [gettext("Give a list of %(what)s codes.") % {"what": what}]
    return [
        gettext("Unknown %(what)s %(code)s; known: %(known)s.")
        % {"what": what, "code": _quoted(c), "known": ", ".join(known)}
        for c in codes
        if not isinstance(c, str) or c not in known
    ]


# --- Phase and expected return to running --------------------------------------------------


def days_since_onset(onset_date: date, on: date) -> int:
    return (on - onset_date).days


def phase(*, onset_date: date, on: date) -> str:
    """``acute``, or ``chronic`` once symptoms have lasted more than six weeks."""
    return "chronic" if days_since_onset(onset_date, on) > CHRONIC_AFTER_DAYS else "acute"


def _add(start: date, amount: int, unit: str) -> date:
    if unit == "weeks":
        return start + timedelta(weeks=amount)
    month_index = start.month - 1 + amount
    year, month = start.year + month_index // 12, month_index % 12 + 1
    # 31 August + 6 months is the last day of February, not an error.
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def return_to_run(*, grade: int | None, onset_date: date) -> dict[str, date] | None:
    """The typical window for light jogging, from onset; None while the grade is unknown.

    A guide for planning, not a permission: running also needs pain-free walking, hopping
    and sprint drills (the readiness tests).
    """
    if grade not in RETURN_TO_RUN:
        return None
    earliest, latest = RETURN_TO_RUN[grade]
    return {"earliest": _add(onset_date, *earliest), "latest": _add(onset_date, *latest)}


# --- Alerts ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class EarlierAssessment:
    """The previous assessment of the same episode, for the "no improvement" rules."""

    assessed_on: date
    pain_rest: int | None = None
    pain_walking: int | None = None
    readiness: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Findings:
    """What the rules look at: the assessment, its episode and the assessment before it."""

    onset_date: date
    assessed_on: date
    grade: int | None = None
    previous_injuries: int = 0
    red_flags: Collection[str] = ()
    readiness: Mapping[str, object] = field(default_factory=dict)
    pain_rest: int | None = None
    pain_walking: int | None = None
    previous: EarlierAssessment | None = None
    # The other leg is being treated (an open episode): an injury of this leg now is a
    # compensation complaint (DOMAIN.md names the other leg).
    other_leg_in_treatment: bool = False
    # The thresholds in force at the patient's location (``rule_settings_for``).
    settings: RuleSettings = DEFAULTS

    @property
    def days_since_onset(self) -> int:
        return days_since_onset(self.onset_date, self.assessed_on)


@dataclass(frozen=True)
class Alert:
    code: str
    severity: str
    reason: str
    inputs: dict

    def as_dict(self) -> dict:
        return asdict(self)


def worst_pain(pain_rest: int | None, pain_walking: int | None) -> int | None:
    """The higher of the recorded pain scores; None when neither was recorded."""
    scores = [p for p in (pain_rest, pain_walking) if p is not None]
    return max(scores) if scores else None


def passed_tests(readiness: Mapping[str, object]) -> int:
    return sum(1 for test in READINESS_TESTS if readiness.get(test) is True)


def clearly_lower(before: int, now: int, *, settings: RuleSettings) -> bool:
    """A pain score down by at least the minimal important change: a clear improvement.
    The assessment and the check-in rules both count improvement with it."""
    return before - now >= settings.minimal_important_change


def _pain_improved(now: Findings, before: EarlierAssessment) -> bool | None:
    """Worst pain clearly lower than before, or none left. None when not recorded both
    times."""
    pain_now = worst_pain(now.pain_rest, now.pain_walking)
    pain_before = worst_pain(before.pain_rest, before.pain_walking)
    if pain_now is None or pain_before is None:
        return None
    return pain_now == 0 or clearly_lower(pain_before, pain_now, settings=now.settings)


def _readiness_improved(now: Findings, before: EarlierAssessment) -> bool | None:
    """More tests passed, more symmetric strength, or all tests passed. None when readiness
    was not recorded both times."""
    if not now.readiness or not before.readiness:
        return None
    passed_now, passed_before = passed_tests(now.readiness), passed_tests(before.readiness)
    symmetry_now = now.readiness.get(STRENGTH_SYMMETRY)
    symmetry_before = before.readiness.get(STRENGTH_SYMMETRY)
    stronger = (
        symmetry_now is not None and symmetry_before is not None and symmetry_now > symmetry_before
    )
    return passed_now > passed_before or stronger or passed_now == len(READINESS_TESTS)


RuleCheck = Callable[[Findings], tuple[str, dict] | None]


def _suspected_grade_3(f: Findings) -> tuple[str, dict] | None:
    signs = [flag for flag in GRADE_3_SIGNS if flag in f.red_flags]
    if not signs and f.grade != 3:
        return None
    what = [RED_FLAGS[s] for s in signs] + (["graded 3 (rupture)"] if f.grade == 3 else [])
    return (
        f"Suspected grade 3 injury ({'; '.join(what)}): refer to a specialist at once.",
        {"red_flags": signs, "grade": f.grade},
    )


def _persistent_pain_after_rest(f: Findings) -> tuple[str, dict] | None:
    flagged = "pain_after_two_weeks_rest" in f.red_flags
    late_rest_pain = (
        f.pain_rest is not None and f.pain_rest > 0 and f.days_since_onset >= REST_PAIN_AFTER_DAYS
    )
    if not (flagged or late_rest_pain):
        return None
    inputs = {
        "red_flags": ["pain_after_two_weeks_rest"] if flagged else [],
        "pain_rest": f.pain_rest,
        "days_since_onset": f.days_since_onset,
    }
    if late_rest_pain:
        reason = (
            f"Pain at rest ({f.pain_rest}/10) {f.days_since_onset} days after onset: "
            "pain persisting after two weeks of rest needs a clinician's review."
        )
    else:
        reason = "Pain persists after two weeks of rest: review, possibly refer."
    return reason, inputs


def _chronic_no_improvement(f: Findings) -> tuple[str, dict] | None:
    # Complaints for longer than the location's limit (six weeks by default) with pain still
    # present and not clearly lower than at the previous assessment of the episode; at an
    # intake there is no earlier assessment to show improvement, so lasting pain alone counts.
    limit = f.settings.chronic_escalate_after_days
    if f.days_since_onset <= limit:
        return None
    pain_now = worst_pain(f.pain_rest, f.pain_walking)
    if pain_now is None or pain_now == 0:
        return None
    pain_before = worst_pain(f.previous.pain_rest, f.previous.pain_walking) if f.previous else None
    if pain_before is not None and clearly_lower(pain_before, pain_now, settings=f.settings):
        return None
    inputs = {
        "days_since_onset": f.days_since_onset,
        "pain_now": pain_now,
        "pain_before": pain_before,
        "chronic_escalate_after_days": limit,
        "minimal_important_change": f.settings.minimal_important_change,
    }
    compared = (
        f"not clearly lower than at the previous assessment ({pain_before}/10)"
        if pain_before is not None
        else "no earlier assessment shows improvement"
    )
    reason = (
        f"Complaints for {f.days_since_onset} days (more than {limit}) with pain "
        f"{pain_now}/10, {compared}: review the approach, possibly refer."
    )
    return reason, inputs


def _pain_increasing_with_activity(f: Findings) -> tuple[str, dict] | None:
    if "pain_increases_with_activity" not in f.red_flags:
        return None
    return (
        "Pain increases with activity, even after a good warm-up: review the load.",
        {"red_flags": ["pain_increases_with_activity"], "pain_walking": f.pain_walking},
    )


def _recurrence(f: Findings) -> tuple[str, dict] | None:
    if f.previous_injuries < 1:
        return None
    return (
        f"Recurring hamstring injury ({f.previous_injuries} earlier): the underlying pattern "
        "needs a different approach.",
        {"previous_injuries": f.previous_injuries},
    )


def _compensation_complaints(f: Findings) -> tuple[str, dict] | None:
    if f.other_leg_in_treatment and "compensation_complaints" not in f.red_flags:
        return (
            "The other leg is in treatment: complaints of this leg are compensation complaints.",
            {"other_leg_in_treatment": True},
        )
    if "compensation_complaints" not in f.red_flags:
        return None
    return (
        "Compensation complaints elsewhere (low back, knee or the other leg).",
        {"red_flags": ["compensation_complaints"]},
    )


def _no_progress(f: Findings) -> tuple[str, dict] | None:
    if "no_progress" in f.red_flags:
        return (
            "The clinician sees no progress in rehabilitation week over week.",
            {"red_flags": ["no_progress"]},
        )
    before = f.previous
    if before is None:
        return None
    days_between = (f.assessed_on - before.assessed_on).days
    if days_between < PROGRESS_INTERVAL_DAYS:
        return None
    pain, readiness = _pain_improved(f, before), _readiness_improved(f, before)
    compared = [verdict for verdict in (pain, readiness) if verdict is not None]
    if not compared or any(compared):
        return None
    inputs = {
        "days_between": days_between,
        "pain_now": worst_pain(f.pain_rest, f.pain_walking),
        "pain_before": worst_pain(before.pain_rest, before.pain_walking),
        "tests_passed_now": passed_tests(f.readiness) if f.readiness else None,
        "tests_passed_before": passed_tests(before.readiness) if before.readiness else None,
    }
    return (
        f"No measurable progress in {days_between} days: pain not clearly lower and no more "
        "readiness tests passed than at the previous assessment.",
        inputs,
    )


@dataclass(frozen=True)
class Rule:
    code: str
    summary: str
    check: RuleCheck


# The alert rules of an assessment, in the order a clinician should read them.
ASSESSMENT_RULES: tuple[Rule, ...] = (
    Rule(
        EscalationRule.SUSPECTED_GRADE_3,
        "Audible snap, immediate strength loss, unable to walk, or graded 3.",
        _suspected_grade_3,
    ),
    Rule(
        EscalationRule.PERSISTENT_PAIN_AFTER_REST,
        "Red flag 'pain after two weeks of rest', or pain at rest (> 0) from day 14 after onset.",
        _persistent_pain_after_rest,
    ),
    Rule(
        EscalationRule.CHRONIC_NO_IMPROVEMENT,
        "More than the location's chronic_escalate_after_days (42) since onset, pain > 0 and "
        "not lower by the minimal important change than at the previous assessment of the "
        "episode (or no previous assessment).",
        _chronic_no_improvement,
    ),
    Rule(
        EscalationRule.PAIN_INCREASING_WITH_ACTIVITY,
        "Red flag 'pain increases with activity'.",
        _pain_increasing_with_activity,
    ),
    Rule(EscalationRule.RECURRENCE, "One or more earlier hamstring injuries.", _recurrence),
    Rule(
        EscalationRule.COMPENSATION_COMPLAINTS,
        "Red flag 'compensation complaints' (back, knee, other leg), or an assessment of one "
        "leg while the other leg's episode is open.",
        _compensation_complaints,
    ),
    Rule(
        EscalationRule.NO_PROGRESS,
        "Red flag 'no progress', or at least 7 days after the previous assessment neither the "
        "worst pain is lower by the minimal important change (or zero) nor more readiness "
        "tests pass (or strength symmetry is higher, or all tests pass).",
        _no_progress,
    ),
)


def alerts_for(findings: Findings, severities: Mapping[str, str] = DEFAULT_SEVERITY) -> list[Alert]:
    """Every rule that fires for these findings, with its severity (the location's, from
    ``severities_for``), reason and inputs."""
    alerts = []
    for rule in ASSESSMENT_RULES:
        verdict = rule.check(findings)
        if verdict is not None:
            reason, inputs = verdict
            alerts.append(Alert(rule.code, severities[rule.code], reason, inputs))
    return alerts


# --- Readiness verdict (DOMAIN.md, "Readiness") ---------------------------------------------

# All five must hold to start walking again.
WALK_CRITERIA = (
    "walks_without_limp",
    "no_pain_daily_movements",
    "no_tenderness",
    "full_knee_extension",
    STRENGTH_SYMMETRY,
)
# The self-tests, in the order they are done; all three pain-free before running.
SELF_TESTS = ("single_leg_stance", "single_leg_hop", "sprint_drills")


@dataclass(frozen=True)
class ReadinessVerdict:
    ready_to_walk: bool
    walk_criteria_unmet: list[str]
    walking_start_minutes: dict[str, int] | None
    self_tests: list[dict[str, object]]
    self_tests_out_of_order: list[str]
    ready_to_run: bool
    pain_free_walking_weeks: float | None
    earliest_return: date | None
    jogging_suggested: bool
    jogging_not_yet: list[str]

    def as_dict(self) -> dict:
        return asdict(self)


def readiness_verdict(
    *,
    readiness: Mapping[str, object] | None,
    grade: int | None,
    onset_date: date | None,
    pain_free_walking_weeks: float | None,
    today: date,
    settings: RuleSettings = DEFAULTS,
) -> ReadinessVerdict:
    """Ready to walk (all five criteria), ready to run (the three self-tests, in order),
    and whether light jogging can be suggested: only after ``pain_free_walking_weeks_
    before_jogging`` weeks of pain-free walking and not before the grade's earliest
    return to jogging. A later self-test reported pain-free while an earlier one is not
    is listed as out of order and does not count."""
    readiness = dict(readiness or {})
    unmet = []
    for code in WALK_CRITERIA:
        if code == STRENGTH_SYMMETRY:
            value = readiness.get(code)
            holds = (
                isinstance(value, int | float)
                and not isinstance(value, bool)
                and value >= settings.strength_symmetry_min_percent
            )
        else:
            holds = readiness.get(code) is True
        if not holds:
            unmet.append(code)
    ready_to_walk = not unmet
    tests, out_of_order, in_order = [], [], True
    for code in SELF_TESTS:
        passed = readiness.get(code)
        tests.append({"test": code, "passed": passed if isinstance(passed, bool) else None})
        if passed is True and not in_order:
            out_of_order.append(code)
        in_order = in_order and passed is True
    ready_to_run = ready_to_walk and in_order
    window = return_to_run(grade=grade, onset_date=onset_date) if onset_date else None
    earliest = window["earliest"] if window else None
    not_yet = []
    if not ready_to_run:
        not_yet.append("not_ready_to_run")
    weeks_needed = settings.pain_free_walking_weeks_before_jogging
    if pain_free_walking_weeks is None or pain_free_walking_weeks < weeks_needed:
        not_yet.append("pain_free_walking_weeks")
    if earliest is None:
        not_yet.append("grade_unknown")
    elif today < earliest:
        not_yet.append("before_earliest_return")
    return ReadinessVerdict(
        ready_to_walk=ready_to_walk,
        walk_criteria_unmet=unmet,
        walking_start_minutes=(
            {"min": settings.walking_start_min_minutes, "max": settings.walking_start_max_minutes}
            if ready_to_walk
            else None
        ),
        self_tests=tests,
        self_tests_out_of_order=out_of_order,
        ready_to_run=ready_to_run,
        pain_free_walking_weeks=pain_free_walking_weeks,
        earliest_return=earliest,
        jogging_suggested=not not_yet,
        jogging_not_yet=not_yet,
    )
