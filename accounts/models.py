"""App invitations and the authentication event log.

Passwords, two-factor devices (django-otp) and refresh tokens (simplejwt's blacklist) live
in their libraries' tables; this app keeps what those do not: the invitation that turns a
patient's record into an app account, and an append-only log of what happened to accounts.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from clinic.models import Location, Patient


class AppInvitation(models.Model):
    """A single-use, expiring invitation to activate a patient's app account.

    Only a SHA-256 hash of the token is stored. The token itself is derived from the
    secret key and ``nonce`` when the message is sent (so a retried delivery sends the same
    token), and appears only in the e-mail or SMS that leaves the clinic.
    """

    patient = models.ForeignKey(
        Patient, on_delete=models.PROTECT, related_name="+", verbose_name=_("patient")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The pending app account the invitation activates.",
        verbose_name=_("user"),
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("invited by"),
    )
    nonce = models.CharField(max_length=64, editable=False, verbose_name=_("nonce"))
    token_hash = models.CharField(
        max_length=64, unique=True, editable=False, verbose_name=_("token hash")
    )
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created at"))
    expires_at = models.DateTimeField(verbose_name=_("expires at"))
    used_at = models.DateTimeField(null=True, blank=True, verbose_name=_("used at"))
    revoked_at = models.DateTimeField(null=True, blank=True, verbose_name=_("revoked at"))

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("app invitation")
        verbose_name_plural = _("app invitations")
        constraints = [
            # A new invitation revokes the earlier one: at most one is open per patient.
            models.UniqueConstraint(
                fields=["patient"],
                condition=Q(used_at__isnull=True, revoked_at__isnull=True),
                name="one_open_invitation_per_patient",
            ),
            models.CheckConstraint(
                condition=Q(used_at__isnull=True) | Q(revoked_at__isnull=True),
                name="invitation_used_or_revoked_not_both",
            ),
        ]

    def __str__(self) -> str:
        return f"App invitation {self.pk} for patient {self.patient_id}"

    @property
    def state(self) -> str:
        if self.used_at:
            return "used"
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "open"


class AuthEventKind(models.TextChoices):
    INVITATION_SENT = "invitation_sent", _("App invitation sent")
    ACCOUNT_ACTIVATED = "account_activated", _("App account activated")
    PASSWORD_RESET_REQUESTED = "password_reset_requested", _("Password reset requested")
    # Its own context: Django's admin titles its reset page with the same msgid.
    PASSWORD_RESET = "password_reset", pgettext_lazy("authentication event", "Password reset")
    PASSWORD_CHANGED = "password_changed", _("Password changed")
    TWO_FACTOR_ENROLLED = "two_factor_enrolled", _("Two-factor authentication enrolled")
    TWO_FACTOR_VERIFIED = "two_factor_verified", _("Two-factor code accepted")
    TWO_FACTOR_RECOVERY_USED = "two_factor_recovery_used", _("Recovery code used")
    TWO_FACTOR_FAILED = "two_factor_failed", _("Two-factor code refused")
    APP_ACCESS_DEACTIVATED = "app_access_deactivated", _("App access deactivated")


class AuthEvent(models.Model):
    """Something that happened to an account: who it concerned, who did it, when, and from
    which address. Never a password, token or code.

    Append-only: the application never updates or deletes events, and on PostgreSQL a
    trigger refuses it too (like the access log).
    """

    kind = models.CharField(max_length=40, choices=AuthEventKind.choices, verbose_name=_("kind"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The account it concerns; empty for an address no account has.",
        verbose_name=_("user"),
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who did it, when that is not the account holder (staff inviting).",
        verbose_name=_("actor"),
    )
    patient = models.ForeignKey(
        Patient,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("patient"),
    )
    location = models.ForeignKey(
        Location,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The patient's location; staff events are scoped by the staff's locations.",
        verbose_name=_("location"),
    )
    address = models.GenericIPAddressField(null=True, blank=True, verbose_name=_("address"))
    detail = models.JSONField(default=dict, blank=True, verbose_name=_("detail"))
    at = models.DateTimeField(default=timezone.now, db_index=True, verbose_name=_("at"))

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("authentication event")
        verbose_name_plural = _("authentication events")
        indexes = [models.Index(fields=["user", "kind", "-at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=AuthEventKind.values), name="auth_event_kind_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.kind} user {self.user_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Authentication events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Authentication events are append-only.")
