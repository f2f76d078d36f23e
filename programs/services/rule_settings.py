"""Writes of a location's clinical rules as a whole: thresholds (clinical_rules), the
severity of escalating rules (escalations) and the exit criteria of each step (here), in
one change, every part audited."""

from __future__ import annotations

from collections.abc import Mapping

from django.db import transaction
from django.utils.translation import gettext, gettext_noop

from clinic.codes import ClinicErrorCode
from clinic.errors import InvalidInput
from clinic.models import Location, User
from clinical_rules.models import RuleSettingChange
from clinical_rules.services import LocationRuleRows, rule_settings_update
from escalations.services import rule_severities_update
from programs.models import ExitCriteriaSetting
from programs.rules import EXIT_CRITERIA, GATE_CRITERIA


def exit_criteria_check(step: int, codes: object) -> None:
    """Known criteria, and at least one: a step left with no criterion at all is an
    override nobody wrote (DOMAIN.md: "A step is left when its exit criteria hold")."""
    if not isinstance(codes, list | tuple) or not all(isinstance(c, str) for c in codes):
        raise InvalidInput(gettext("Give a list of criteria."), field=str(step))
    if not codes:
        raise InvalidInput(
            gettext("Step %(step)s needs at least one exit criterion.") % {"step": step},
            field=str(step),
            code=ClinicErrorCode.EXIT_CRITERIA_EMPTY,
        )
    unknown = [c for c in codes if c not in GATE_CRITERIA]
    if unknown:
        raise InvalidInput(
            f"Unknown criteria {', '.join(unknown)}; known: {', '.join(GATE_CRITERIA)}.",
            field=str(step),
        )


EXIT_CRITERIA_ROWS = LocationRuleRows(
    ExitCriteriaSetting,
    key="step",
    field="criteria",
    rules=EXIT_CRITERIA,
    unknown=gettext_noop("Step %(rule)s has no exit criteria (steps 1-4)."),
    check=exit_criteria_check,
    audit_prefix="exit_criteria:",
)


@transaction.atomic
def exit_criteria_update(
    *, location: Location, values: Mapping[int, list[str] | None], by: User
) -> list[RuleSettingChange]:
    """Set which criteria must hold to leave a step (1–4) at a location; ``None`` returns
    to DOMAIN.md's suggestion. Audited as ``exit_criteria:<step>``; ``EXIT_CRITERIA_ROWS``
    refuses an unknown step, unknown criteria and an empty list."""
    EXIT_CRITERIA_ROWS.refuse(values)
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
