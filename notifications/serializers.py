"""HTTP shapes of the outbox (API.md, notifications)."""

from __future__ import annotations

from rest_framework import serializers

from notifications.models import Channel, Kind, Notification


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
