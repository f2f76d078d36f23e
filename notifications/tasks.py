"""Celery tasks: thin, idempotent, taking ids. The schedule is in the outbox rows."""

from __future__ import annotations

from celery import shared_task

from notifications import services


@shared_task(name="notifications.deliver_due", ignore_result=True)
def deliver_due() -> int:
    """Send what is due. Several may run at once: each claims its own rows."""
    return services.notifications_deliver_due()


@shared_task(name="notifications.sweep", ignore_result=True)
def sweep() -> bool:
    """Beat, every few seconds: settle rows left in doubt, wake workers if anything is due."""
    return services.notifications_sweep()
