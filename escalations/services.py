"""Escalations: a rule asks a clinician to look. At most one unresolved per patient and rule."""

from __future__ import annotations

import datetime
from collections.abc import Mapping

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from clinic import events
from clinic.codes import ClinicErrorCode
from clinic.errors import Conflict, InvalidInput
from clinic.models import Location, Patient, User
from clinical_rules.models import RuleSettingChange
from clinical_rules.services import LocationRuleRows
from clinical_rules.thresholds import DEFAULTS, RuleSettings
from escalations.catalogue import DEFAULT_SEVERITY, ESCALATION_RULES, SEVERITY_ORDER
from escalations.codes import EscalationErrorCode
from escalations.models import (
    UNRESOLVED,
    Escalation,
    EscalationOccurrence,
    EscalationStatus,
    OccurrenceSource,
    ResolutionOutcome,
    RuleSeverity,
    Severity,
)
from escalations.selectors import severities_for

# A repeat of these after acknowledgement needs a person again; a normal one waits.
REOPENING_SEVERITIES = (Severity.URGENT, Severity.HIGH)
# Closing these needs an outcome and a note (API.md, "Second wave").
DOCUMENTED_SEVERITIES = (Severity.URGENT, Severity.HIGH)


def severity_floor_check(rule: str, severity: object) -> None:
    """A location may raise a rule's severity, never lower it below the clinic's default
    (DOMAIN.md's red flags stay urgent or high): the safety floor."""
    if severity not in Severity.values:
        raise InvalidInput(
            gettext("Choose one of %(choices)s.") % {"choices": ", ".join(Severity.values)},
            field=rule,
        )
    default = DEFAULT_SEVERITY[rule]
    if SEVERITY_ORDER.index(severity) > SEVERITY_ORDER.index(default):
        raise InvalidInput(
            gettext(
                "The severity of %(rule)s may be raised, never lowered below its default "
                "(%(default)s)."
            )
            % {"rule": rule, "default": default},
            field=rule,
            code=ClinicErrorCode.SEVERITY_BELOW_DEFAULT,
            extra={"rule": rule, "default": str(default), "severity": str(severity)},
        )


# A location's own severities (``rule_severities_update``).
SEVERITY_ROWS = LocationRuleRows(
    RuleSeverity,
    key="rule",
    field="severity",
    rules=DEFAULT_SEVERITY,
    unknown=gettext_noop("%(rule)s opens no escalation."),
    check=severity_floor_check,
    audit_prefix="severity:",
)


def ack_window(severity: str, settings: RuleSettings = DEFAULTS) -> datetime.timedelta | None:
    """How long an escalation of ``severity`` may wait for acknowledgement before the
    location's managers are told; None when it never goes to them."""
    hours = {Severity.URGENT: settings.urgent_ack_hours, Severity.HIGH: settings.high_ack_hours}
    return datetime.timedelta(hours=hours[severity]) if severity in hours else None


def _source_of(source_check_in, source_assessment) -> str:
    if source_assessment is not None:
        return OccurrenceSource.ASSESSMENT
    if source_check_in is not None:
        return OccurrenceSource.CHECK_IN
    return OccurrenceSource.SCHEDULE


def escalation_raise(
    *,
    patient: Patient,
    rule: str,
    reason: str,
    severity: str | None = None,
    source_check_in=None,
    source_assessment=None,
    source: str | None = None,
    settings: RuleSettings = DEFAULTS,
) -> Escalation:
    """Open an escalation, or add an occurrence to the unresolved one for this rule.

    Every occurrence is kept with its source and reason; the escalation's own reason
    stays the one it opened with. An urgent or high repeat after acknowledgement opens
    it again: it needs a person again, the clinician is told at once and the managers
    when nobody acknowledges it within the ack window (``escalation_reopened``).

    Safe under concurrency: the partial unique index decides who opens it; the loser
    adds to the winner's row.
    """
    if rule not in ESCALATION_RULES:
        raise ValueError(f"{rule} is not an escalation rule")
    # The location's severity for the rule, unless the caller knows better.
    severity = severity or severities_for(patient.location_id)[rule]
    source = source or _source_of(source_check_in, source_assessment)
    now = timezone.now()
    # This occurrence, whether it opens the escalation or adds to the unresolved one.
    occurrence_fields = {
        "at": now,
        "source": source,
        "reason": reason,
        "severity": severity,
        "check_in": source_check_in,
        "assessment": source_assessment,
    }
    with transaction.atomic():
        existing = (
            Escalation.objects.select_for_update()
            .filter(patient=patient, rule=rule, status__in=UNRESOLVED)
            .first()
        )
        if existing is None:
            try:
                with transaction.atomic():
                    escalation = Escalation.objects.create(
                        patient=patient,
                        rule=rule,
                        severity=severity,
                        reason=reason,
                        source_check_in=source_check_in,
                        source_assessment=source_assessment,
                        created_at=now,
                        last_occurred_at=now,
                        needs_attention_since=now,
                    )
            except IntegrityError:
                existing = Escalation.objects.select_for_update().get(
                    patient=patient, rule=rule, status__in=UNRESOLVED
                )
            else:
                EscalationOccurrence.objects.create(escalation=escalation, **occurrence_fields)
                events.escalation_opened.send(
                    Escalation, escalation=escalation, actor=None, settings=settings
                )
                return escalation
        reopens = (
            existing.status == EscalationStatus.ACKNOWLEDGED
            and existing.severity in REOPENING_SEVERITIES
        )
        existing.occurrences += 1
        existing.last_occurred_at = now
        if reopens:
            existing.status = EscalationStatus.OPEN
            existing.needs_attention_since = now
        existing.save(
            update_fields=["occurrences", "last_occurred_at", "status", "needs_attention_since"]
        )
        occurrence = EscalationOccurrence.objects.create(
            escalation=existing, reopened=reopens, **occurrence_fields
        )
        if reopens:
            events.escalation_reopened.send(
                Escalation,
                escalation=existing,
                occurrence=occurrence,
                actor=None,
                settings=settings,
            )
        else:
            events.escalation_updated.send(
                Escalation, escalation=existing, actor=None, settings=settings
            )
        return existing


@transaction.atomic
def escalation_acknowledge(*, escalation: Escalation, by: User) -> Escalation:
    escalation = Escalation.objects.select_for_update().get(pk=escalation.pk)
    if escalation.status != EscalationStatus.OPEN:
        raise Conflict(
            gettext("This escalation is %(status)s; only an open one can be acknowledged.")
            % {"status": escalation.status},
            code=EscalationErrorCode.ESCALATION_NOT_OPEN,
        )
    escalation.status = EscalationStatus.ACKNOWLEDGED
    escalation.acknowledged_at = timezone.now()
    escalation.acknowledged_by = by
    escalation.save(update_fields=["status", "acknowledged_at", "acknowledged_by"])
    events.escalation_acknowledged.send(Escalation, escalation=escalation, actor=by)
    return escalation


@transaction.atomic
def escalation_resolve(
    *, escalation: Escalation, by: User, note: str = "", outcome: str = ""
) -> Escalation:
    """Close an escalation. An urgent or high one needs an outcome and a note: what was
    done about a suspected rupture must be readable later. A referral also closes the
    patient's open program as ``referred``, with the note as its reason."""
    note = (note or "").strip()
    if outcome and outcome not in ResolutionOutcome.values:
        known = ", ".join(ResolutionOutcome.values)
        message = gettext("Choose one of %(choices)s.") % {"choices": known}
        raise InvalidInput(message, field="outcome")
    escalation = Escalation.objects.select_for_update().get(pk=escalation.pk)
    if escalation.status == EscalationStatus.RESOLVED:
        raise Conflict(
            gettext("This escalation is already resolved."),
            code=EscalationErrorCode.ESCALATION_RESOLVED,
        )
    if escalation.severity in DOCUMENTED_SEVERITIES:
        if not outcome:
            raise InvalidInput(
                gettext("Closing an urgent or high escalation needs an outcome."),
                field="outcome",
                code=EscalationErrorCode.ESCALATION_OUTCOME_REQUIRED,
            )
        if not note:
            raise InvalidInput(
                gettext("Closing an urgent or high escalation needs a note of what was done."),
                field="note",
                code=EscalationErrorCode.ESCALATION_NOTE_REQUIRED,
            )
    now = timezone.now()
    if escalation.acknowledged_at is None:
        # Resolving implies the clinician has seen it.
        escalation.acknowledged_at = now
        escalation.acknowledged_by = by
    escalation.status = EscalationStatus.RESOLVED
    escalation.resolved_at = now
    escalation.resolved_by = by
    escalation.resolution_note = note
    escalation.outcome = outcome or None
    escalation.save(
        update_fields=[
            "status",
            "acknowledged_at",
            "acknowledged_by",
            "resolved_at",
            "resolved_by",
            "resolution_note",
            "outcome",
        ]
    )
    # A referral closes the patient's open program as referred (programs listens).
    events.escalation_resolved.send(Escalation, escalation=escalation, actor=by)
    return escalation


@transaction.atomic
def rule_severities_update(
    *, location: Location, values: Mapping[str, str | None], by: User
) -> list[RuleSettingChange]:
    """Set the severity of escalating rules at a location; ``None`` returns one to the
    clinic's default. Audited like the thresholds (name ``severity:<rule>``). Only new
    escalations take the new severity; none goes below its default (``SEVERITY_ROWS``)."""
    return SEVERITY_ROWS.write(location=location, values=values, by=by)
