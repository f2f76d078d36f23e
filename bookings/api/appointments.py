"""HTTP layer of bookings: appointment types and appointments. Services decide; these views
translate HTTP."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import django_filters
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from bookings import selectors
from bookings.codes import BookingErrorCode
from bookings.models import AppointmentStatus
from bookings.serializers import (
    AppointmentBookSerializer,
    AppointmentSerializer,
    AppointmentSeriesBookSerializer,
    AppointmentSeriesSerializer,
    AppointmentTypeSerializer,
    AttendanceQuerySerializer,
    AttendanceSerializer,
    CancelSerializer,
    RescheduleSerializer,
)
from bookings.services.appointments import (
    appointment_book,
    appointment_cancel,
    appointment_complete,
    appointment_mark_no_show,
    appointment_reschedule,
    appointment_series_book,
)
from clinic.api.access_log import AccessLoggedMixin
from clinic.api.filters import ClinicFilterSet, IdFilter, InstantFilter
from clinic.api.permissions import CLINICAL, EVERYONE, STAFF, RoleAllowed
from clinic.api.serializers import validated
from clinic.codes import ClinicErrorCode
from clinic.models import AccessAction
from clinic.selectors import patients_visible_to
from clinic.time import CLINIC_TZ


class AppointmentTypeViewSet(viewsets.ReadOnlyModelViewSet):
    """What can be booked, and whether patients may book it themselves."""

    serializer_class = AppointmentTypeSerializer
    ordering = ("name", "id")

    def get_queryset(self):
        return selectors.appointment_types_list()


class AppointmentFilter(ClinicFilterSet):
    patient = IdFilter(field_name="patient_id")
    clinician = IdFilter(field_name="clinician_id")
    location = django_filters.CharFilter(field_name="location__slug")
    status = django_filters.ChoiceFilter(choices=AppointmentStatus.choices)
    start_after = InstantFilter(field_name="start", lookup_expr="gte")
    start_before = InstantFilter(field_name="start", lookup_expr="lt")
    date = django_filters.DateFilter(method="filter_date", label="Clinic-time day (day view)")

    def filter_date(self, queryset, name, value: date):
        day_start = datetime.combine(value, datetime.min.time(), tzinfo=CLINIC_TZ)
        day_end = datetime.combine(value + timedelta(days=1), datetime.min.time(), tzinfo=CLINIC_TZ)
        return queryset.filter(start__gte=day_start, start__lt=day_end)


def _booking_fields(values: dict) -> dict:
    """The service arguments of a booking, from AppointmentBookSerializer's data."""
    return {
        "patient_id": values.get("patient"),
        "clinician": values["clinician"],
        "location": values["location"],
        "appointment_type": values["appointment_type"],
        "start": values["start"],
    }


class AppointmentViewSet(
    AccessLoggedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Appointments. Patients see and book their own; staff those at their locations."""

    serializer_class = AppointmentSerializer
    permission_classes = [RoleAllowed]
    roles = EVERYONE
    roles_for = {"complete": CLINICAL, "no_show": STAFF, "series": STAFF, "attendance": STAFF}
    filterset_class = AppointmentFilter
    ordering = ("start", "id")
    access_log_resource = "appointment"
    # The codes of the booking rules' refusals, per action and status (the OpenAPI
    # document lists them with an example each).
    problem_codes = {
        "create": {
            400: [BookingErrorCode.IN_THE_PAST, BookingErrorCode.OFF_GRID],
            403: [
                ClinicErrorCode.LOCATION_NOT_ALLOWED,
                BookingErrorCode.NO_PATIENT_RECORD,
                BookingErrorCode.NOT_OWN_PATIENT,
            ]
            + [BookingErrorCode.TYPE_NOT_PATIENT_BOOKABLE],
            409: [
                BookingErrorCode.SLOT_TAKEN,
                BookingErrorCode.CLINICIAN_UNAVAILABLE,
                BookingErrorCode.OUTSIDE_WORKING_HOURS,
            ],
        },
        "series": {
            400: [BookingErrorCode.IN_THE_PAST, BookingErrorCode.OFF_GRID],
            403: [ClinicErrorCode.LOCATION_NOT_ALLOWED],
            409: [BookingErrorCode.SERIES_CONFLICT, BookingErrorCode.SLOT_TAKEN],
        },
        "cancel": {
            403: ["permission_denied"],
            409: [BookingErrorCode.INVALID_STATE, BookingErrorCode.TOO_LATE_TO_CANCEL],
        },
        "reschedule": {
            400: [BookingErrorCode.IN_THE_PAST, BookingErrorCode.OFF_GRID],
            403: ["permission_denied"],
            409: [
                BookingErrorCode.SLOT_TAKEN,
                BookingErrorCode.CLINICIAN_UNAVAILABLE,
                BookingErrorCode.OUTSIDE_WORKING_HOURS,
            ]
            + [BookingErrorCode.INVALID_STATE, BookingErrorCode.TOO_LATE_TO_CANCEL],
        },
        "complete": {409: [BookingErrorCode.INVALID_STATE, BookingErrorCode.NOT_STARTED]},
        "no_show": {409: [BookingErrorCode.INVALID_STATE, BookingErrorCode.NOT_STARTED]},
    }

    def get_queryset(self):
        if self.action in ("list", "retrieve"):
            return selectors.appointments_shown_to(self.request.user)
        return selectors.appointments_visible_to(self.request.user)

    def _respond(self, appointment, code=status.HTTP_200_OK) -> Response:
        appointment = self.get_queryset().get(pk=appointment.pk)
        return Response(
            AppointmentSerializer(appointment, context=self.get_serializer_context()).data,
            status=code,
        )

    @extend_schema(
        request=AppointmentBookSerializer,
        responses={
            201: AppointmentSerializer,
            409: OpenApiResponse(description="slot_taken and other conflicts"),
        },
    )
    def create(self, request):
        values = validated(AppointmentBookSerializer, request.data)
        appointment = appointment_book(actor=request.user, **_booking_fields(values))
        self.log_access(appointment, AccessAction.CREATE)
        return self._respond(appointment, status.HTTP_201_CREATED)

    @extend_schema(
        request=AppointmentSeriesBookSerializer,
        responses={
            201: AppointmentSeriesSerializer,
            409: OpenApiResponse(description="series_conflict, with `conflicts`"),
        },
    )
    @action(detail=False, methods=["post"])
    def series(self, request):
        """Book a weekly (or every-N-days) series at the same clinic time: all or nothing."""
        values = validated(AppointmentSeriesBookSerializer, request.data)
        series = appointment_series_book(
            actor=request.user,
            **_booking_fields(values),
            occurrences=values["occurrences"],
            interval_days=values["interval_days"],
        )
        appointments = list(self.get_queryset().filter(series=series))
        for appointment in appointments:
            self.log_access(appointment, AccessAction.CREATE)
        context = self.get_serializer_context()
        body = AppointmentSeriesSerializer(series, context=context).data
        body["appointments"] = AppointmentSerializer(appointments, many=True, context=context).data
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=CancelSerializer,
        responses={200: AppointmentSerializer},
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """Cancel with a coded reason. Patients: their own, up to 24 hours before."""
        values = validated(CancelSerializer, request.data)
        appointment = appointment_cancel(
            actor=request.user, appointment=self.get_object(), **values
        )
        return self._respond(appointment)

    @extend_schema(
        request=RescheduleSerializer,
        responses={200: AppointmentSerializer},
    )
    @action(detail=True, methods=["post"])
    def reschedule(self, request, pk=None):
        """Move to a new start (same clinician, location and type)."""
        start = validated(RescheduleSerializer, request.data)["start"]
        appointment = appointment_reschedule(
            actor=request.user, appointment=self.get_object(), start=start
        )
        return self._respond(appointment)

    @extend_schema(request=None, responses={200: AppointmentSerializer})
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        appointment = appointment_complete(actor=request.user, appointment=self.get_object())
        return self._respond(appointment)

    @extend_schema(request=None, responses={200: AppointmentSerializer})
    @action(detail=True, methods=["post"], url_path="no-show")
    def no_show(self, request, pk=None):
        appointment = appointment_mark_no_show(actor=request.user, appointment=self.get_object())
        return self._respond(appointment)

    @extend_schema(
        parameters=[AttendanceQuerySerializer],
        responses={
            200: AttendanceSerializer,
            404: OpenApiResponse(description="No such patient, or not yours."),
        },
    )
    @action(detail=False, methods=["get"])
    def attendance(self, request):
        """How often a patient came, cancelled and did not show up."""
        query = validated(AttendanceQuerySerializer, request.query_params)
        patient = patients_visible_to(request.user).filter(pk=query["patient"])
        patient = patient.first()
        if patient is None:
            raise NotFound("No such patient.")
        return Response(AttendanceSerializer(selectors.attendance_of(patient=patient)).data)
