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
from dataclasses import dataclass
from decimal import Decimal

from escalations.catalogue import EscalationRule

# --- 1. Check-in rhythm -----------------------------------------------------------------

# Early on pain changes quickly, so the patient reports more often; once strength work
# settles the rhythm slows, and in self-sufficiency a weekly report is enough. A clinician
# may set another rhythm on the program; it then stays as set.
CHECK_IN_EVERY_DAYS_BY_STEP: dict[int, int] = {
    1: 2,  # analysis
    2: 2,  # pain reduction
    3: 3,  # movement optimisation
    4: 3,  # strength building
    5: 7,  # self-sufficiency
}


def check_in_every_days_for(step: int) -> int:
    return CHECK_IN_EVERY_DAYS_BY_STEP[step]


# --- 2. Exit criteria ------------------------------------------------------------------

ASSESSMENT_EXISTS = "assessment_exists"
STRENGTH_SYMMETRY_MIN_PERCENT = 90

# DOMAIN.md, "Suggested exit criteria": the codes that must hold to leave each step.
EXIT_CRITERIA: dict[int, tuple[str, ...]] = {
    1: (ASSESSMENT_EXISTS,),
    2: ("walks_without_limp", "no_pain_daily_movements"),
    3: ("full_knee_extension", "no_tenderness"),
    4: ("strength_symmetry_percent", "single_leg_hop", "sprint_drills"),
}

CRITERION_REASONS: dict[str, str] = {
    ASSESSMENT_EXISTS: "An assessment of this injury has been recorded.",
    "walks_without_limp": "Walks without limping.",
    "no_pain_daily_movements": "No pain in daily movements.",
    "full_knee_extension": "The knee extends fully without sharp pain.",
    "no_tenderness": "The hamstring is not tender to touch.",
    "strength_symmetry_percent": (
        f"Strength at least {STRENGTH_SYMMETRY_MIN_PERCENT}% of the other leg."
    ),
    "single_leg_hop": "Single-leg hop is pain-free.",
    "sprint_drills": "Sprint-specific drills are pain-free.",
}


@dataclass(frozen=True)
class Observation:
    """A readiness finding and when it was made."""

    value: object
    at: datetime.datetime


@dataclass(frozen=True)
class ExitCheck:
    met: list[str]
    unmet: list[str]

    @property
    def passed(self) -> bool:
        return not self.unmet


def step_exit_check(
    *,
    step: int,
    assessment_readiness: Mapping[str, object] | None,
    assessment_at: datetime.datetime | None,
    latest_check_in_walks_without_limp: bool | None = None,
    latest_check_in_at: datetime.datetime | None = None,
) -> ExitCheck:
    """Which exit criteria of ``step`` hold, judged on the latest assessment.

    ``walks_without_limp`` is also reported by the patient in every check-in. The newer of
    the two observations counts: a patient who limped at the assessment but reports walking
    without a limp since may move on, and a new limp after the assessment holds them back.
    Every other criterion needs the clinician's assessment. Step 5 has no exit: it ends
    with ``complete``.
    """
    criteria = EXIT_CRITERIA.get(step, ())
    readiness = dict(assessment_readiness or {})
    met: list[str] = []
    unmet: list[str] = []
    for code in criteria:
        if code == ASSESSMENT_EXISTS:
            holds = assessment_at is not None
        elif code == "strength_symmetry_percent":
            percent = readiness.get(code)
            holds = (
                isinstance(percent, int | float | Decimal)
                and not isinstance(percent, bool)
                and percent >= STRENGTH_SYMMETRY_MIN_PERCENT
            )
        elif code == "walks_without_limp":
            observations = []
            if assessment_at is not None and code in readiness:
                observations.append(Observation(readiness[code] is True, assessment_at))
            if latest_check_in_at is not None and latest_check_in_walks_without_limp is not None:
                observations.append(
                    Observation(latest_check_in_walks_without_limp, latest_check_in_at)
                )
            newest = max(observations, key=lambda o: o.at, default=None)
            holds = newest is not None and newest.value is True
        else:
            holds = readiness.get(code) is True
        (met if holds else unmet).append(code)
    return ExitCheck(met=met, unmet=unmet)


# --- 3. Training load --------------------------------------------------------------------

MAX_WEEKLY_LOAD_INCREASE = Decimal("0.10")  # DOMAIN.md: training load +10% a week at most
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


def load_increase(before: Mapping[str, object], after: Mapping[str, object]) -> Decimal | None:
    """The relative change of weekly load from ``before`` to ``after`` (0.25 = +25%), or
    None when they cannot be compared.

    Only dimensions set in both count: adding a first weight to a body-weight exercise, or
    switching from repetitions to holds, is a change of exercise form the clinician decides
    on, not a measurable increase.
    """
    dimensions = [
        name
        for name in DOSAGE_FIELDS
        if before.get(name) not in (None, "") and after.get(name) not in (None, "")
    ]
    if not dimensions:
        return None
    old = weekly_load(before, dimensions=dimensions)
    new = weekly_load(after, dimensions=dimensions)
    if old == 0:
        return None if new == 0 else Decimal("Infinity")
    return (new - old) / old


def load_increase_too_large(before: Mapping[str, object], after: Mapping[str, object]) -> bool:
    change = load_increase(before, after)
    return change is not None and change > MAX_WEEKLY_LOAD_INCREASE


# --- 4. Rules on one check-in -------------------------------------------------------------

STOP_SIGNAL = EscalationRule.STOP_SIGNAL
PAIN_INCREASING_WITH_ACTIVITY = EscalationRule.PAIN_INCREASING_WITH_ACTIVITY
EXERCISE_PAIN_OVER_HOUR = "exercise_pain_over_hour"
NEXT_DAY_PAIN = "next_day_pain"
COMPENSATION_COMPLAINTS = EscalationRule.COMPENSATION_COMPLAINTS
SUSPECTED_GRADE_3 = EscalationRule.SUSPECTED_GRADE_3
PAIN_TREND_RISING = EscalationRule.PAIN_TREND_RISING
NO_PROGRESS = EscalationRule.NO_PROGRESS
CHRONIC_NO_IMPROVEMENT = EscalationRule.CHRONIC_NO_IMPROVEMENT

# Alerts shown to the patient with advice that open no escalation (API.md, "Codes").
ADVISORY_ALERTS = frozenset({EXERCISE_PAIN_OVER_HOUR, NEXT_DAY_PAIN})

# Pain at rest this high, sharp, and not walking at all: the picture of a grade 3 tear in
# the seeds ("walking almost impossible: severe pain, loss of strength").
GRADE_3_MIN_PAIN_NOW = 8

COMPLAINT_AREAS = ("back", "knee", "other_leg")
COMPLAINT_NAMES = {"back": "low back", "knee": "knee", "other_leg": "the other leg"}


@dataclass(frozen=True)
class Alert:
    code: str
    reason: str

    @property
    def escalates(self) -> bool:
        return self.code not in ADVISORY_ALERTS


@dataclass(frozen=True)
class CheckInReport:
    """The fields of a check-in the rules read."""

    pain_now: int
    pain_activity: int
    pain_character: str  # sharp / dull
    pain_course: str  # increasing / stable / decreasing
    next_day_pain: bool = False
    exercise_pain_over_hour: bool = False
    walking_minutes: int = 0
    walks_without_limp: bool = False
    complaints_elsewhere: Sequence[str] = ()


def check_in_alerts(report: CheckInReport) -> list[Alert]:
    """The rules of DOMAIN.md applied to one check-in, most serious first.

    - suspected_grade_3: sharp pain now of 8 or more, not walking at all (0 minutes) and not
      without a limp. A check-in cannot hear a snap; severe sharp pain with inability to walk
      is the sign a patient can report, and it asks for an urgent look, not a diagnosis.
    - stop_signal: sharp pain that increases during activity ("pain" in the seeds' sense).
    - pain_increasing_with_activity: dull pain that still increases during activity. Dull
      pain that stays the same or decreases is acceptable discomfort; when it increases it is
      the "pain that increases with activity" the clinician reviews. Sharp and increasing is
      the stop signal instead, so one report never raises both.
    - compensation_complaints: any new complaint in the low back, knee or other leg.
    - exercise_pain_over_hour, next_day_pain: advisory; the patient is told to adjust.
    """
    alerts: list[Alert] = []
    sharp = report.pain_character == "sharp"
    increasing = report.pain_course == "increasing"
    if (
        sharp
        and report.pain_now >= GRADE_3_MIN_PAIN_NOW
        and report.walking_minutes == 0
        and not report.walks_without_limp
    ):
        alerts.append(
            Alert(
                SUSPECTED_GRADE_3,
                f"Sharp pain {report.pain_now}/10 now and unable to walk: possible rupture.",
            )
        )
    if sharp and increasing:
        alerts.append(
            Alert(
                STOP_SIGNAL,
                f"Sharp pain increasing during activity ({report.pain_activity}/10).",
            )
        )
    elif increasing:
        alerts.append(
            Alert(
                PAIN_INCREASING_WITH_ACTIVITY,
                f"Dull pain increasing during activity ({report.pain_activity}/10).",
            )
        )
    areas = [a for a in COMPLAINT_AREAS if a in set(report.complaints_elsewhere)]
    if areas:
        alerts.append(
            Alert(
                COMPENSATION_COMPLAINTS,
                "New complaints elsewhere: " + ", ".join(COMPLAINT_NAMES[a] for a in areas) + ".",
            )
        )
    if report.exercise_pain_over_hour:
        alerts.append(Alert(EXERCISE_PAIN_OVER_HOUR, "Exercise pain lasted longer than one hour."))
    if report.next_day_pain:
        alerts.append(Alert(NEXT_DAY_PAIN, "Pain or stiffness the day after activity."))
    return alerts


# --- 5. Trend rules -------------------------------------------------------------------------

TREND_RISING_CHECK_INS = 3
NO_PROGRESS_AFTER = datetime.timedelta(weeks=2)
CHRONIC_AFTER = datetime.timedelta(weeks=6)


@dataclass(frozen=True)
class PainPoint:
    """One check-in as the trend rules see it."""

    at: datetime.datetime
    pain_now: int
    pain_activity: int


def _improved(baseline: PainPoint, latest: PainPoint) -> bool:
    # Less pain at rest or during activity is progress; pain-free has nothing to improve.
    if baseline.pain_now == 0 and baseline.pain_activity == 0:
        return True
    return latest.pain_now < baseline.pain_now or latest.pain_activity < baseline.pain_activity


def _no_improvement_over(
    history: Sequence[PainPoint], span: datetime.timedelta, *, strictly_longer: bool
) -> tuple[PainPoint, PainPoint] | None:
    """(baseline, latest) when the latest check-in shows no improvement on the most recent
    check-in at least ``span`` before it (more than ``span`` if ``strictly_longer``)."""
    if len(history) < 2:
        return None
    points = sorted(history, key=lambda p: p.at)
    latest = points[-1]
    earlier = [
        p
        for p in points[:-1]
        if (latest.at - p.at > span if strictly_longer else latest.at - p.at >= span)
    ]
    if not earlier:
        return None
    baseline = earlier[-1]
    return None if _improved(baseline, latest) else (baseline, latest)


def trend_alerts(history: Sequence[PainPoint]) -> list[Alert]:
    """Trend rules over a patient's check-ins (the newest included), oldest first or not.

    - pain_trend_rising: pain now rose strictly over the last three check-ins (3 < 4 < 5);
      equal values are not a rise.
    - chronic_no_improvement: the newest check-in shows no less pain (now or during
      activity) than the most recent check-in more than 6 weeks before it (seed 001:
      complaints longer than six weeks without clear improvement).
    - no_progress: the same over at least 2 weeks ("good rehab shows progress week over
      week"). A chronic finding includes it, so only the chronic one is raised then.
    """
    points = sorted(history, key=lambda p: p.at)
    alerts: list[Alert] = []
    last = points[-TREND_RISING_CHECK_INS:]
    if len(last) == TREND_RISING_CHECK_INS and all(
        a.pain_now < b.pain_now for a, b in zip(last, last[1:], strict=False)
    ):
        alerts.append(
            Alert(
                PAIN_TREND_RISING,
                "Pain now rose over the last three check-ins: "
                + " → ".join(str(p.pain_now) for p in last)
                + ".",
            )
        )
    chronic = _no_improvement_over(points, CHRONIC_AFTER, strictly_longer=True)
    if chronic:
        baseline, latest = chronic
        alerts.append(
            Alert(
                CHRONIC_NO_IMPROVEMENT,
                f"No improvement in more than 6 weeks: pain {latest.pain_now}/10 now, "
                f"{baseline.pain_now}/10 on {baseline.at:%Y-%m-%d}.",
            )
        )
        return alerts
    stalled = _no_improvement_over(points, NO_PROGRESS_AFTER, strictly_longer=False)
    if stalled:
        baseline, latest = stalled
        alerts.append(
            Alert(
                NO_PROGRESS,
                f"No improvement in 2 weeks or more: pain {latest.pain_now}/10 now, "
                f"{baseline.pain_now}/10 on {baseline.at:%Y-%m-%d}.",
            )
        )
    return alerts


# --- 6. Advice for the patient -----------------------------------------------------------

KEEP_GOING = "keep_going"

ADVICE: dict[str, dict[str, str]] = {
    SUSPECTED_GRADE_3: {
        "en": (
            "Severe sharp pain and not being able to walk can mean a serious tear. Rest the "
            "leg and do not train. Your physiotherapist has been alerted and will contact "
            "you today; if you cannot wait, call the clinic or your GP."
        ),
        "nl": (
            "Hevige, scherpe pijn en niet kunnen lopen kan wijzen op een ernstige scheur. "
            "Laat het been rusten en train niet. Je fysiotherapeut is gewaarschuwd en neemt "
            "vandaag contact met je op; kun je niet wachten, bel dan de praktijk of je huisarts."
        ),
    },
    STOP_SIGNAL: {
        "en": (
            "Sharp pain that gets worse while you move is a stop signal. Stop this activity "
            "for now and contact your physiotherapist, who has been notified and will help "
            "you adjust your exercises."
        ),
        "nl": (
            "Scherpe pijn die erger wordt tijdens het bewegen is een stopsignaal. Stop "
            "voorlopig met deze activiteit en neem contact op met je fysiotherapeut; die is "
            "op de hoogte gebracht en helpt je de oefeningen aan te passen."
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


def advice_for(alert_codes: Sequence[str], language: str) -> list[dict[str, str]]:
    """Advice for each alert, in the patient's language; encouragement when none fired."""
    lang = language if language in ("nl", "en") else "en"
    codes = [c for c in alert_codes if c in ADVICE] or [KEEP_GOING]
    return [{"code": code, "text": ADVICE[code][lang]} for code in codes]
