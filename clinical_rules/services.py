"""Writes of the clinical rules: a location's thresholds, every change audited."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from clinic.codes import ClinicErrorCode
from clinic.errors import Conflict, InvalidInput
from clinic.models import Location, User
from clinical_rules.models import RuleSetting, RuleSettingChange
from clinical_rules.thresholds import SETTING_NAMES, setting_errors, settings_errors


@dataclass(frozen=True)
class LocationRuleRows:
    """The rows in which each location keeps its own values of one kind of rule
    (thresholds, severities, exit criteria) instead of the clinic's default: one row per
    rule, ``key`` names the rule, ``field`` holds the value. Changes are audited as
    ``<audit_prefix><rule>``.

    This is the gate every path passes (the API, the admin, commands): ``write`` first
    refuses a rule not in ``rules`` (400 ``rule_unknown``, naming it) and lets ``check``
    refuse a value (``check(rule, value)`` raises a ``DomainError``: a bound, a safety
    floor), all before anything is written."""

    model: type[models.Model]
    key: str
    field: str
    rules: Collection
    unknown: str  # English, gettext'd: "... %(rule)s ..."
    check: Callable[[object, object], None] | None = None
    audit_prefix: str = ""

    def refuse(self, values: Mapping) -> None:
        """Raise the first refusal of ``values`` (an unknown rule, a value ``check``
        refuses); ``None`` (back to the default) is always allowed for a known rule."""
        unknown = [rule for rule in values if rule not in self.rules]
        if unknown:
            raise InvalidInput(
                gettext(self.unknown) % {"rule": unknown[0]},
                field=str(unknown[0]),
                code=ClinicErrorCode.RULE_UNKNOWN,
                extra={"unknown": [str(rule) for rule in unknown]},
            )
        if self.check is not None:
            for rule, value in values.items():
                if value is not None:
                    self.check(rule, value)

    def locked(self, location: Location) -> dict:
        """The location's rows by rule, locked until the transaction ends."""
        rows = self.model.objects.select_for_update().filter(location=location)
        return {getattr(row, self.key): row for row in rows.order_by(self.key)}

    def write(
        self, *, location: Location, values: Mapping, by: User, rows: Mapping | None = None
    ) -> list[RuleSettingChange]:
        """Write the location's new values: ``None`` deletes the row, so the default is in
        force again; another value creates or updates it. Each value that changes is
        audited. ``rows``: the caller's ``locked`` rows, when it read them already."""
        self.refuse(values)
        rows = self.locked(location) if rows is None else rows
        now = timezone.now()
        changes = []
        for rule, new in values.items():
            old = getattr(rows[rule], self.field) if rule in rows else None
            # Setting the default's own value keeps a row: the location chose it explicitly.
            if old == new:
                continue
            if new is None:
                rows[rule].delete()
            else:
                self.model.objects.update_or_create(
                    location=location,
                    **{self.key: rule},
                    defaults={self.field: new, "updated_at": now, "updated_by": by},
                )
            changes.append(
                rule_change_record(
                    location=location,
                    name=f"{self.audit_prefix}{rule}",
                    old=old,
                    new=new,
                    by=by,
                    at=now,
                )
            )
        return changes


def _threshold_check(name: str, value: object) -> None:
    errors = setting_errors(name, value)
    if errors:
        raise InvalidInput(errors[0], field=name)


THRESHOLD_ROWS = LocationRuleRows(
    RuleSetting,
    key="name",
    field="value",
    rules=SETTING_NAMES,
    unknown=gettext_noop("Unknown setting %(rule)s."),
    check=_threshold_check,
)


@transaction.atomic
def rule_settings_update(
    *, location: Location, values: Mapping[str, int | None], by: User
) -> list[RuleSettingChange]:
    """Set a location's thresholds; ``None`` returns one to the clinic's default. Each
    value that changes is written to the audit (who, when, old → new); the combination
    in force must make sense (a review before the escalation, ranges not upside down)."""
    THRESHOLD_ROWS.refuse(values)
    current = THRESHOLD_ROWS.locked(location)
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
    return THRESHOLD_ROWS.write(location=location, rows=current, values=values, by=by)


def rule_change_record(
    *, location: Location, name: str, old: object, new: object, by: User, at=None
) -> RuleSettingChange:
    """Audit one change of a location's rules (a threshold, a severity, exit criteria)."""
    return RuleSettingChange.objects.create(
        location=location, name=name, old_value=old, new_value=new, by=by, at=at or timezone.now()
    )
