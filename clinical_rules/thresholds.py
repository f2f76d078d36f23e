"""Every number a clinical rule reads, in one place, with the DOMAIN.md line it comes from.

The rules (``assessments.rules``, ``programs.rules``) take a ``RuleSettings`` and read the
number from it; nothing else holds a copy. ``DEFAULTS`` are the clinic's defaults; a
location's managers may set other values (``clinical_rules.models``), and the values in
force are recorded with every step transition.

Pure: no database, so any module may import it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import override


def _translated(text: str, language: str) -> str:
    with override(language):
        return str(text)


# The rule catalogue shows every meaning in Dutch and English at once, whoever asks.
_in_language = lazy(_translated, str)


def _setting(default, *, unit: str, minimum, maximum, domain: str, explanation: str):
    """A threshold with its bounds, unit, the DOMAIN.md line behind it, and its meaning
    (``explanation``, English; the Dutch is in the translation catalogue)."""
    return field(
        default=default,
        metadata={
            "unit": unit,
            "minimum": minimum,
            "maximum": maximum,
            "domain": domain,
            "en": _in_language(explanation, "en"),
            "nl": _in_language(explanation, "nl"),
        },
    )


def _check_in_every(days: int, explanation: str):
    """How often a patient in one step is asked to check in: every step's setting has the
    same unit, bounds and DOMAIN.md line."""
    return _setting(
        days,
        unit="days",
        minimum=1,
        maximum=60,
        domain="Check-ins (patient, from the mobile app).",
        explanation=explanation,
    )


def _times_a_week(default: int, *, domain: str, explanation: str):
    """Sessions a week of an exercise: from once to every day."""
    return _setting(
        default, unit="times a week", minimum=1, maximum=7, domain=domain, explanation=explanation
    )


@dataclass(frozen=True)
class RuleSettings:
    """The thresholds in force for one clinic location."""

    # --- check-ins (DOMAIN.md, "Pain vs discomfort", "Red flags") --------------------------
    high_pain_during_activity: int = _setting(
        7,
        unit="score 0-10",
        minimum=1,
        # A threshold of 10 would flag only the worst pain there is: never looser than 9.
        maximum=9,
        domain="Pain vs discomfort: sharp, stabbing, increases during activity → a stop signal.",
        explanation=_(
            "Pain during activity at or above this score is flagged, whatever its character."
        ),
    )
    grade_3_min_pain_now: int = _setting(
        8,
        unit="score 0-10",
        minimum=1,
        # Grade 3 is "severe pain": a rupture at pain 9 must not wait for a 10.
        maximum=9,
        domain="Immediate specialist referral: suspected grade 3 ... unable to walk.",
        explanation=_(
            "Sharp pain now at or above this score, not walking at all: suspected rupture."
        ),
    )
    trend_rising_check_ins: int = _setting(
        3,
        unit="check-ins",
        minimum=2,
        maximum=10,
        domain="Each check-in is evaluated against the patient's own trend (pain rising).",
        explanation=_("Pain (now or during activity) rising over this many check-ins in a row."),
    )
    no_progress_after_days: int = _setting(
        14,
        unit="days",
        minimum=7,
        maximum=42,
        domain="No progress in rehabilitation week over week.",
        explanation=_("No clear improvement over at least this many days of check-ins."),
    )
    chronic_review_after_days: int = _setting(
        28,
        unit="days since onset",
        minimum=14,
        # "longer than 4-6 weeks": shown for review by week 6 at the latest.
        maximum=42,
        domain="Complaints lasting longer than 4-6 weeks without clear improvement.",
        explanation=_("From this many days after onset no clear improvement is shown for review."),
    )
    chronic_escalate_after_days: int = _setting(
        42,
        unit="days since onset",
        # "longer than 4-6 weeks": escalated from week 4 to week 6, never later.
        minimum=28,
        maximum=42,
        domain="Complaints lasting longer than 4-6 weeks without clear improvement.",
        explanation=_("After this many days since onset no clear improvement opens an escalation."),
    )
    minimal_important_change: int = _setting(
        2,
        unit="points on 0-10",
        minimum=1,
        maximum=5,
        domain="Good rehab shows measurable progress.",
        explanation=_("A pain score must drop at least this much to count as clear improvement."),
    )
    # --- steps (DOMAIN.md, "The five-step method") -----------------------------------------
    strength_symmetry_min_percent: int = _setting(
        90,
        unit="percent",
        minimum=50,
        maximum=100,
        domain="Strength comparable in both legs (>= 90% of the other side).",
        explanation=_("Strength of the injured leg as a share of the other, to leave step 4."),
    )
    min_days_step_1: int = _setting(
        0,
        unit="days",
        minimum=0,
        maximum=60,
        domain="A step is left when its exit criteria hold.",
        explanation=_("Least time in step 1 (analysis) before advancing."),
    )
    min_days_step_2: int = _setting(
        3,
        unit="days",
        minimum=0,
        maximum=60,
        domain="Pain reduction: relative rest with movement in the right dose.",
        explanation=_("Least time in step 2 (pain reduction) before advancing."),
    )
    min_days_step_3: int = _setting(
        7,
        unit="days",
        minimum=0,
        maximum=60,
        domain="Movement optimisation: mobility work and retraining.",
        explanation=_("Least time in step 3 (movement optimisation) before advancing."),
    )
    min_days_step_4: int = _setting(
        14,
        unit="days",
        minimum=0,
        maximum=120,
        domain="Strength building: progressive load, +10% a week at most.",
        explanation=_("Least time in step 4 (strength building) before advancing."),
    )
    # --- load (DOMAIN.md, "Readiness", step 4) ---------------------------------------------
    max_weekly_load_increase_percent: int = _setting(
        10,
        unit="percent a week",
        minimum=0,
        # "at most 10% a week": a location may tighten the rule, never loosen it.
        maximum=10,
        domain="Training load grows by at most 10% a week.",
        explanation=_(
            "Largest rise of weekly load per exercise and per category without an override."
        ),
    )
    strength_sessions_min: int = _times_a_week(
        3,
        domain="Strength building: 3-4 sessions a week.",
        explanation=_("Fewest sessions a week of an exercise in step 4 without an override."),
    )
    strength_sessions_max: int = _times_a_week(
        4,
        domain="Strength building: 3-4 sessions a week.",
        explanation=_("Most sessions a week of an exercise in step 4 without an override."),
    )
    self_sufficiency_sessions_min: int = _times_a_week(
        2,
        domain="Self-sufficiency: the patient keeps strength (2-3x/week).",
        explanation=_("Fewest sessions a week of an exercise in step 5 without an override."),
    )
    self_sufficiency_sessions_max: int = _times_a_week(
        3,
        domain="Self-sufficiency: the patient keeps strength (2-3x/week).",
        explanation=_("Most sessions a week of an exercise in step 5 without an override."),
    )
    # --- walking and running (DOMAIN.md, "Readiness") --------------------------------------
    walking_start_min_minutes: int = _setting(
        10,
        unit="minutes",
        minimum=1,
        maximum=60,
        domain="Walking starts at 10-15 minutes and builds up slowly.",
        explanation=_("Shortest first walk once ready to walk."),
    )
    walking_start_max_minutes: int = _setting(
        15,
        unit="minutes",
        minimum=1,
        maximum=60,
        domain="Walking starts at 10-15 minutes and builds up slowly.",
        explanation=_("Longest first walk once ready to walk."),
    )
    pain_free_walking_weeks_before_jogging: int = _setting(
        3,
        unit="weeks",
        minimum=1,
        maximum=12,
        domain="Only after several weeks of pain-free walking is light jogging considered.",
        explanation=_("Weeks of pain-free walking before light jogging is suggested."),
    )
    # --- check-in cadence (DOMAIN.md, "Check-ins") ------------------------------------------
    check_in_every_days_step_1: int = _check_in_every(
        2, _("How often a patient in step 1 (analysis) is asked to check in.")
    )
    check_in_every_days_step_2: int = _check_in_every(
        2, _("How often a patient in step 2 (pain reduction) is asked to check in.")
    )
    check_in_every_days_step_3: int = _check_in_every(
        3, _("How often a patient in step 3 (movement optimisation) is asked to check in.")
    )
    check_in_every_days_step_4: int = _check_in_every(
        3, _("How often a patient in step 4 (strength building) is asked to check in.")
    )
    check_in_every_days_step_5: int = _check_in_every(
        7, _("How often a patient in step 5 (self-sufficiency) is asked to check in.")
    )
    # --- escalations (README, "Notifications") ---------------------------------------------
    urgent_ack_hours: int = _setting(
        2,
        unit="hours",
        minimum=1,
        maximum=24,
        domain="Immediate specialist referral (urgent).",
        explanation=_("An urgent escalation not acknowledged this long goes to the managers."),
    )
    high_ack_hours: int = _setting(
        8,
        unit="hours",
        minimum=1,
        maximum=72,
        domain="Clinician review and possibly specialist referral.",
        explanation=_("A high escalation not acknowledged this long goes to the managers."),
    )

    def check_in_every_days(self, step: int) -> int:
        return getattr(self, f"check_in_every_days_step_{step}")

    def min_days_in_step(self, step: int) -> int:
        return getattr(self, f"min_days_step_{step}", 0)

    def sessions_per_week(self, step: int) -> tuple[int, int] | None:
        """The range of sessions a week the step asks for, or None when it sets none."""
        if step == 4:
            return self.strength_sessions_min, self.strength_sessions_max
        if step == 5:
            return self.self_sufficiency_sessions_min, self.self_sufficiency_sessions_max
        return None

    @property
    def max_weekly_load_increase(self) -> Decimal:
        return Decimal(self.max_weekly_load_increase_percent) / 100

    def as_dict(self) -> dict[str, int]:
        return dataclasses.asdict(self)

    def with_values(self, values: Mapping[str, object]) -> RuleSettings:
        """These settings with ``values`` (known names only) in force."""
        known = {name: values[name] for name in SETTING_NAMES if name in values}
        return dataclasses.replace(self, **known)


DEFAULTS = RuleSettings()
SETTINGS = {f.name: f for f in dataclasses.fields(RuleSettings)}
SETTING_NAMES = tuple(SETTINGS)


def setting_errors(name: str, value: object) -> list[str]:
    """Why ``value`` cannot be the setting ``name``; empty when it can."""
    if name not in SETTINGS:
        return [f"Unknown setting {name!r}."]
    meta = SETTINGS[name].metadata
    if not isinstance(value, int) or isinstance(value, bool):
        return [f"{name} must be a whole number."]
    if not meta["minimum"] <= value <= meta["maximum"]:
        return [f"{name} must be from {meta['minimum']} to {meta['maximum']}."]
    return []


def settings_errors(values: Mapping[str, object]) -> dict[str, list[str]]:
    """Per setting, why the combination cannot be in force (e.g. a range upside down)."""
    errors = {n: e for n, v in values.items() if (e := setting_errors(n, v))}
    if errors:
        return errors
    merged = DEFAULTS.with_values(values)
    pairs = [
        ("chronic_review_after_days", "chronic_escalate_after_days"),
        ("strength_sessions_min", "strength_sessions_max"),
        ("self_sufficiency_sessions_min", "self_sufficiency_sessions_max"),
        ("walking_start_min_minutes", "walking_start_max_minutes"),
    ]
    for low, high in pairs:
        if getattr(merged, low) > getattr(merged, high):
            errors[high] = [f"{high} must not be below {low}."]
    return errors
