"""GET /api/v1/notifications/: a patient's inbox; for staff, what they may see. And the
patient's notification preferences: /me/preferences/, /patients/{id}/preferences/."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext
from drf_spectacular.utils import (
    OpenApiExample,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from clinic.api.access_log import AccessLoggedMixin
from clinic.api.filters import ClinicFilterSet
from clinic.api.permissions import EVERYONE, PATIENT_ONLY, STAFF, RoleAllowed
from clinic.api.serializers import validated
from clinic.api.views import own_patient_or_404
from clinic.errors import InvalidInput
from clinic.models import Role
from clinic.selectors import patients_visible_to
from notifications.models import ConsentSource, Notification
from notifications.preferences import notification_preferences_update
from notifications.selectors import notifications_visible_to
from notifications.serializers import (
    InboxItemSerializer,
    NotificationSerializer,
    PreferencesSerializer,
)
from notifications.services import preference_of


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


PREFERENCES_EXAMPLE = {
    "channels": {"email": True, "sms": False, "push": True, "in_app": True},
    "check_in_time": "18:30",
    "language": "nl",
    "paused_until": None,
    "updated_at": "2027-03-02T10:15:00+01:00",
}


def preferences_schema(*, shown: str, change: str, changes: dict):
    """GET and PATCH of a preferences view in the OpenAPI document: the preferences under
    the name ``shown``, and a PATCH of ``changes`` under the name ``change``."""
    return extend_schema_view(
        get=extend_schema(
            responses=PreferencesSerializer,
            examples=[OpenApiExample(shown, value=PREFERENCES_EXAMPLE)],
        ),
        patch=extend_schema(
            request=PreferencesSerializer,
            responses=PreferencesSerializer,
            examples=[
                OpenApiExample(change, value=changes, request_only=True),
                OpenApiExample(
                    "The preferences after the change",
                    value=PREFERENCES_EXAMPLE,
                    response_only=True,
                ),
            ],
        ),
    )


class PreferencesViewMixin(AccessLoggedMixin):
    """Read and change one patient's notification preferences through the service."""

    permission_classes = [RoleAllowed]
    access_log_resource = "notification_preference"
    access_log_patient = "pk"
    source = ConsentSource.APP

    def answer(self, patient) -> Response:
        data = PreferencesSerializer.shown(preference_of(patient), patient)
        return Response(PreferencesSerializer(data).data)

    def patient(self, request, **kwargs):
        """The patient whose preferences the path names."""
        raise NotImplementedError

    def get(self, request, **kwargs):
        patient = self.patient(request, **kwargs)
        self.log_access(patient)
        return self.answer(patient)

    def patch(self, request, **kwargs):
        patient = self.patient(request, **kwargs)
        changes = dict(validated(PreferencesSerializer, request.data, partial=True))
        self.check_may_change(changes)
        notification_preferences_update(
            patient=patient, changed_by=request.user, source=self.source, **changes
        )
        self.log_access(patient)
        patient.refresh_from_db(fields=["language"])
        return self.answer(patient)

    def check_may_change(self, changes: dict) -> None:
        """Everything a patient may change; staff override this."""


@preferences_schema(
    shown="Defaults, reminder at 18:30",
    change="No SMS, reminders paused for a holiday",
    changes={"channels": {"sms": False}, "paused_until": "2027-08-01"},
)
class MyPreferencesView(PreferencesViewMixin, APIView):
    """How I want to be reached: consent per channel, the time of my check-in reminder, my
    language, and a pause of reminders until a date. Turning a channel off cancels its
    messages not yet sent; turning one on sends nothing for a moment that has passed."""

    roles = PATIENT_ONLY

    def patient(self, request):
        return own_patient_or_404(request)


@preferences_schema(
    shown="A patient's preferences",
    change="Consent for SMS given at the desk",
    changes={"channels": {"sms": True}},
)
class PatientPreferencesView(PreferencesViewMixin, APIView):
    """Staff read a patient's preferences; the front desk (and managers) record a consent
    the patient gave at the desk. The consent change is kept with who recorded it."""

    roles = STAFF
    roles_for = {"patch": frozenset({Role.FRONT_DESK, Role.MANAGER})}
    source = ConsentSource.DESK

    def patient(self, request, id: int):
        return get_object_or_404(patients_visible_to(request.user), pk=id)

    def check_may_change(self, changes: dict) -> None:
        others = sorted(set(changes) - {"channels"})
        if others:
            raise InvalidInput(
                gettext(
                    "At the desk only consent per channel is recorded; the patient sets the rest."
                ),
                field=others[0],
            )
