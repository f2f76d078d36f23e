"""Celery tasks of the programs app: thin and idempotent. Check-in reminders and missed
check-ins every half hour, the morning digest of open escalations, the nightly trend review."""

from __future__ import annotations

from celery import shared_task

from programs import notifications
from programs.services import check_ins


@shared_task(name="programs.plan_check_in_reminders", ignore_result=True)
def plan_check_in_reminders() -> int:
    return notifications.check_in_reminders_plan()


@shared_task(name="programs.send_escalation_digests", ignore_result=True)
def send_escalation_digests() -> int:
    return notifications.escalation_digests_schedule()


@shared_task(name="programs.trend_review_sweep", ignore_result=True)
def trend_review_sweep() -> int:
    """Nightly: fan the trend rules out over patients with an active program, in batches."""
    batches = check_ins.trend_review_patient_batches()
    for patient_ids in batches:
        trend_review_batch.delay(patient_ids)
    return len(batches)


@shared_task(name="programs.trend_review_batch", ignore_result=True)
def trend_review_batch(patient_ids: list[int]) -> int:
    return check_ins.trend_review_batch(patient_ids=patient_ids)


# The names these tasks had while they lived in the outbox app, so that messages queued
# before a deploy still run. Remove them one release after the move.


@shared_task(name="notifications.plan_check_in_reminders", ignore_result=True)
def former_plan_check_in_reminders() -> int:
    return plan_check_in_reminders()


@shared_task(name="notifications.send_escalation_digests", ignore_result=True)
def former_send_escalation_digests() -> int:
    return send_escalation_digests()


@shared_task(name="notifications.trend_review_sweep", ignore_result=True)
def former_trend_review_sweep() -> int:
    return trend_review_sweep()


@shared_task(name="notifications.trend_review_batch", ignore_result=True)
def former_trend_review_batch(patient_ids: list[int]) -> int:
    return trend_review_batch(patient_ids)
