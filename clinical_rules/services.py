"""Writes of the clinical rules: a location's thresholds, every change audited."""

from __future__ import annotations

from collections.abc import Mapping

from django.db import transaction
from django.utils import timezone

from clinic.codes import ClinicErrorCode
from clinic.errors import Conflict, InvalidInput
from clinic.models import Location, User
from clinical_rules.models import RuleSetting, RuleSettingChange
from clinical_rules.thresholds import setting_errors, settings_errors


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
        if any(setting_errors(name, value) for name, value in wanted.items()):
            raise InvalidInput(messages[0], field=field)
        # Each value fits, the combination does not (a review after its escalation).
        raise Conflict(
            messages[0],
            code=ClinicErrorCode.RULE_SETTINGS_INCONSISTENT,
            extra={"errors": errors},
        )
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


def rule_change_record(
    *, location: Location, name: str, old: object, new: object, by: User, at=None
) -> RuleSettingChange:
    """Audit one change of a location's rules (a threshold, a severity, exit criteria)."""
    return RuleSettingChange.objects.create(
        location=location, name=name, old_value=old, new_value=new, by=by, at=at or timezone.now()
    )
