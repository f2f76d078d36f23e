"""Escalations at clinic scale, for ``manage.py seed_scale``: resolved history for many
treated patients, one unresolved rule for some."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from clinic.scale.core import ScaleContext
from escalations.catalogue import DEFAULT_SEVERITY
from escalations.models import UNRESOLVED, Escalation, EscalationStatus


def _escalation(patient_id: int, rule: str, **fields) -> Escalation:
    return Escalation(patient_id=patient_id, rule=rule, severity=DEFAULT_SEVERITY[rule], **fields)


def seed(ctx: ScaleContext) -> dict[str, int]:
    rng = ctx.rng
    rules = list(DEFAULT_SEVERITY)
    escalations = []
    now = datetime.now(UTC)
    for _program_id, pid, started_at in ctx.program_rows:
        for _ in range(rng.choice([0, 1, 2])):
            rule = rng.choice(rules)
            escalations.append(
                _escalation(
                    pid,
                    rule,
                    status=EscalationStatus.RESOLVED,
                    reason=f"{rule} (generated history)",
                    created_at=started_at + timedelta(days=3),
                    last_occurred_at=started_at + timedelta(days=3),
                    resolved_at=started_at + timedelta(days=4),
                )
            )
        if rng.random() < 0.2:
            rule = rng.choice(rules)
            escalations.append(
                _escalation(
                    pid,
                    rule,
                    status=rng.choice(UNRESOLVED),
                    reason=f"{rule} (generated)",
                    created_at=now - timedelta(hours=rng.randrange(1, 200)),
                    last_occurred_at=now - timedelta(hours=1),
                )
            )
    Escalation.objects.bulk_create(escalations, batch_size=ctx.batch_size)
    return {"escalations": len(escalations)}
