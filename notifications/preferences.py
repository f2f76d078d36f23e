"""Writes of a patient's notification preferences: consent per channel, the check-in
reminder time, the language and a pause of reminders.

What a change does to messages not yet sent:

- a channel turned off cancels that channel's pending messages to the patient;
- a channel turned on schedules nothing by itself, and the planner plans no reminder for
  a moment before it was turned on: nothing is sent for a moment that has passed;
- a new check-in time moves pending check-in reminders and nudges to that time on the
  same day, or cancels them when that moment has passed;
- a pause cancels pending check-in reminders and nudges before its date, and the planner
  plans none until then (appointment messages still go out: they are about bookings);
- a new language is the language of the messages not yet sent.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from clinic.errors import InvalidInput
from clinic.models import Patient, User
from clinic.services import patient_update
from clinic.time import at_clinic_time, local_date
from notifications.models import (
    CONSENT_CHANNELS,
    Audience,
    ConsentChange,
    Kind,
    Notification,
    NotificationPreference,
    Status,
)
from notifications.services import notifications_cancel
from notifications.timing import outside_quiet_hours

CHECK_IN_KINDS = (Kind.CHECK_IN_REMINDER, Kind.CHECK_IN_NUDGE)
# Marks "leave as it is" apart from None ("no pause").
UNCHANGED = object()


def _pending_to(patient: Patient):
    return Notification.objects.filter(
        patient=patient, audience=Audience.PATIENT, status=Status.PENDING
    )


@transaction.atomic
def notification_preferences_update(
    *,
    patient: Patient,
    changed_by: User,
    source: str,
    channels: dict[str, bool] | None = None,
    check_in_time: datetime.time | None = None,
    language: str | None = None,
    paused_until: datetime.date | None | object = UNCHANGED,
    now: datetime.datetime | None = None,
) -> NotificationPreference:
    """Apply the changes given; ``source`` says whether the patient changed it in the app
    or staff recorded a consent given at the desk (kept in ``ConsentChange``)."""
    now = now or timezone.now()
    unknown = set(channels or {}) - set(CONSENT_CHANNELS)
    if unknown:
        raise InvalidInput(
            gettext("Unknown channel %(channel)s.") % {"channel": min(unknown)}, field="channels"
        )
    preference, _ = NotificationPreference.objects.select_for_update().get_or_create(
        patient=patient
    )
    changed: list[str] = []

    for channel, granted in (channels or {}).items():
        if getattr(preference, channel) == granted:
            continue
        setattr(preference, channel, granted)
        changed.append(channel)
        ConsentChange.objects.create(
            patient=patient,
            channel=channel,
            granted=granted,
            source=source,
            recorded_by=changed_by,
        )
        if granted:
            preference.channel_turned_on_at = now
            changed.append("channel_turned_on_at")
        else:
            notifications_cancel(patient=patient, audience=Audience.PATIENT, channel=channel)

    if check_in_time is not None and check_in_time != preference.check_in_time:
        preference.check_in_time = check_in_time
        changed.append("check_in_time")
        _move_check_in_reminders(patient, check_in_time, now)

    if paused_until is not UNCHANGED and paused_until != preference.paused_until:
        if paused_until is not None and paused_until <= local_date(now):
            raise InvalidInput(
                gettext("A pause ends on a future date; give null to end a pause."),
                field="paused_until",
            )
        preference.paused_until = paused_until
        changed.append("paused_until")
        if paused_until is not None:
            _pending_to(patient).filter(
                kind__in=CHECK_IN_KINDS,
                send_at__lt=at_clinic_time(paused_until, datetime.time(0)),
            ).update(status=Status.CANCELLED)

    if language is not None and language != patient.language:
        patient_update(patient=patient, updated_by=changed_by, language=language)
        _pending_to(patient).update(language=language)

    if changed:
        preference.save(update_fields=[*dict.fromkeys(changed), "updated_at"])
    return preference


def _move_check_in_reminders(patient: Patient, wall: datetime.time, now: datetime.datetime):
    """Pending reminders go out at the new time of the same day, or not at all once that
    moment has passed (nothing is sent for a moment in the past)."""
    for row in _pending_to(patient).filter(kind__in=CHECK_IN_KINDS).only("id", "send_at"):
        moved = outside_quiet_hours(at_clinic_time(local_date(row.send_at), wall))
        if moved > now:
            Notification.objects.filter(pk=row.pk).update(send_at=moved)
        else:
            Notification.objects.filter(pk=row.pk).update(status=Status.CANCELLED)
