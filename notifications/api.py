"""GET /api/v1/notifications/: a patient's inbox; for staff, what they may see."""

from __future__ import annotations

from rest_framework import mixins, viewsets

from clinic.api.access_log import AccessLoggedMixin
from clinic.api.filters import ClinicFilterSet
from clinic.api.permissions import EVERYONE, RoleAllowed
from notifications.models import Notification
from notifications.selectors import notifications_visible_to
from notifications.serializers import NotificationSerializer


class NotificationFilter(ClinicFilterSet):
    class Meta:
        model = Notification
        fields = ["kind", "status", "channel", "appointment", "escalation", "patient", "program"]


class NotificationViewSet(
    AccessLoggedMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    serializer_class = NotificationSerializer
    permission_classes = [RoleAllowed]
    roles = EVERYONE
    filterset_class = NotificationFilter
    ordering = ("-send_at", "-id")
    access_log_resource = "notification"

    def get_queryset(self):
        return notifications_visible_to(self.request.user)

    def log_access(self, obj, action=None) -> None:
        # Messages about a patient are part of their record; a digest concerns no one patient.
        if obj.patient_id is not None:
            super().log_access(obj, action)
