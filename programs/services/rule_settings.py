"""Writes of a location's clinical rules as a whole: thresholds (clinical_rules), the
severity of escalating rules (escalations) and the exit criteria of each step (here), in
one change, every part audited."""

from __future__ import annotations

from collections.abc import Mapping

from django.db import transaction

from clinic.errors import InvalidInput
from clinic.models import Location, User
from clinical_rules.models import RuleSettingChange
from clinical_rules.services import LocationRuleRows, rule_settings_update
from escalations.services import rule_severities_update
from programs.models import ExitCriteriaSetting
from programs.rules import EXIT_CRITERIA, GATE_CRITERIA

EXIT_CRITERIA_ROWS = LocationRuleRows(
    ExitCriteriaSetting, key="step", field="criteria", audit_prefix="exit_criteria:"
)


@transaction.atomic
def exit_criteria_update(
    *, location: Location, values: Mapping[int, list[str] | None], by: User
) -> list[RuleSettingChange]:
    """Set which criteria must hold to leave a step (1–4) at a location; ``None`` returns
    to DOMAIN.md's suggestion. Audited as ``exit_criteria:<step>``."""
    for step, codes in values.items():
        if step not in EXIT_CRITERIA:
            raise InvalidInput(f"Step {step} has no exit criteria (steps 1-4).", field=str(step))
        unknown = [c for c in codes or [] if c not in GATE_CRITERIA]
        if unknown:
            raise InvalidInput(
                f"Unknown criteria {', '.join(unknown)}; known: {', '.join(GATE_CRITERIA)}.",
                field=str(step),
            )
    unique = {
        step: list(dict.fromkeys(codes)) if codes is not None else None
        for step, codes in values.items()
    }
    return EXIT_CRITERIA_ROWS.write(location=location, values=unique, by=by)


@transaction.atomic
def rule_configuration_update(
    *,
    location: Location,
    values: Mapping[str, int | None],
    severities: Mapping[str, str | None],
    exit_criteria: Mapping[int, list[str] | None] | None = None,
    by: User,
) -> list[RuleSettingChange]:
    """Thresholds, severities and exit criteria of a location in one change: all of it or
    nothing."""
    return [
        *rule_settings_update(location=location, values=values, by=by),
        *rule_severities_update(location=location, values=severities, by=by),
        *exit_criteria_update(location=location, values=exit_criteria or {}, by=by),
    ]
