"""The notification outbox, patients' channel choices, and marks of scheduled work done.

Every message is first a ``Notification`` row, written in the same transaction as the change
that causes it. Delivery (``services.notifications_deliver_due``) claims due rows and sends
them; the row's ``send_at`` is the schedule, so nothing depends on a broker message surviving.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from clinic.models import Language, Patient


class Kind(models.TextChoices):
    APPOINTMENT_CONFIRMATION = "appointment_confirmation", _("Appointment confirmation")
    APPOINTMENT_REMINDER = "appointment_reminder", _("Appointment reminder")
    APPOINTMENT_CANCELLED = "appointment_cancelled", _("Appointment cancelled")
    CHECK_IN_REMINDER = "check_in_reminder", _("Check-in reminder")
    CHECK_IN_NUDGE = "check_in_nudge", _("Check-in nudge")
    ESCALATION_NOTICE = "escalation_notice", _("Escalation notice")
    ESCALATION_UNACKNOWLEDGED = "escalation_unacknowledged", _("Urgent escalation unacknowledged")
    ESCALATION_DIGEST = "escalation_digest", _("Daily escalation digest")
    # accounts
    APP_INVITATION = "app_invitation", _("App invitation")
    PASSWORD_RESET = "password_reset", _("Password reset link")


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")
    PUSH = "push", _("Push")
    IN_APP = "in_app", _("In the app")


class Audience(models.TextChoices):
    PATIENT = "patient", _("Patient")
    STAFF = "staff", _("Staff")


class Status(models.TextChoices):
    PENDING = "pending", _("Pending")
    # Claimed by a worker; if the worker dies, the row is "in doubt" once the lease ends.
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")
    # Due before the database was restored from a backup, on a channel that cannot tell
    # whether it already has the message: staff decide whether to send it (admin action).
    HELD = "held", _("Held after a restore")


class Notification(models.Model):
    """One message to one recipient over one channel."""

    kind = models.CharField(max_length=40, choices=Kind.choices, verbose_name=_("kind"))
    channel = models.CharField(max_length=10, choices=Channel.choices, verbose_name=_("channel"))
    audience = models.CharField(max_length=10, choices=Audience.choices, verbose_name=_("audience"))
    patient = models.ForeignKey(
        Patient,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
        help_text="The patient the message is for or about.",
        verbose_name=_("patient"),
    )
    recipient_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
        help_text="The account that receives it (staff, or the patient's app account).",
        verbose_name=_("recipient user"),
    )
    address = models.CharField(
        max_length=254,
        blank=True,
        help_text="E-mail address, phone number or account used.",
        verbose_name=_("address"),
    )
    language = models.CharField(
        max_length=2, choices=Language.choices, default=Language.DUTCH, verbose_name=_("language")
    )
    appointment = models.ForeignKey(
        "bookings.Appointment",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("appointment"),
    )
    escalation = models.ForeignKey(
        "escalations.Escalation",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("escalation"),
    )
    program = models.ForeignKey(
        "programs.Program",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("program"),
    )
    send_at = models.DateTimeField(verbose_name=_("send at"))
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING, verbose_name=_("status")
    )
    attempts = models.PositiveSmallIntegerField(default=0, verbose_name=_("attempts"))
    last_error = models.TextField(blank=True, verbose_name=_("last error"))
    claimed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("claimed at"))
    claim_token = models.CharField(max_length=32, blank=True, verbose_name=_("claim token"))
    sent_at = models.DateTimeField(null=True, blank=True, verbose_name=_("sent at"))
    # Derived from the cause (e.g. "check_in_reminder:<program>:<date>:<channel>"), so the
    # same cause scheduled twice (two beats, a retried request) is one message.
    idempotency_key = models.CharField(
        max_length=200, unique=True, verbose_name=_("idempotency key")
    )
    subject = models.CharField(
        max_length=200, blank=True, help_text="Rendered when sent.", verbose_name=_("subject")
    )
    body = models.TextField(blank=True, help_text="Rendered when sent.", verbose_name=_("body"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-send_at", "-id"]
        indexes = [
            # The delivery query: due pending rows, oldest first.
            models.Index(
                fields=["send_at", "id"],
                condition=Q(status="pending"),
                name="notification_due",
            ),
            models.Index(
                fields=["claimed_at"], condition=Q(status="sending"), name="notification_in_doubt"
            ),
            models.Index(fields=["patient", "-send_at"]),
            models.Index(fields=["recipient_user", "-send_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=Kind.values), name="notification_kind_known"
            ),
            models.CheckConstraint(
                condition=Q(channel__in=Channel.values), name="notification_channel_known"
            ),
            models.CheckConstraint(
                condition=Q(status__in=Status.values), name="notification_status_known"
            ),
            models.CheckConstraint(
                condition=Q(status="sent", sent_at__isnull=False) | ~Q(status="sent"),
                name="notification_sent_has_time",
            ),
            models.CheckConstraint(
                condition=Q(patient__isnull=False) | Q(recipient_user__isnull=False),
                name="notification_has_recipient",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} via {self.channel} at {self.send_at:%Y-%m-%d %H:%M} ({self.status})"


DEFAULT_CHECK_IN_TIME = datetime.time(18, 0)


class NotificationPreference(models.Model):
    """A patient's consent per channel, preferred check-in time and a pause of reminders.
    Absent means the defaults. The patient changes it in the app (``/me/preferences/``);
    the front desk records consent given at the desk; every consent change is kept in
    ``ConsentChange``."""

    patient = models.OneToOneField(
        Patient,
        on_delete=models.CASCADE,
        related_name="notification_preference",
        verbose_name=_("patient"),
    )
    email = models.BooleanField(default=True, verbose_name=_("email"))
    sms = models.BooleanField(default=False, verbose_name=_("sms"))
    push = models.BooleanField(default=True, verbose_name=_("push"))
    in_app = models.BooleanField(default=True, verbose_name=_("in app"))
    check_in_time = models.TimeField(
        default=DEFAULT_CHECK_IN_TIME,
        help_text="Local clinic time of the check-in reminder.",
        verbose_name=_("check in time"),
    )
    paused_until = models.DateField(
        null=True,
        blank=True,
        help_text="No check-in reminders before this date.",
        verbose_name=_("paused until"),
    )
    channel_turned_on_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When a channel was last turned on; no reminder is planned for before then.",
        verbose_name=_("channel turned on at"),
    )
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return f"Notification preferences of {self.patient}"

    def allows(self, channel: str) -> bool:
        return bool(getattr(self, channel, False))

    def paused_on(self, day: datetime.date) -> bool:
        return self.paused_until is not None and day < self.paused_until


CONSENT_CHANNELS = (Channel.EMAIL, Channel.SMS, Channel.PUSH, Channel.IN_APP)


class ConsentSource(models.TextChoices):
    APP = "app", _("The patient, in the app")
    DESK = "desk", _("Given at the desk, recorded by staff")


class ConsentChange(models.Model):
    """One channel's consent given or withdrawn: by whom, how, when. Append-only."""

    patient = models.ForeignKey(
        Patient, on_delete=models.CASCADE, related_name="consent_changes", verbose_name=_("patient")
    )
    channel = models.CharField(max_length=10, choices=Channel.choices, verbose_name=_("channel"))
    granted = models.BooleanField(verbose_name=_("granted"))
    source = models.CharField(
        max_length=10, choices=ConsentSource.choices, verbose_name=_("source")
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    at = models.DateTimeField(auto_now_add=True, verbose_name=_("at"))

    class Meta:
        verbose_name = _("consent change")
        verbose_name_plural = _("consent changes")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["patient", "-at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(channel__in=Channel.values), name="consent_change_channel_known"
            ),
            models.CheckConstraint(
                condition=Q(source__in=ConsentSource.values), name="consent_change_source_known"
            ),
        ]

    def __str__(self) -> str:
        verb = "gave" if self.granted else "withdrew"
        return f"{self.patient} {verb} consent for {self.channel} ({self.source})"


class ScheduleMark(models.Model):
    """A unit of scheduled work already done (a nightly sweep, a missed-check-in
    escalation), so two beats or a retried task never do it twice."""

    key = models.CharField(max_length=200, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.key
