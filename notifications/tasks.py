"""Celery tasks: thin, idempotent, taking ids. The schedule is in the outbox rows."""

from __future__ import annotations

from celery import shared_task

from notifications import schedules, services


@shared_task(name="notifications.deliver_due", ignore_result=True)
def deliver_due() -> int:
    """Send what is due. Several may run at once: each claims its own rows."""
    return services.notifications_deliver_due()


@shared_task(name="notifications.sweep", ignore_result=True)
def sweep() -> bool:
    """Beat, every few seconds: settle rows left in doubt, wake workers if anything is due."""
    return services.notifications_sweep()


@shared_task(name="notifications.plan_check_in_reminders", ignore_result=True)
def plan_check_in_reminders() -> int:
    return schedules.check_in_reminders_plan()


@shared_task(name="notifications.send_escalation_digests", ignore_result=True)
def send_escalation_digests() -> int:
    return schedules.escalation_digests_schedule()


@shared_task(name="notifications.trend_review_sweep", ignore_result=True)
def trend_review_sweep() -> int:
    """Nightly: fan the trend rules out over patients with an active program, in batches."""
    batches = schedules.trend_review_patient_batches()
    for patient_ids in batches:
        trend_review_batch.delay(patient_ids)
    return len(batches)


@shared_task(name="notifications.trend_review_batch", ignore_result=True)
def trend_review_batch(patient_ids: list[int]) -> int:
    return schedules.trend_review_batch(patient_ids=patient_ids)
