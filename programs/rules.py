"""Clinical rules of the five-step program, in one place a clinician can review.

Each rule has a stable code (API.md, "Codes") and a human reason. The functions are pure:
they take plain values and return what fired, so they are tested table by table against
DOMAIN.md and the services only store and act on the outcome.

Contents:
1. How often a patient checks in, per step.
2. Exit criteria of each step (``advance``).
3. Training load: at most +10% in a week.
4. Rules on one check-in.
5. Trend rules over a patient's check-ins.
6. Advice for the patient, in Dutch and English.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext, override

from assessments.rules import clearly_lower
from bookings.opening import Opening
from clinical_rules.thresholds import DEFAULTS, RuleSettings
from escalations.catalogue import EscalationRule
from programs.codes import ProgramErrorCode

# --- 1. Check-in rhythm -----------------------------------------------------------------

# Early on pain changes quickly, so the patient reports more often; once strength work
# settles the rhythm slows, and in self-sufficiency a weekly report is enough
# (RuleSettings.check_in_every_days_step_N, per clinic). A clinician may set another
# rhythm on the program; it then stays as set.


def check_in_every_days_for(step: int, *, settings: RuleSettings = DEFAULTS) -> int:
    return settings.check_in_every_days(step)


# --- 2. Exit criteria ------------------------------------------------------------------

ASSESSMENT_EXISTS = "assessment_exists"
# Time in the step since the last transition (RuleSettings.min_days_in_step).
MIN_TIME_IN_STEP = "min_time_in_step"
# Self-sufficiency (running on one's own) not before the grade's earliest return to jogging.
RETURN_TO_RUN_WINDOW = "return_to_run_window"

# DOMAIN.md, "Suggested exit criteria": the codes that must hold to leave each step.
EXIT_CRITERIA: dict[int, tuple[str, ...]] = {
    1: (ASSESSMENT_EXISTS,),
    2: ("walks_without_limp", "no_pain_daily_movements"),
    3: ("full_knee_extension", "no_tenderness"),
    4: ("strength_symmetry_percent", "single_leg_hop", "sprint_drills"),
}

# Every criterion a clinic may ask of a step (clinical_rules: exit criteria per location).
GATE_CRITERIA = (
    ASSESSMENT_EXISTS,
    "walks_without_limp",
    "no_pain_daily_movements",
    "no_tenderness",
    "full_knee_extension",
    "single_leg_stance",
    "single_leg_hop",
    "sprint_drills",
    "strength_symmetry_percent",
)

# Where a criterion's verdict came from, named in the problem and the transition.
SOURCE_ASSESSMENT = "assessment"  # the clinician's latest observation
SOURCE_CHECK_IN = "check_in"  # the patient's own latest report
SOURCE_NONE = "not_observed"
# The clinician's assessment of the other leg during the program saw a limp.
SOURCE_OTHER_LEG = "other_leg_assessment"


@dataclass(frozen=True)
class ExitCheck:
    met: list[str]
    unmet: list[str]
    # criterion → which observation decided it (only where more than one could).
    sources: dict[str, str] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return not self.unmet


def _walks_without_limp(
    *,
    readiness: Mapping[str, object],
    red_flags: Sequence[str],
    assessment_at: datetime.datetime | None,
    check_in_value: bool | None,
    check_in_at: datetime.datetime | None,
) -> tuple[bool, str]:
    """The clinician's latest observation outweighs the patient's self-report: a patient
    who reports walking without a limp after the clinician saw a limp (or "unable to
    walk") still needs the clinician to see it. The patient's report decides only where
    the clinician recorded nothing, and a newer report of a limp always holds back."""
    clinician: bool | None = None
    if assessment_at is not None:
        if "walks_without_limp" in readiness:
            clinician = readiness["walks_without_limp"] is True
        elif "unable_to_walk" in red_flags:
            clinician = False
    newer_limp = (
        check_in_value is False
        and check_in_at is not None
        and (assessment_at is None or check_in_at > assessment_at)
    )
    if clinician is not None:
        if clinician and newer_limp:
            return False, SOURCE_CHECK_IN
        return clinician, SOURCE_ASSESSMENT
    if check_in_value is not None and check_in_at is not None:
        return check_in_value is True, SOURCE_CHECK_IN
    return False, SOURCE_NONE


def step_exit_check(
    *,
    step: int,
    assessment_readiness: Mapping[str, object] | None,
    assessment_at: datetime.datetime | None,
    latest_check_in_walks_without_limp: bool | None = None,
    latest_check_in_at: datetime.datetime | None = None,
    assessment_red_flags: Sequence[str] = (),
    other_leg_limps: bool = False,
    days_in_step: float | None = None,
    earliest_return: datetime.date | None = None,
    today: datetime.date | None = None,
    settings: RuleSettings = DEFAULTS,
    exit_criteria: Mapping[int, Sequence[str]] = EXIT_CRITERIA,
) -> ExitCheck:
    """Which exit criteria of ``step`` hold, judged on the latest assessment.

    ``walks_without_limp`` is also reported by the patient in every check-in; see
    ``_walks_without_limp`` for which observation counts; a limp the clinician saw on the
    other leg during the program (``other_leg_limps``) holds it too. Every other criterion needs the
    clinician's assessment. With ``days_in_step`` the step must also have lasted the
    clinic's minimum time, and strength building is not left for self-sufficiency before
    ``earliest_return`` (the grade's earliest return to jogging). Both are listed only
    when they hold the patient back. Step 5 has no exit: it ends with ``complete``.
    """
    criteria = exit_criteria.get(step, ())
    readiness = dict(assessment_readiness or {})
    met: list[str] = []
    unmet: list[str] = []
    sources: dict[str, str] = {}
    for code in criteria:
        if code == ASSESSMENT_EXISTS:
            holds = assessment_at is not None
        elif code == "strength_symmetry_percent":
            percent = readiness.get(code)
            holds = (
                isinstance(percent, int | float | Decimal)
                and not isinstance(percent, bool)
                and percent >= settings.strength_symmetry_min_percent
            )
        elif code == "walks_without_limp":
            holds, sources[code] = _walks_without_limp(
                readiness=readiness,
                red_flags=assessment_red_flags,
                assessment_at=assessment_at,
                check_in_value=latest_check_in_walks_without_limp,
                check_in_at=latest_check_in_at,
            )
            if holds and other_leg_limps:
                # DOMAIN.md: the other leg is a compensation complaint; a limp is a limp.
                holds, sources[code] = False, SOURCE_OTHER_LEG
        else:
            holds = readiness.get(code) is True
        (met if holds else unmet).append(code)
    # Listed only when it holds the patient back: the criteria of DOMAIN.md stay the list.
    if (
        step in EXIT_CRITERIA
        and days_in_step is not None
        and days_in_step < settings.min_days_in_step(step)
    ):
        unmet.append(MIN_TIME_IN_STEP)
    if step == 4 and earliest_return is not None and today is not None and today < earliest_return:
        unmet.append(RETURN_TO_RUN_WINDOW)
    return ExitCheck(met=met, unmet=unmet, sources=sources)


# --- 3. Training load --------------------------------------------------------------------

LOAD_WINDOW = datetime.timedelta(days=7)
DOSAGE_FIELDS = ("sets", "reps", "hold_seconds", "minutes", "times_per_week", "load_kg")


def weekly_load(dosage: Mapping[str, object], *, dimensions: Sequence[str]) -> Decimal:
    """Weekly training load as the product of the dosage's dimensions (sets × reps ×
    hold seconds × minutes × times a week × kg). Only ``dimensions`` count, so load is
    compared like with like."""
    total = Decimal(1)
    for name in dimensions:
        total *= Decimal(str(dosage[name]))
    return total


def _active(dosages: Sequence[Mapping[str, object]]) -> list[Mapping[str, object]]:
    # A stopped prescription carries no load (recorded as is_active false).
    return [d for d in dosages if d.get("is_active", True) is not False]


def group_load_increase(
    before: Sequence[Mapping[str, object]], after: Sequence[Mapping[str, object]]
) -> Decimal | None:
    """The relative change of the summed weekly load of several prescriptions (one
    exercise's rows, or one category's) from ``before`` to ``after`` (0.25 = +25%), or
    None when they cannot be compared.

    Only dimensions set in every dosage count: adding a first weight to a body-weight
    exercise, or switching from repetitions to holds, is a change of exercise form the
    clinician decides on, not a measurable increase. Nothing before and something now is
    an infinite increase (a load from nothing).
    """
    old_rows, new_rows = _active(before), _active(after)
    rows = [*old_rows, *new_rows]
    if not new_rows:
        return None
    dimensions = [
        name for name in DOSAGE_FIELDS if all(row.get(name) not in (None, "") for row in rows)
    ]
    if not dimensions:
        return None
    old = sum((weekly_load(r, dimensions=dimensions) for r in old_rows), Decimal(0))
    new = sum((weekly_load(r, dimensions=dimensions) for r in new_rows), Decimal(0))
    if old == 0:
        return None if new == 0 else Decimal("Infinity")
    return (new - old) / old


def weight_not_comparable(dosages: Sequence[Mapping[str, object]]) -> bool:
    """Whether some of the dosages in use carry a weight and others do not. A missing
    weight is not a reset of the load: without it the weekly loads cannot be compared, so
    such a change needs the clinician's override (DOMAIN.md: at most 10% a week)."""
    with_weight = {row.get("load_kg") not in (None, "") for row in _active(dosages)}
    return len(with_weight) > 1


def load_increase(before: Mapping[str, object], after: Mapping[str, object]) -> Decimal | None:
    """The relative change of one dosage's weekly load (see ``group_load_increase``)."""
    return group_load_increase([before], [after])


def load_increase_too_large(
    before: Mapping[str, object],
    after: Mapping[str, object],
    *,
    settings: RuleSettings = DEFAULTS,
) -> bool:
    change = load_increase(before, after)
    return change is not None and change > settings.max_weekly_load_increase


# Prescribing rules a clinician may set aside only with a written reason.
LOAD_INCREASE_TOO_LARGE = ProgramErrorCode.LOAD_INCREASE_TOO_LARGE
EXERCISE_NOT_FOR_STEP = ProgramErrorCode.EXERCISE_NOT_FOR_STEP
SESSIONS_OUTSIDE_STEP_RANGE = ProgramErrorCode.SESSIONS_OUTSIDE_STEP_RANGE


def prescription_step_problems(
    *, exercise_steps: Sequence[int], step: int, times_per_week: int, settings: RuleSettings
) -> dict[str, str]:
    """Rule code → why, for a prescription outside what its step asks: an exercise the
    library does not give for this step, or sessions a week outside the step's range
    (strength 3–4×, self-sufficiency 2–3×)."""
    problems: dict[str, str] = {}
    if exercise_steps and step not in exercise_steps:
        suits = ", ".join(str(s) for s in sorted(exercise_steps))
        problems[EXERCISE_NOT_FOR_STEP] = gettext(
            "The exercise suits steps %(suits)s, not step %(step)s."
        ) % {"suits": suits, "step": step}
    sessions = settings.sessions_per_week(step)
    if sessions and not sessions[0] <= times_per_week <= sessions[1]:
        low, high = sessions
        problems[SESSIONS_OUTSIDE_STEP_RANGE] = gettext(
            "%(times)s× a week is outside step %(step)s's %(low)s–%(high)s× a week."
        ) % {"times": times_per_week, "step": step, "low": low, "high": high}
    return problems


# --- 4. Rules on one check-in -------------------------------------------------------------

STOP_SIGNAL = EscalationRule.STOP_SIGNAL
HIGH_PAIN_DURING_ACTIVITY = EscalationRule.HIGH_PAIN_DURING_ACTIVITY
PAIN_INCREASING_WITH_ACTIVITY = EscalationRule.PAIN_INCREASING_WITH_ACTIVITY
EXERCISE_PAIN_OVER_HOUR = "exercise_pain_over_hour"
NEXT_DAY_PAIN = "next_day_pain"
COMPENSATION_COMPLAINTS = EscalationRule.COMPENSATION_COMPLAINTS
SUSPECTED_GRADE_3 = EscalationRule.SUSPECTED_GRADE_3
PAIN_TREND_RISING = EscalationRule.PAIN_TREND_RISING
NO_PROGRESS = EscalationRule.NO_PROGRESS
CHRONIC_NO_IMPROVEMENT = EscalationRule.CHRONIC_NO_IMPROVEMENT
NO_CLEAR_IMPROVEMENT_REVIEW = "no_clear_improvement_review"

# Alerts shown to the patient with advice that open no escalation (API.md, "Codes").
ADVISORY_ALERTS = frozenset({EXERCISE_PAIN_OVER_HOUR, NEXT_DAY_PAIN, NO_CLEAR_IMPROVEMENT_REVIEW})
# Every alert a check-in can raise.
CHECK_IN_ALERT_CODES = (
    SUSPECTED_GRADE_3,
    EscalationRule.SEVERE_PAIN_NOW,
    STOP_SIGNAL,
    HIGH_PAIN_DURING_ACTIVITY,
    PAIN_INCREASING_WITH_ACTIVITY,
    EscalationRule.LIMP_WITH_PAIN,
    EscalationRule.WALKING_LOAD_JUMP,
    EscalationRule.PERSISTENT_PAIN_AFTER_REST,
    COMPENSATION_COMPLAINTS,
    EXERCISE_PAIN_OVER_HOUR,
    NEXT_DAY_PAIN,
    PAIN_TREND_RISING,
    NO_PROGRESS,
    CHRONIC_NO_IMPROVEMENT,
    NO_CLEAR_IMPROVEMENT_REVIEW,
)


COMPLAINT_AREAS = ("back", "knee", "other_leg")
COMPLAINT_NAMES = {"back": "low back", "knee": "knee", "other_leg": "the other leg"}


@dataclass(frozen=True)
class Alert:
    code: str
    reason: str
    # The answers and thresholds the rule read (DOMAIN.md: every flag is explainable).
    inputs: Mapping[str, object] = field(default_factory=dict)

    @property
    def escalates(self) -> bool:
        return self.code not in ADVISORY_ALERTS


@dataclass(frozen=True)
class CheckInReport:
    """The fields of a check-in the rules read. None is "not answered": a rule that needs
    the answer is then neither fired nor silenced by a guess; ``not_answered`` says which
    rules could not be judged."""

    pain_now: int
    pain_activity: int
    pain_character: str  # sharp / dull
    pain_course: str  # increasing / stable / decreasing
    next_day_pain: bool | None = None
    exercise_pain_over_hour: bool | None = None
    walking_minutes: int | None = None
    walks_without_limp: bool | None = None
    complaints_elsewhere: Sequence[str] = ()

    @classmethod
    def of(cls, check_in: object) -> CheckInReport:
        """The report as the rules read it from a stored check-in (or any such object)."""
        return cls(
            **{
                f: getattr(check_in, f)
                for f in cls.__dataclass_fields__
                if f != "complaints_elsewhere"
            },
            complaints_elsewhere=tuple(getattr(check_in, "complaints_elsewhere", None) or ()),
        )


# The answers each rule reads beyond the pain scores, character and course (always given).
RULE_INPUTS: dict[str, tuple[str, ...]] = {
    SUSPECTED_GRADE_3: ("walking_minutes", "walks_without_limp"),
    EXERCISE_PAIN_OVER_HOUR: ("exercise_pain_over_hour",),
    NEXT_DAY_PAIN: ("next_day_pain",),
}


def not_answered(report: CheckInReport) -> list[dict[str, object]]:
    """The questions left unanswered that a rule reads, with the rules that could not be
    judged for it, in the order of the form."""
    missing: dict[str, list[str]] = {}
    for rule, inputs in RULE_INPUTS.items():
        for name in inputs:
            if getattr(report, name) is None:
                missing.setdefault(name, []).append(rule)
    order = ("next_day_pain", "exercise_pain_over_hour", "walking_minutes", "walks_without_limp")
    return [{"field": name, "rules": missing[name]} for name in order if name in missing]


# Pain at rest from this many days after onset is "pain persisting after 2 weeks" (seed 000).
REST_PAIN_AFTER_DAYS = 14
SEVERE_PAIN_NOW = EscalationRule.SEVERE_PAIN_NOW
LIMP_WITH_PAIN = EscalationRule.LIMP_WITH_PAIN
WALKING_LOAD_JUMP = EscalationRule.WALKING_LOAD_JUMP
PERSISTENT_PAIN_AFTER_REST = EscalationRule.PERSISTENT_PAIN_AFTER_REST
# A jump in minutes walked is judged only from this many minutes on: the first 10-15
# minutes are where walking starts (DOMAIN.md, "Readiness").
WALKING_JUMP_MIN_MINUTES = 5


def unable_to_walk(report: CheckInReport) -> bool:
    """Not walking at all (0 minutes) and not walking without a limp, both answered."""
    return report.walking_minutes == 0 and report.walks_without_limp is False


def check_in_alerts(
    report: CheckInReport,
    *,
    settings: RuleSettings = DEFAULTS,
    days_since_onset: int | None = None,
    previous_walking_minutes: int | None = None,
) -> list[Alert]:
    """The rules of DOMAIN.md applied to one check-in, most serious first. Every alert
    names its rule (``code``) and the answers it read (``inputs``).

    - suspected_grade_3: unable to walk (0 minutes walked and limping, both answered),
      whatever the pain: DOMAIN.md lists "unable to walk" on its own. A check-in cannot
      hear a snap; it asks for an urgent look, not a diagnosis.
    - severe_pain_now: pain now at or above ``grade_3_min_pain_now``, whatever its
      character or course (8/10 at rest is never "keep going").
    - stop_signal: sharp, stabbing pain (DOMAIN.md "Pain: sharp, stabbing … a stop
      signal"), whatever its course; any sharp pain above 0 counts.
    - high_pain_during_activity: pain during activity at or above
      ``high_pain_during_activity``, whatever its character.
    - pain_increasing_with_activity: dull pain that still increases during activity. Dull
      pain that stays the same or decreases is acceptable discomfort; sharp pain is the
      stop signal instead, so one report never raises both.
    - limp_with_pain: walking with a limp and any pain (now or during activity); a limp is
      the first readiness criterion, and pain with it is not discomfort to train through.
    - walking_load_jump: minutes walked grew more than the clinic's weekly load increase
      on the previous check-in (and by at least ``WALKING_JUMP_MIN_MINUTES``): load grows
      by at most 10% a week.
    - persistent_pain_after_rest: pain now above 0 from ``REST_PAIN_AFTER_DAYS`` days after
      onset (seed 000: pain persisting after 2 weeks of rest).
    - compensation_complaints: any new complaint in the low back, knee or other leg.
    - exercise_pain_over_hour, next_day_pain: advisory; the patient is told to adjust.
    """
    alerts: list[Alert] = []
    pain = max(report.pain_now, report.pain_activity)
    sharp = report.pain_character == "sharp" and pain > 0
    increasing = report.pain_course == "increasing"
    scores = {
        "pain_now": report.pain_now,
        "pain_activity": report.pain_activity,
        "pain_character": report.pain_character,
        "pain_course": report.pain_course,
    }
    walking = {
        "walking_minutes": report.walking_minutes,
        "walks_without_limp": report.walks_without_limp,
    }
    if unable_to_walk(report):
        alerts.append(
            Alert(
                SUSPECTED_GRADE_3,
                f"{report.pain_character.capitalize()} pain {report.pain_now}/10 now and unable "
                "to walk (0 minutes walked, limping): possible rupture.",
                {**scores, **walking},
            )
        )
    if report.pain_now >= settings.grade_3_min_pain_now:
        alerts.append(
            Alert(
                SEVERE_PAIN_NOW,
                f"Pain now {report.pain_now}/10 (flagged from {settings.grade_3_min_pain_now}/10), "
                f"{report.pain_character}, {report.pain_course}.",
                {**scores, "grade_3_min_pain_now": settings.grade_3_min_pain_now},
            )
        )
    if sharp:
        alerts.append(
            Alert(
                STOP_SIGNAL,
                f"Sharp pain during activity ({report.pain_activity}/10, "
                f"{report.pain_course}; now {report.pain_now}/10).",
                scores,
            )
        )
    if report.pain_activity >= settings.high_pain_during_activity:
        alerts.append(
            Alert(
                HIGH_PAIN_DURING_ACTIVITY,
                f"Pain during activity {report.pain_activity}/10 (flagged from "
                f"{settings.high_pain_during_activity}/10), {report.pain_character}.",
                {**scores, "high_pain_during_activity": settings.high_pain_during_activity},
            )
        )
    if increasing and not sharp:
        alerts.append(
            Alert(
                PAIN_INCREASING_WITH_ACTIVITY,
                f"Dull pain increasing during activity ({report.pain_activity}/10).",
                scores,
            )
        )
    if report.walks_without_limp is False and pain > 0 and not unable_to_walk(report):
        alerts.append(
            Alert(
                LIMP_WITH_PAIN,
                f"Walking with a limp ({report.walking_minutes} minutes) and pain "
                f"{report.pain_now}/10 now, {report.pain_activity}/10 during activity.",
                {**scores, **walking},
            )
        )
    if (
        report.walking_minutes is not None
        and previous_walking_minutes is not None
        and report.walking_minutes - previous_walking_minutes >= WALKING_JUMP_MIN_MINUTES
        and report.walking_minutes
        > previous_walking_minutes * (1 + settings.max_weekly_load_increase)
    ):
        alerts.append(
            Alert(
                WALKING_LOAD_JUMP,
                f"Walking went from {previous_walking_minutes} to {report.walking_minutes} "
                f"minutes since the previous check-in (at most "
                f"{settings.max_weekly_load_increase_percent}% a week).",
                {
                    "walking_minutes": report.walking_minutes,
                    "previous_walking_minutes": previous_walking_minutes,
                    "max_weekly_load_increase_percent": (settings.max_weekly_load_increase_percent),
                },
            )
        )
    if (
        days_since_onset is not None
        and days_since_onset >= REST_PAIN_AFTER_DAYS
        and report.pain_now > 0
    ):
        alerts.append(
            Alert(
                PERSISTENT_PAIN_AFTER_REST,
                f"Pain at rest ({report.pain_now}/10) {days_since_onset} days after onset: "
                "pain persisting after two weeks needs a clinician's review.",
                {"pain_now": report.pain_now, "days_since_onset": days_since_onset},
            )
        )
    areas = [a for a in COMPLAINT_AREAS if a in set(report.complaints_elsewhere)]
    if areas:
        alerts.append(
            Alert(
                COMPENSATION_COMPLAINTS,
                "New complaints elsewhere: " + ", ".join(COMPLAINT_NAMES[a] for a in areas) + ".",
                {"complaints_elsewhere": areas},
            )
        )
    if report.exercise_pain_over_hour:
        alerts.append(
            Alert(
                EXERCISE_PAIN_OVER_HOUR,
                "Exercise pain lasted longer than one hour.",
                {"exercise_pain_over_hour": True},
            )
        )
    if report.next_day_pain:
        alerts.append(
            Alert(
                NEXT_DAY_PAIN,
                "Pain or stiffness the day after activity.",
                {"next_day_pain": True},
            )
        )
    return alerts


@dataclass(frozen=True)
class CheckInDecision:
    """What one check-in leads to: the alerts (each naming its rule and inputs), and the
    advice the patient gets."""

    alerts: list[Alert]
    advice_codes: list[str]

    @property
    def alert_codes(self) -> list[str]:
        return [a.code for a in self.alerts]


def check_in_decision(
    report: CheckInReport,
    *,
    history: Sequence[PainPoint] = (),
    days_since_onset: int | None = None,
    previous_walking_minutes: int | None = None,
    escalation_standing: bool = False,
    settings: RuleSettings = DEFAULTS,
) -> CheckInDecision:
    """The one decision over a check-in: every combination of answers, with the program's
    state (days since onset, the patient's earlier check-ins, whether an escalation is
    still unresolved), has a defined outcome. The single rules, the trend rules and the
    advice all come from here; ``keep_going`` only when no rule fired and nothing is
    still with the clinician."""
    alerts = check_in_alerts(
        report,
        settings=settings,
        days_since_onset=days_since_onset,
        previous_walking_minutes=previous_walking_minutes,
    )
    if history:
        alerts += trend_alerts(history, days_since_onset=days_since_onset, settings=settings)
    codes = [a.code for a in alerts]
    return CheckInDecision(
        alerts=alerts,
        advice_codes=advice_codes_for(codes, escalation_standing=escalation_standing),
    )


# --- 5. Trend rules -------------------------------------------------------------------------


@dataclass(frozen=True)
class PainPoint:
    """One check-in as the trend rules see it."""

    at: datetime.datetime
    pain_now: int
    pain_activity: int


SCORE_NAMES = {"pain_now": "pain now", "pain_activity": "pain during activity"}


def _improved(baseline: PainPoint, latest: PainPoint, *, settings: RuleSettings) -> bool:
    """Clear improvement: pain at rest or during activity down by at least the minimal
    important change, or no pain left. Pain-free at the baseline has nothing to improve."""
    if baseline.pain_now == 0 and baseline.pain_activity == 0:
        return True
    if latest.pain_now == 0 and latest.pain_activity == 0:
        return True
    at_rest = clearly_lower(baseline.pain_now, latest.pain_now, settings=settings)
    return at_rest or clearly_lower(baseline.pain_activity, latest.pain_activity, settings=settings)


def _no_improvement_over(
    points: Sequence[PainPoint], span: datetime.timedelta, *, settings: RuleSettings
) -> tuple[PainPoint, PainPoint] | None:
    """(baseline, latest) when the latest check-in shows no clear improvement on the most
    recent check-in at least ``span`` before it."""
    if len(points) < 2:
        return None
    latest = points[-1]
    earlier = [p for p in points[:-1] if latest.at - p.at >= span]
    if not earlier:
        return None
    baseline = earlier[-1]
    return None if _improved(baseline, latest, settings=settings) else (baseline, latest)


def _rising(points: Sequence[PainPoint], score: str, count: int) -> list[int] | None:
    last = [getattr(p, score) for p in points[-count:]]
    if len(last) == count and all(a < b for a, b in zip(last, last[1:], strict=False)):
        return last
    return None


def trend_alerts(
    history: Sequence[PainPoint],
    *,
    days_since_onset: int | None = None,
    settings: RuleSettings = DEFAULTS,
) -> list[Alert]:
    """Trend rules over a patient's check-ins (the newest included), oldest first or not.

    - pain_trend_rising: pain now or pain during activity rose strictly over the last
      ``trend_rising_check_ins`` check-ins (3 < 4 < 5); equal values are not a rise.
    - chronic_no_improvement / no_clear_improvement_review: time is counted in days from
      the injury's onset to the newest check-in (``days_since_onset``, clinic dates; not
      from the first check-in). The newest check-in shows no clear
      improvement (a drop of at least ``minimal_important_change`` in either score, or no
      pain left) on the first report of the injury, or there is no earlier report to show
      it. More than ``chronic_review_after_days`` after onset it is shown for review
      (advisory); more than ``chronic_escalate_after_days`` it escalates (seed 001:
      complaints longer than 4–6 weeks without clear improvement). Without a known onset
      the first check-in stands in for it.
    - no_progress: no clear improvement on the check-in at least ``no_progress_after_days``
      before the newest ("good rehab shows progress week over week"). A chronic finding
      includes it, so only the chronic one is raised then.
    """
    points = sorted(history, key=lambda p: p.at)
    if not points:
        return []
    alerts: list[Alert] = []
    count = settings.trend_rising_check_ins
    rising = {
        score: values
        for score in ("pain_now", "pain_activity")
        if (values := _rising(points, score, count))
    }
    if rising:
        alerts.append(
            Alert(
                PAIN_TREND_RISING,
                f"Rising over the last {count} check-ins: "
                + "; ".join(
                    f"{SCORE_NAMES[score]} " + " → ".join(str(v) for v in values)
                    for score, values in rising.items()
                )
                + ".",
                {"rising": rising, "trend_rising_check_ins": count},
            )
        )
    latest, first = points[-1], points[0]
    onset_known = days_since_onset is not None
    days = days_since_onset if onset_known else (latest.at - first.at).total_seconds() / 86400
    baseline = first if first is not latest else None
    no_clear_improvement = (latest.pain_now > 0 or latest.pain_activity > 0) and not (
        baseline and _improved(baseline, latest, settings=settings)
    )
    if no_clear_improvement and days > settings.chronic_review_after_days:
        since = "onset" if onset_known else "the first check-in (onset unknown)"
        compared = (
            f"{baseline.pain_now}/10 now and {baseline.pain_activity}/10 during activity on "
            f"{baseline.at:%Y-%m-%d}"
            if baseline
            else "no earlier report to show improvement"
        )
        reason = (
            f"{int(days)} days since {since} without clear improvement (at least "
            f"{settings.minimal_important_change} points): {latest.pain_now}/10 now and "
            f"{latest.pain_activity}/10 during activity, {compared}."
        )
        inputs = {
            "days_since_onset": int(days),
            "pain_now": latest.pain_now,
            "pain_activity": latest.pain_activity,
            "baseline": [baseline.pain_now, baseline.pain_activity] if baseline else None,
            "minimal_important_change": settings.minimal_important_change,
        }
        if days > settings.chronic_escalate_after_days:
            alerts.append(Alert(CHRONIC_NO_IMPROVEMENT, reason, inputs))
            return alerts
        alerts.append(Alert(NO_CLEAR_IMPROVEMENT_REVIEW, reason, inputs))
    stalled = _no_improvement_over(
        points, datetime.timedelta(days=settings.no_progress_after_days), settings=settings
    )
    if stalled:
        baseline, latest = stalled
        alerts.append(
            Alert(
                NO_PROGRESS,
                f"No clear improvement in {settings.no_progress_after_days} days or more: "
                f"pain {latest.pain_now}/10 now, {baseline.pain_now}/10 on "
                f"{baseline.at:%Y-%m-%d}.",
                {
                    "pain_now": latest.pain_now,
                    "baseline_pain_now": baseline.pain_now,
                    "no_progress_after_days": settings.no_progress_after_days,
                },
            )
        )
    return alerts


# --- 6. Advice for the patient -----------------------------------------------------------

KEEP_GOING = "keep_going"
# No alert on this check-in, but an earlier one is still with the clinician: never "keep going".
UNDER_REVIEW = "under_review"

ADVICE: dict[str, dict[str, str]] = {
    # When the location's opening hours are known, ``suspected_grade_3_advice`` says when
    # someone will call; this is the text without them (it promises no time).
    SUSPECTED_GRADE_3: {
        "en": (
            "Severe sharp pain and not being able to walk can mean a serious tear. Rest the "
            "leg and do not train. Your physiotherapist has been alerted and will contact "
            "you as soon as the clinic is open. Meanwhile, with severe pain or if you cannot "
            "walk, call your GP, or outside office hours the GP's out-of-hours service "
            "(huisartsenpost); in an emergency, call 112."
        ),
        "nl": (
            "Hevige, scherpe pijn en niet kunnen lopen kan wijzen op een ernstige scheur. "
            "Laat het been rusten en train niet. Je fysiotherapeut is gewaarschuwd en neemt "
            "contact met je op zodra de praktijk open is. Heb je intussen hevige pijn of kun "
            "je niet lopen, bel dan je huisarts, of buiten kantoortijden de huisartsenpost; "
            "bel in een noodgeval 112."
        ),
    },
    SEVERE_PAIN_NOW: {
        "en": (
            "That much pain, even at rest, needs your physiotherapist to look at it. Rest "
            "the leg and do not train for now; your physiotherapist has been notified."
        ),
        "nl": (
            "Zoveel pijn, ook in rust, moet je fysiotherapeut bekijken. Laat het been rusten "
            "en train voorlopig niet; je fysiotherapeut is op de hoogte gebracht."
        ),
    },
    LIMP_WITH_PAIN: {
        "en": (
            "Walking with a limp and pain means the leg is not ready for this yet. Walk "
            "less, and only as far as you can without limping; your physiotherapist will "
            "look at it with you."
        ),
        "nl": (
            "Mank lopen met pijn betekent dat het been hier nog niet klaar voor is. Loop "
            "minder, en alleen zo ver als je zonder mank te lopen kunt; je fysiotherapeut "
            "kijkt er met je naar."
        ),
    },
    WALKING_LOAD_JUMP: {
        "en": (
            "You walked much more than last time. Build up by no more than 10% a week; "
            "your physiotherapist will look at your walking plan with you."
        ),
        "nl": (
            "Je hebt veel meer gelopen dan de vorige keer. Bouw op met niet meer dan 10% per "
            "week; je fysiotherapeut bekijkt je loopschema met je."
        ),
    },
    PERSISTENT_PAIN_AFTER_REST: {
        "en": (
            "Pain that persists more than two weeks after the injury should be looked at. "
            "Your physiotherapist has been notified and will review it with you."
        ),
        "nl": (
            "Pijn die meer dan twee weken na de blessure aanhoudt, moet bekeken worden. Je "
            "fysiotherapeut is op de hoogte gebracht en bespreekt het met je."
        ),
    },
    STOP_SIGNAL: {
        "en": (
            "Sharp, stabbing pain is a stop signal. Stop this activity for now and contact "
            "your physiotherapist, who has been notified and will help you adjust your "
            "exercises."
        ),
        "nl": (
            "Scherpe, stekende pijn is een stopsignaal. Stop voorlopig met deze activiteit "
            "en neem contact op met je fysiotherapeut; die is op de hoogte gebracht en helpt "
            "je de oefeningen aan te passen."
        ),
    },
    HIGH_PAIN_DURING_ACTIVITY: {
        "en": (
            "That much pain during activity is more than your exercises should cause. Stop "
            "or lower the load for now; your physiotherapist has been notified and will "
            "adjust your program with you."
        ),
        "nl": (
            "Zoveel pijn tijdens het bewegen is meer dan je oefeningen mogen geven. Stop of "
            "verlaag de belasting voorlopig; je fysiotherapeut is op de hoogte gebracht en "
            "past je programma samen met je aan."
        ),
    },
    PAIN_INCREASING_WITH_ACTIVITY: {
        "en": (
            "A dull, pulling feeling is fine as long as it stays the same or fades. Yours "
            "increased during activity, so take it a step easier: shorter, lighter or a "
            "smaller range. Your physiotherapist will look at it with you."
        ),
        "nl": (
            "Een doffe, trekkende sensatie is prima zolang die gelijk blijft of afneemt. Bij "
            "jou nam die toe tijdens het bewegen, dus doe het wat rustiger aan: korter, "
            "lichter of met een kleinere beweging. Je fysiotherapeut kijkt er met je naar."
        ),
    },
    COMPENSATION_COMPLAINTS: {
        "en": (
            "New complaints in your back, knee or other leg can mean you are moving "
            "differently to spare the injured leg. Your physiotherapist will check your "
            "movement pattern with you."
        ),
        "nl": (
            "Nieuwe klachten in je rug, knie of andere been kunnen betekenen dat je anders "
            "beweegt om het geblesseerde been te sparen. Je fysiotherapeut bekijkt je "
            "bewegingspatroon samen met je."
        ),
    },
    EXERCISE_PAIN_OVER_HOUR: {
        "en": (
            "Pain that lasts longer than an hour after exercising means the dose was a bit "
            "too much. Next time lower the intensity or the range of motion."
        ),
        "nl": (
            "Pijn die langer dan een uur na het oefenen aanhoudt, betekent dat het net te "
            "veel was. Verlaag de volgende keer de intensiteit of de bewegingsuitslag."
        ),
    },
    NEXT_DAY_PAIN: {
        "en": (
            "Pain or stiffness the day after is a sign of delayed overload. Take it easier "
            "at your next session and build up more gradually."
        ),
        "nl": (
            "Pijn of stijfheid de dag erna is een teken van vertraagde overbelasting. Doe "
            "het bij je volgende training rustiger aan en bouw geleidelijker op."
        ),
    },
    PAIN_TREND_RISING: {
        "en": (
            "Your pain has gone up over your last few check-ins. Your physiotherapist has "
            "been notified and will review your program with you."
        ),
        "nl": (
            "Je pijn is bij je laatste check-ins steeds toegenomen. Je fysiotherapeut is op "
            "de hoogte gebracht en bespreekt je programma met je."
        ),
    },
    NO_PROGRESS: {
        "en": (
            "Your pain has not improved for a couple of weeks. Recovery is not always a "
            "straight line, and your physiotherapist will look at what to adjust."
        ),
        "nl": (
            "Je pijn is al een paar weken niet verbeterd. Herstel gaat niet altijd in een "
            "rechte lijn; je fysiotherapeut kijkt wat er aangepast kan worden."
        ),
    },
    CHRONIC_NO_IMPROVEMENT: {
        "en": (
            "Your complaints have lasted more than six weeks without clear improvement. "
            "Your physiotherapist will review your situation and discuss the next steps."
        ),
        "nl": (
            "Je klachten duren al langer dan zes weken zonder duidelijke verbetering. Je "
            "fysiotherapeut bekijkt je situatie en bespreekt de volgende stappen met je."
        ),
    },
    NO_CLEAR_IMPROVEMENT_REVIEW: {
        "en": (
            "Your complaints have lasted a few weeks without clear improvement. Recovery is "
            "not always a straight line; your physiotherapist will review your progress at "
            "your next contact."
        ),
        "nl": (
            "Je klachten duren al een paar weken zonder duidelijke verbetering. Herstel gaat "
            "niet altijd in een rechte lijn; je fysiotherapeut bekijkt je voortgang bij het "
            "volgende contact."
        ),
    },
    UNDER_REVIEW: {
        "en": (
            "Thank you for checking in. Your physiotherapist is still looking into an "
            "earlier report; follow their advice and do not increase your load until you "
            "have heard from them."
        ),
        "nl": (
            "Dank je voor je check-in. Je fysiotherapeut kijkt nog naar een eerdere melding; "
            "volg het advies dat je kreeg en verhoog je belasting niet tot je van hem of "
            "haar gehoord hebt."
        ),
    },
    KEEP_GOING: {
        "en": (
            "Thank you for checking in. Keep going: build up gradually, by no more than 10% "
            "a week, and sleep 7 to 9 hours to help your recovery."
        ),
        "nl": (
            "Dank je voor je check-in. Ga zo door: bouw rustig op, met niet meer dan 10% per "
            "week, en slaap 7 tot 9 uur om je herstel te helpen."
        ),
    },
}


def advice_codes_for(alert_codes: Sequence[str], *, escalation_standing: bool = False) -> list[str]:
    """Which advice a check-in gets: one per alert; "keep going" only when no alert fired
    and none of the patient's escalations is still unresolved."""
    codes = [c for c in alert_codes if c in ADVICE and c not in (KEEP_GOING, UNDER_REVIEW)]
    if codes:
        return codes
    return [KEEP_GOING] if not alert_codes and not escalation_standing else [UNDER_REVIEW]


def _day_name(day: datetime.date, today: datetime.date) -> str:
    names = [
        gettext("Monday"),
        gettext("Tuesday"),
        gettext("Wednesday"),
        gettext("Thursday"),
        gettext("Friday"),
        gettext("Saturday"),
        gettext("Sunday"),
    ]
    name = names[day.weekday()]
    # Within a week the weekday is unambiguous; further ahead (a holiday) the date is added.
    return name if (day - today).days < 7 else f"{name} {day.isoformat()}"


def suspected_grade_3_advice(language: str, opening: Opening, *, now: datetime.datetime) -> str:
    """The suspected-grade-3 advice, honest about when someone calls: "today" only while the
    location is open (``opening`` at ``now``), else the next opening day and time in clinic
    time; and always what to do meanwhile (the GP, the huisartsenpost, 112)."""
    lang = language if language in ("nl", "en") else "en"
    if not opening.open_now and opening.at is None:
        return ADVICE[SUSPECTED_GRADE_3][lang]
    with override(lang):
        parts = [
            gettext(
                "Severe sharp pain and not being able to walk can mean a serious tear. Rest "
                "the leg and do not train."
            )
        ]
        if opening.open_now:
            parts.append(
                gettext("Your physiotherapist has been alerted and will contact you today.")
            )
        else:
            today = now.astimezone(opening.at.tzinfo).date()
            time = opening.at.strftime("%H:%M")
            if opening.at.date() == today:
                parts.append(
                    gettext(
                        "Your physiotherapist has been alerted and will contact you today from "
                        "%(time)s, when the clinic opens."
                    )
                    % {"time": time}
                )
            else:
                parts.append(
                    gettext(
                        "Your physiotherapist has been alerted and will contact you on %(day)s "
                        "from %(time)s, when the clinic opens."
                    )
                    % {"day": _day_name(opening.at.date(), today), "time": time}
                )
        parts.append(
            gettext(
                "Meanwhile, with severe pain or if you cannot walk, call your GP, or outside "
                "office hours the GP's out-of-hours service (huisartsenpost); in an "
                "emergency, call 112."
            )
        )
        return " ".join(parts)


def advice_texts(
    codes: Sequence[str],
    language: str,
    *,
    opening: Opening | None = None,
    now: datetime.datetime | None = None,
) -> list[dict[str, str]]:
    """The advice for ``codes``; ``opening`` (the location at ``now``, the check-in's time)
    lets the suspected-grade-3 advice say when someone will call."""
    lang = language if language in ("nl", "en") else "en"

    def text(code: str) -> str:
        if code == SUSPECTED_GRADE_3 and opening is not None and now is not None:
            return suspected_grade_3_advice(lang, opening, now=now)
        return ADVICE[code][lang]

    return [{"code": code, "text": text(code)} for code in codes if code in ADVICE]


def advice_for(
    alert_codes: Sequence[str], language: str, *, escalation_standing: bool = False
) -> list[dict[str, str]]:
    """Advice for each alert, in the patient's language; encouragement when none fired."""
    return advice_texts(
        advice_codes_for(alert_codes, escalation_standing=escalation_standing), language
    )
