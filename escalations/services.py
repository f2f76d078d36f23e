"""Escalations: a rule asks a clinician to look. At most one unresolved per patient and rule."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from clinic import events
from clinic.errors import Conflict
from clinic.models import Patient, User
from escalations.catalogue import DEFAULT_SEVERITY, ESCALATION_RULES
from escalations.codes import EscalationErrorCode
from escalations.models import UNRESOLVED, Escalation, EscalationStatus


def escalation_raise(
    *,
    patient: Patient,
    rule: str,
    reason: str,
    severity: str | None = None,
    source_check_in=None,
    source_assessment=None,
) -> Escalation:
    """Open an escalation, or add an occurrence to the unresolved one for this rule.

    Safe under concurrency: the partial unique index decides who opens it; the loser
    adds to the winner's row.
    """
    if rule not in ESCALATION_RULES:
        raise ValueError(f"{rule} is not an escalation rule")
    severity = severity or DEFAULT_SEVERITY[rule]
    now = timezone.now()
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
                    )
            except IntegrityError:
                existing = Escalation.objects.select_for_update().get(
                    patient=patient, rule=rule, status__in=UNRESOLVED
                )
            else:
                events.escalation_opened.send(Escalation, escalation=escalation, actor=None)
                return escalation
        existing.occurrences += 1
        existing.last_occurred_at = now
        existing.reason = reason
        if source_check_in is not None:
            existing.source_check_in = source_check_in
        if source_assessment is not None:
            existing.source_assessment = source_assessment
        existing.save(
            update_fields=[
                "occurrences",
                "last_occurred_at",
                "reason",
                "source_check_in",
                "source_assessment",
            ]
        )
        events.escalation_updated.send(Escalation, escalation=existing, actor=None)
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
def escalation_resolve(*, escalation: Escalation, by: User, note: str = "") -> Escalation:
    escalation = Escalation.objects.select_for_update().get(pk=escalation.pk)
    if escalation.status == EscalationStatus.RESOLVED:
        raise Conflict(
            gettext("This escalation is already resolved."),
            code=EscalationErrorCode.ESCALATION_RESOLVED,
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
    escalation.save(
        update_fields=[
            "status",
            "acknowledged_at",
            "acknowledged_by",
            "resolved_at",
            "resolved_by",
            "resolution_note",
        ]
    )
    events.escalation_resolved.send(Escalation, escalation=escalation, actor=by)
    return escalation
