"""Writes of the clinical rules: a location's thresholds, every change audited."""

from __future__ import annotations

from collections.abc import Mapping

from django.db import transaction
from django.utils import timezone

from clinic.errors import InvalidInput
from clinic.models import Location, User
from clinical_rules.models import ExitCriteriaSetting, RuleSetting, RuleSettingChange, RuleSeverity
from clinical_rules.thresholds import settings_errors
from escalations.catalogue import DEFAULT_SEVERITY
from escalations.models import Severity
from programs.rules import EXIT_CRITERIA, GATE_CRITERIA


@transaction.atomic
def rule_settings_update(
    *, location: Location, values: Mapping[str, int | None], by: User
) -> list[RuleSettingChange]:
    """Set a location's thresholds; ``None`` returns one to the clinic's default. Each
    value that changes is written to the audit (who, when, old → new); the combination
    in force must make sense (a review before the escalation, ranges not upside down)."""
    current = {
        s.name: s
        for s in RuleSetting.objects.select_for_update().filter(location=location).order_by("name")
    }
    in_force = {name: s.value for name, s in current.items()}
    wanted = dict(in_force)
    for name, value in values.items():
        if value is None:
            wanted.pop(name, None)
        else:
            wanted[name] = value
    errors = settings_errors({**{n: v for n, v in values.items() if v is not None}, **wanted})
    if errors:
        field, messages = next(iter(errors.items()))
        raise InvalidInput(messages[0], field=field)
    now = timezone.now()
    changes = []
    for name, value in values.items():
        old = in_force.get(name)
        # Setting the default's own value keeps a row: the location chose it explicitly.
        if old == value:
            continue
        if value is None:
            current[name].delete()
        else:
            RuleSetting.objects.update_or_create(
                location=location,
                name=name,
                defaults={"value": value, "updated_at": now, "updated_by": by},
            )
        changes.append(
            RuleSettingChange.objects.create(
                location=location, name=name, old_value=old, new_value=value, by=by, at=now
            )
        )
    return changes


@transaction.atomic
def rule_severities_update(
    *, location: Location, values: Mapping[str, str | None], by: User
) -> list[RuleSettingChange]:
    """Set the severity of escalating rules at a location; ``None`` returns one to the
    clinic's default. Audited like the thresholds (name ``severity:<rule>``). Only new
    escalations take the new severity."""
    for rule, severity in values.items():
        if rule not in DEFAULT_SEVERITY:
            raise InvalidInput(f"{rule!r} opens no escalation.", field=rule)
        if severity is not None and severity not in Severity.values:
            raise InvalidInput(f"Choose one of {', '.join(Severity.values)}.", field=rule)
    current = {
        s.rule: s
        for s in RuleSeverity.objects.select_for_update().filter(location=location).order_by("rule")
    }
    now = timezone.now()
    changes = []
    for rule, severity in values.items():
        old = current[rule].severity if rule in current else None
        if old == severity:
            continue
        if severity is None:
            current[rule].delete()
        else:
            RuleSeverity.objects.update_or_create(
                location=location,
                rule=rule,
                defaults={"severity": severity, "updated_at": now, "updated_by": by},
            )
        changes.append(
            RuleSettingChange.objects.create(
                location=location,
                name=f"severity:{rule}",
                old_value=old,
                new_value=severity,
                by=by,
                at=now,
            )
        )
    return changes


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
    current = {
        s.step: s for s in ExitCriteriaSetting.objects.select_for_update().filter(location=location)
    }
    now = timezone.now()
    changes = []
    for step, codes in values.items():
        old = current[step].criteria if step in current else None
        new = list(dict.fromkeys(codes)) if codes is not None else None
        if old == new:
            continue
        if new is None:
            current[step].delete()
        else:
            ExitCriteriaSetting.objects.update_or_create(
                location=location,
                step=step,
                defaults={"criteria": new, "updated_at": now, "updated_by": by},
            )
        changes.append(
            RuleSettingChange.objects.create(
                location=location,
                name=f"exit_criteria:{step}",
                old_value=old,
                new_value=new,
                by=by,
                at=now,
            )
        )
    return changes


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
