"""What the programs do when another app's event happens (connected in ``ready()``)."""

from __future__ import annotations

from django.dispatch import receiver

from clinic import events
from escalations.models import REFERRAL_OUTCOMES
from programs.services.programs import program_refer_after_escalation


@receiver(events.escalation_resolved, dispatch_uid="programs.escalation_referred")
def on_escalation_resolved(sender, *, escalation, actor=None, **kwargs) -> None:
    # A referral to a specialist or the GP ends the program as referred, readable later.
    if escalation.outcome in REFERRAL_OUTCOMES and actor is not None:
        program_refer_after_escalation(escalation=escalation, by=actor)
