"""Receivers of domain events (clinic.events) that write outbox rows.

They run inside the sender's transaction: the message is scheduled together with the change
that causes it, or not at all.
"""

from __future__ import annotations

from django.dispatch import receiver

from clinic import events
from notifications import schedules


@receiver(events.appointment_booked, dispatch_uid="notifications.appointment_booked")
@receiver(events.appointment_rescheduled, dispatch_uid="notifications.appointment_rescheduled")
def on_appointment_booked_or_moved(sender, *, appointment, **kwargs) -> None:
    schedules.appointment_messages_schedule(appointment=appointment)


@receiver(events.appointment_cancelled, dispatch_uid="notifications.appointment_cancelled")
def on_appointment_cancelled(sender, *, appointment, **kwargs) -> None:
    schedules.appointment_messages_cancel(appointment=appointment)


@receiver(events.appointment_completed, dispatch_uid="notifications.appointment_completed")
def on_appointment_completed(sender, *, appointment, **kwargs) -> None:
    schedules.appointment_reminders_cancel(appointment=appointment)


@receiver(events.escalation_opened, dispatch_uid="notifications.escalation_opened")
def on_escalation_opened(sender, *, escalation, **kwargs) -> None:
    schedules.escalation_notices_schedule(escalation=escalation)


@receiver(events.escalation_updated, dispatch_uid="notifications.escalation_updated")
def on_escalation_updated(sender, *, escalation, **kwargs) -> None:
    # A repeat may have made it urgent; arming twice writes one row (same key).
    schedules.escalation_unacknowledged_arm(escalation=escalation)


@receiver(events.escalation_acknowledged, dispatch_uid="notifications.escalation_acknowledged")
@receiver(events.escalation_resolved, dispatch_uid="notifications.escalation_resolved")
def on_escalation_seen(sender, *, escalation, **kwargs) -> None:
    schedules.escalation_unacknowledged_disarm(escalation=escalation)


@receiver(events.check_in_submitted, dispatch_uid="notifications.check_in_submitted")
def on_check_in_submitted(sender, *, check_in, **kwargs) -> None:
    if check_in.program_id:
        schedules.check_in_reminders_cancel(program=check_in.program)


@receiver(events.program_closed, dispatch_uid="notifications.program_closed")
def on_program_closed(sender, *, program, **kwargs) -> None:
    schedules.check_in_reminders_cancel(program=program)
