"""HTTP shapes of the outbox (API.md, notifications)."""

from __future__ import annotations

from django.utils.translation import gettext
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from clinic.models import Language
from notifications.models import CONSENT_CHANNELS, Channel, Kind, Notification


class NotificationSerializer(serializers.ModelSerializer):
    recipient = serializers.CharField(
        source="address", read_only=True, help_text="The e-mail address, phone or account used."
    )

    class Meta:
        model = Notification
        fields = [
            "id",
            "kind",
            "channel",
            "recipient",
            "recipient_user",
            "patient",
            "language",
            "status",
            "send_at",
            "sent_at",
            "appointment",
            "escalation",
            "program",
            "subject",
            "body",
            "attempts",
            "last_error",
            "created_at",
        ]
        read_only_fields = fields


class InboxItemSerializer(serializers.ModelSerializer):
    """A message in a patient's own inbox: what it says and what it is about, without the
    outbox's delivery details (attempts, errors, claims), which are the clinic's business.
    API.md's fields stay: ``recipient`` is the patient's own e-mail address or phone
    number, or ``you`` for the app."""

    recipient = serializers.SerializerMethodField()
    subject = serializers.SerializerMethodField()
    text = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = [
            "id",
            "kind",
            "channel",
            "recipient",
            "status",
            "send_at",
            "sent_at",
            "appointment",
            "escalation",
            "program",
            "subject",
            "text",
        ]
        read_only_fields = fields

    def get_recipient(self, notification: Notification) -> str:
        if notification.channel in (Channel.EMAIL, Channel.SMS):
            return notification.address
        return "you"

    def get_subject(self, notification: Notification) -> str | None:
        """The subject line, or null for messages without one (SMS, push, not yet sent)."""
        return notification.subject or None

    def get_text(self, notification: Notification) -> str:
        """The message itself once written; before that, what kind of message it is."""
        return notification.body or notification.subject or Kind(notification.kind).label


class StrictBooleanField(serializers.BooleanField):
    """Only JSON true or false: consent is never inferred from 0, "yes" or "on"."""

    def to_internal_value(self, data):
        if not isinstance(data, bool):
            self.fail("invalid", input=data)
        return data


class ChannelsSerializer(serializers.Serializer):
    """Consent per channel; a PATCH may give only the channels it changes."""

    closed_document = True  # an unknown channel is refused, and the schema says so

    email = StrictBooleanField(required=False)
    sms = StrictBooleanField(required=False)
    push = StrictBooleanField(required=False)
    in_app = StrictBooleanField(required=False)

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(CONSENT_CHANNELS))
            if unknown:
                known = ", ".join(CONSENT_CHANNELS)
                raise serializers.ValidationError(
                    [
                        gettext("Unknown channel %(channel)s; known: %(known)s.")
                        % {"channel": name, "known": known}
                        for name in unknown
                    ]
                )
        return super().to_internal_value(data)


@extend_schema_field(
    {"type": "string", "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9]$", "example": "18:00"}
)
class ClockTimeField(serializers.TimeField):
    """A wall-clock time as ``HH:MM`` (OpenAPI's ``time`` format wants seconds and an
    offset)."""

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", input_formats=["%H:%M"], **kwargs)


class PreferencesSerializer(serializers.Serializer):
    """``/me/preferences/`` and ``/patients/{id}/preferences/``."""

    channels = ChannelsSerializer(required=False)
    check_in_time = ClockTimeField(
        required=False,
        help_text="HH:MM, clinic time, of the check-in reminder.",
    )
    language = serializers.ChoiceField(choices=Language.choices, required=False)
    paused_until = serializers.DateField(
        allow_null=True, required=False, help_text="No check-in reminders before this date."
    )
    updated_at = serializers.DateTimeField(read_only=True, allow_null=True)

    @staticmethod
    def shown(preference, patient) -> dict:
        return {
            "channels": {channel: preference.allows(channel) for channel in CONSENT_CHANNELS},
            "check_in_time": preference.check_in_time,
            "language": patient.language,
            "paused_until": preference.paused_until,
            "updated_at": preference.updated_at,
        }
