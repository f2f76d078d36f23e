"""HTTP shapes of the outbox (API.md, notifications)."""

from __future__ import annotations

from rest_framework import serializers

from clinic.models import Role
from notifications.models import Notification


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

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        if request is not None and request.user.role == Role.PATIENT:
            # Delivery troubles are the clinic's business, not the patient's.
            data["last_error"] = ""
        return data
