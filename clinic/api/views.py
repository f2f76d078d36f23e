"""Core API: who am I, locations, clinicians, patients, the access log."""

from __future__ import annotations

import django_filters
from celery import current_app
from django.db import connection
from django.db.models import Q
from django.http import JsonResponse
from django.utils import translation
from django.utils.translation import gettext
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from drf_spectacular.views import SpectacularAPIView
from rest_framework import mixins, serializers, viewsets
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.generics import RetrieveAPIView

from clinic.api.access_log import AccessLoggedMixin
from clinic.api.filters import ClinicFilterSet
from clinic.api.permissions import EVERYONE, STAFF, RoleAllowed
from clinic.api.serializers import (
    AccessLogEntrySerializer,
    ClinicianSerializer,
    LocationSerializer,
    MeSerializer,
    PatientSerializer,
)
from clinic.codes import ClinicErrorCode
from clinic.models import AccessAction, Location, Patient, Role
from clinic.selectors import (
    access_log_for_patient,
    clinicians_list,
    location_ids_of,
    patient_of_account,
    patients_visible_to,
    user_profile,
)
from clinic.services import patient_register, patient_update


def own_patient_or_404(request) -> Patient:
    """The signed-in patient's own record, for the ``/me/...`` endpoints of patients."""
    patient = patient_of_account(request.user)
    if patient is None:
        raise NotFound(gettext("Your account has no patient record."))
    return patient


class MeView(RetrieveAPIView):
    """The signed-in account: role, locations and the patient or clinician it belongs to."""

    serializer_class = MeSerializer

    def get_object(self):
        return user_profile(user=self.request.user)


class LocationViewSet(viewsets.ReadOnlyModelViewSet):
    """The clinic's locations (Rotterdam, Zoetermeer) and their time zone.

    Anything else that names a location (patients, appointments, availability) uses its
    ``slug``.
    """

    serializer_class = LocationSerializer
    queryset = Location.objects.all()
    ordering = "name"


class ClinicianFilter(ClinicFilterSet):
    location = django_filters.CharFilter(field_name="user__locations__slug")


class ClinicianViewSet(viewsets.ReadOnlyModelViewSet):
    """Physiotherapists and the locations they work at; ``?location=`` narrows the list.

    Apps use it to show who a patient can book with.
    """

    serializer_class = ClinicianSerializer
    filterset_class = ClinicianFilter
    ordering = "id"

    def get_queryset(self):
        return clinicians_list()


class PatientFilter(ClinicFilterSet):
    location = django_filters.CharFilter(field_name="location__slug")
    search = django_filters.CharFilter(method="filter_search", label="Name contains")

    class Meta:
        model = Patient
        fields = ["location", "primary_clinician"]

    def filter_search(self, queryset, name, value):
        return queryset.filter(Q(first_name__icontains=value) | Q(last_name__icontains=value))


class PatientViewSet(
    AccessLoggedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Patients' administrative records. Staff see the patients at their locations (and a
    clinician also those they treat); a patient may read only their own record."""

    serializer_class = PatientSerializer
    permission_classes = [RoleAllowed]
    roles = STAFF
    roles_for = {"retrieve": EVERYONE}
    filterset_class = PatientFilter
    ordering = "-id"
    http_method_names = ["get", "post", "patch", "head", "options"]
    access_log_resource = "patient"
    access_log_patient = "pk"
    problem_codes = {
        "create": {409: [ClinicErrorCode.POSSIBLE_DUPLICATE]},
        "partial_update": {409: [ClinicErrorCode.POSSIBLE_DUPLICATE]},
    }

    def get_queryset(self):
        return patients_visible_to(self.request.user)

    def perform_create(self, serializer):
        serializer.instance = patient_register(
            registered_by=self.request.user, **serializer.validated_data
        )
        self.log_access(serializer.instance, AccessAction.CREATE)

    def perform_update(self, serializer):
        serializer.instance = patient_update(
            patient=serializer.instance, updated_by=self.request.user, **serializer.validated_data
        )


class AccessLogViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Managers: who read or changed a patient's record (``?patient=`` is required)."""

    serializer_class = AccessLogEntrySerializer
    permission_classes = [RoleAllowed]
    roles = frozenset({Role.MANAGER})
    ordering = "-id"

    @extend_schema(
        parameters=[
            inline_serializer("AccessLogQuery", {"patient": serializers.IntegerField(min_value=1)})
        ],
        responses={
            200: AccessLogEntrySerializer(many=True),
            404: OpenApiResponse(description="No such patient at your locations."),
        },
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return access_log_for_patient(patient=None)
        raw = self.request.query_params.get("patient")
        if not raw or not raw.isdigit():
            raise ValidationError({"patient": [gettext("Give the id of one patient.")]})
        patient = Patient.objects.filter(
            pk=int(raw), location_id__in=location_ids_of(self.request.user)
        ).first()
        if patient is None:
            raise NotFound("No such patient at your locations.")
        return access_log_for_patient(patient=patient)


@extend_schema(exclude=True)
def healthz(request):
    """200 when the database and the broker answer, 503 otherwise."""
    checks = {"database": "ok", "broker": "ok"}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:  # noqa: BLE001 - any failure means "down"
        checks["database"] = f"error: {exc.__class__.__name__}"
    try:
        # The project's Celery app (config.celery), which makes itself the current one.
        with current_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=2)
    except Exception as exc:  # noqa: BLE001
        checks["broker"] = f"error: {exc.__class__.__name__}"
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", **checks}, status=200 if healthy else 503
    )


class EnglishSchemaView(SpectacularAPIView):
    """The OpenAPI document in English whatever the request asks: it is the contract for
    developers, and ``?lang=`` or Accept-Language would otherwise translate DRF's texts."""

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def dispatch(self, request, *args, **kwargs):
        with translation.override("en"):
            response = super().dispatch(request, *args, **kwargs)
            # Render now: help texts are lazy and would otherwise follow the request later.
            response.render()
        response["Content-Language"] = "en"
        return response

    def _get_schema_response(self, request):
        # drf-spectacular switches to ``?lang=`` around this; English wins.
        with translation.override("en"):
            return super()._get_schema_response(request)
