"""The bookings' messages to patients: confirmation, reminder and cancellation of an
appointment. Registered with the outbox in ``BookingsConfig.ready()``; the receivers below
schedule them in the transaction of the booking change that causes them."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.dispatch import receiver
from django.utils import timezone

from bookings.models import Appointment, AppointmentStatus
from clinic import events
from notifications.kinds import MessageKinds, register
from notifications.models import Kind, Notification, Status
from notifications.services import notifications_cancel, notify_patient
from notifications.timing import outside_quiet_hours

# Messages that announce an appointment (and are withdrawn when it moves or is off).
ANNOUNCING_KINDS = (Kind.APPOINTMENT_CONFIRMATION, Kind.APPOINTMENT_REMINDER)
# Administrative messages about appointments: the front desk may read them.
APPOINTMENT_KINDS = (*ANNOUNCING_KINDS, Kind.APPOINTMENT_CANCELLED)


def _grace() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.NOTIFICATION_GRACE_SECONDS)


def appointment_messages_schedule(
    *, appointment: Appointment, now: datetime.datetime | None = None
) -> int:
    """On booking (and after a move): a confirmation after the grace delay and a reminder
    ``NOTIFICATION_APPOINTMENT_REMINDER_HOURS`` before the start. Inside the reminder
    window the reminder is the only message. Messages for an earlier start are cancelled."""
    now = now or timezone.now()
    start_key = appointment.start.astimezone(datetime.UTC).strftime("%Y%m%dT%H%MZ")
    stale = Notification.objects.filter(appointment=appointment, kind__in=ANNOUNCING_KINDS).exclude(
        idempotency_key__contains=f":{start_key}:"
    )
    notifications_cancel(pk__in=stale.values("pk"))
    released = now + _grace()
    remind_at = appointment.start - datetime.timedelta(
        hours=settings.NOTIFICATION_APPOINTMENT_REMINDER_HOURS
    )
    plan = []
    if outside_quiet_hours(remind_at) > released:
        plan = [(Kind.APPOINTMENT_CONFIRMATION, released), (Kind.APPOINTMENT_REMINDER, remind_at)]
    else:
        plan = [(Kind.APPOINTMENT_REMINDER, released)]
    patient = appointment.patient
    written = 0
    for kind, send_at in plan:
        if outside_quiet_hours(send_at) >= appointment.start:
            continue  # the quiet hours would hold it until after the appointment
        written += notify_patient(
            patient,
            kind=kind,
            key=f"{kind}:{appointment.pk}:{start_key}",
            send_at=send_at,
            appointment=appointment,
        )
    return written


def appointment_messages_cancel(
    *, appointment: Appointment, now: datetime.datetime | None = None
) -> int:
    """The appointment is off: its pending messages are cancelled. If the patient had
    already been told about it, they are told it is cancelled."""
    now = now or timezone.now()
    announced = Notification.objects.filter(
        appointment=appointment,
        kind__in=ANNOUNCING_KINDS,
        status__in=[Status.SENT, Status.SENDING],
    ).exists()
    cancelled = notifications_cancel(appointment=appointment, kind__in=ANNOUNCING_KINDS)
    if announced and appointment.start > now:
        notify_patient(
            appointment.patient,
            kind=Kind.APPOINTMENT_CANCELLED,
            key=f"appointment_cancelled:{appointment.pk}",
            send_at=now,
            appointment=appointment,
        )
    return cancelled


def appointment_reminders_cancel(*, appointment: Appointment) -> int:
    """Completed: nothing left to remind of (a no-show's reminders are obsolete at send
    time)."""
    return notifications_cancel(appointment=appointment, kind__in=APPOINTMENT_KINDS)


def _announcement_obsolete(row: Notification, facts: dict) -> str:
    appointment = row.appointment
    if appointment is None or appointment.status != AppointmentStatus.BOOKED:
        return "The appointment is no longer booked."
    if appointment.start <= timezone.now():
        return "The appointment has already started."
    return ""


# What the texts show of an appointment: where, with whom, what.
APPOINTMENT_RELATED = (
    "appointment__location",
    "appointment__clinician__user",
    "appointment__appointment_type",
)


def register_message_kinds() -> None:
    register(
        MessageKinds(
            kinds=ANNOUNCING_KINDS,
            related=APPOINTMENT_RELATED,
            obsolete=_announcement_obsolete,
            front_desk_may_see=True,
        )
    )
    register(
        MessageKinds(
            kinds=(Kind.APPOINTMENT_CANCELLED,),
            related=APPOINTMENT_RELATED,
            front_desk_may_see=True,
        )
    )


# --- the events that schedule or cancel them --------------------------------------------


@receiver(events.appointment_booked, dispatch_uid="bookings.appointment_booked")
@receiver(events.appointment_rescheduled, dispatch_uid="bookings.appointment_rescheduled")
def on_appointment_booked_or_moved(sender, *, appointment, **kwargs) -> None:
    appointment_messages_schedule(appointment=appointment)


@receiver(events.appointment_cancelled, dispatch_uid="bookings.appointment_cancelled")
def on_appointment_cancelled(sender, *, appointment, **kwargs) -> None:
    appointment_messages_cancel(appointment=appointment)


@receiver(events.appointment_completed, dispatch_uid="bookings.appointment_completed")
def on_appointment_completed(sender, *, appointment, **kwargs) -> None:
    appointment_reminders_cancel(appointment=appointment)
