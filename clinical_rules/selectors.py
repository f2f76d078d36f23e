"""Reads of the clinical rules: the thresholds in force at a location."""

from __future__ import annotations

from clinical_rules.models import ExitCriteriaSetting, RuleSetting, RuleSeverity
from clinical_rules.thresholds import DEFAULTS, RuleSettings
from escalations.catalogue import DEFAULT_SEVERITY
from programs.rules import EXIT_CRITERIA


def rule_settings_for(location_id: int | None) -> RuleSettings:
    """The thresholds in force at a location: its own values over the defaults (one query)."""
    if location_id is None:
        return DEFAULTS
    values = dict(RuleSetting.objects.filter(location_id=location_id).values_list("name", "value"))
    return DEFAULTS.with_values(values)


def severities_for(location_id: int | None) -> dict[str, str]:
    """The severity of every escalating rule at a location: its own over the defaults."""
    own = {}
    if location_id is not None:
        own = dict(
            RuleSeverity.objects.filter(location_id=location_id).values_list("rule", "severity")
        )
    return {**DEFAULT_SEVERITY, **own}


def exit_criteria_for(location_id: int | None) -> dict[int, tuple[str, ...]]:
    """Step → the criterion codes that must hold to leave it, at a location: its own over
    DOMAIN.md's suggestion."""
    criteria = dict(EXIT_CRITERIA)
    if location_id is not None:
        for step, codes in ExitCriteriaSetting.objects.filter(location_id=location_id).values_list(
            "step", "criteria"
        ):
            criteria[step] = tuple(codes)
    return criteria
