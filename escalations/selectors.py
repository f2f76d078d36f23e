"""Reads of escalations."""

from __future__ import annotations

from django.db.models import Case, IntegerField, Prefetch, QuerySet, Value, When

from clinic.models import User
from clinic.selectors import patient_filter_for
from escalations.catalogue import DEFAULT_SEVERITY, SEVERITY_ORDER
from escalations.models import Escalation, EscalationOccurrence, EscalationStatus, RuleSeverity


def escalations_visible_to(user: User) -> QuerySet[Escalation]:
    """Escalations of the patients ``user`` may see, with ``attention``: unresolved before
    resolved, then urgent, high, normal (0 is the most pressing)."""
    severity_rank = [
        When(severity=severity, then=Value(rank)) for rank, severity in enumerate(SEVERITY_ORDER)
    ]
    resolved_rank = [
        When(
            status=EscalationStatus.RESOLVED,
            severity=severity,
            then=Value(len(SEVERITY_ORDER) + rank),
        )
        for rank, severity in enumerate(SEVERITY_ORDER)
    ]
    return (
        Escalation.objects.filter(patient_filter_for(user, prefix="patient__"))
        .prefetch_related(
            Prefetch(
                "occurrence_history", queryset=EscalationOccurrence.objects.order_by("at", "id")
            )
        )
        .annotate(
            attention=Case(
                *resolved_rank,
                *severity_rank,
                default=Value(2 * len(SEVERITY_ORDER)),
                output_field=IntegerField(),
            )
        )
    )


def severity_rank() -> Case:
    """0 for urgent, 1 for high, 2 for normal: the order in which escalations ask for
    attention (``SEVERITY_ORDER``)."""
    return Case(
        *(
            When(severity=severity, then=Value(rank))
            for rank, severity in enumerate(SEVERITY_ORDER)
        ),
        output_field=IntegerField(),
    )


def severities_for(location_id: int | None) -> dict[str, str]:
    """The severity of every escalating rule at a location: its own over the defaults, never
    below the default (a row stored before the floor existed cannot lower a red flag)."""
    own = {}
    if location_id is not None:
        own = dict(
            RuleSeverity.objects.filter(location_id=location_id).values_list("rule", "severity")
        )
    return {
        rule: min(
            (default, own.get(rule, default)),
            key=lambda s: SEVERITY_ORDER.index(s) if s in SEVERITY_ORDER else len(SEVERITY_ORDER),
        )
        for rule, default in DEFAULT_SEVERITY.items()
    }
