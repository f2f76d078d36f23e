"""GET /api/v1/notifications/: a patient's inbox; for staff, what they may see."""

from __future__ import annotations

from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema, extend_schema_view
from rest_framework import mixins, viewsets

from clinic.api.access_log import AccessLoggedMixin
from clinic.api.filters import ClinicFilterSet
from clinic.api.permissions import EVERYONE, RoleAllowed
from clinic.models import Role
from notifications.models import Notification
from notifications.selectors import notifications_visible_to
from notifications.serializers import InboxItemSerializer, NotificationSerializer


class NotificationFilter(ClinicFilterSet):
    class Meta:
        model = Notification
        fields = ["kind", "status", "channel", "appointment", "escalation", "patient", "program"]


# Staff read the outbox's rows; a patient reads their inbox. Staff first: a patient's item
# lacks the delivery fields, so a client tells them apart by trying the staff shape first.
NOTIFICATION_OR_INBOX_ITEM = PolymorphicProxySerializer(
    component_name="NotificationOrInboxItem",
    serializers=[NotificationSerializer, InboxItemSerializer],
    resource_type_field_name=None,
)


@extend_schema_view(
    list=extend_schema(responses=NOTIFICATION_OR_INBOX_ITEM),
    retrieve=extend_schema(responses=NOTIFICATION_OR_INBOX_ITEM),
)
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

    def get_serializer_class(self):
        if self.request is not None and getattr(self.request.user, "role", None) == Role.PATIENT:
            return InboxItemSerializer
        return NotificationSerializer

    def log_access(self, obj, action=None) -> None:
        # Messages about a patient are part of their record; a digest concerns no one patient.
        if obj.patient_id is not None:
            super().log_access(obj, action)
