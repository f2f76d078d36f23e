"""Reads of the clinical rules: the thresholds in force at a location."""

from __future__ import annotations

from clinical_rules.models import RuleSetting
from clinical_rules.thresholds import DEFAULTS, RuleSettings


def rule_settings_for(location_id: int | None) -> RuleSettings:
    """The thresholds in force at a location: its own values over the defaults (one query)."""
    if location_id is None:
        return DEFAULTS
    values = dict(RuleSetting.objects.filter(location_id=location_id).values_list("name", "value"))
    return DEFAULTS.with_values(values)
