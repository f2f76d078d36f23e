"""HTTP layer of the bookings app: appointment types, availability, appointments and the
clinician's calendar feed. Services decide; these views translate HTTP."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import django_filters
from django.http import HttpResponse
from django.utils import timezone
from django.utils.dateparse import parse_date
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.permissions import AllowAny
from rest_framework.renderers import BaseRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from bookings import selectors, services
from bookings.availability import free_slots
from bookings.calendar import clinician_calendar
from bookings.config import CLINIC_TZ, MAX_RANGE_DAYS
from bookings.models import AppointmentStatus
from bookings.serializers import (
    AppointmentBookSerializer,
    AppointmentSerializer,
    AppointmentSeriesBookSerializer,
    AppointmentSeriesSerializer,
    AppointmentTypeSerializer,
    AttendanceQuerySerializer,
    AttendanceSerializer,
    AvailabilityPageSerializer,
    AvailabilityQuerySerializer,
    CalendarFeedCreatedSerializer,
    CalendarFeedStatusSerializer,
    CancelSerializer,
    ClinicDateTimeField,
    RescheduleSerializer,
)
from clinic.api.access_log import AccessLoggedMixin
from clinic.api.filters import ClinicFilterSet, IdFilter, InstantFilter
from clinic.api.permissions import CLINICAL, EVERYONE, STAFF, RoleAllowed
from clinic.models import AccessAction, Clinician, Location, Role
from clinic.selectors import patients_visible_to


class AppointmentTypeViewSet(viewsets.ReadOnlyModelViewSet):
    """What can be booked, and whether patients may book it themselves."""

    serializer_class = AppointmentTypeSerializer
    ordering = ("name", "id")

    def get_queryset(self):
        return selectors.appointment_types_list()


# --- availability ---------------------------------------------------------------------------


def _parse_moment(raw: str, field: str, *, is_end: bool) -> datetime:
    """A date (clinic midnight; an end date is inclusive) or an ISO datetime."""
    try:
        day = parse_date(raw) if len(raw) == 10 else None
    except ValueError as exc:
        raise ValidationError({field: ["Not a real date."]}) from exc
    if day is not None:
        day = day + timedelta(days=1) if is_end else day
        return datetime.combine(day, datetime.min.time(), tzinfo=CLINIC_TZ)
    try:
        return ClinicDateTimeField(default_timezone=CLINIC_TZ).to_internal_value(raw)
    except ValidationError as exc:
        raise ValidationError({field: exc.detail}) from exc


def _slots_json(slots, location_slug: str) -> list[dict]:
    # Slots at the same time share their datetime objects: format each only once.
    formatted: dict[int, str] = {}

    def iso(value: datetime) -> str:
        text = formatted.get(id(value))
        if text is None:
            text = formatted[id(value)] = value.isoformat()
        return text

    return [
        {
            "clinician": slot.clinician_id,
            "location": location_slug,
            "start": iso(slot.start),
            "end": iso(slot.end),
        }
        for slot in slots
    ]


class AvailabilityView(APIView):
    """Free, bookable slots at a location for an appointment type, at most 31 days at a
    time, optionally for one clinician. Never in the past."""

    @extend_schema(
        parameters=[AvailabilityQuerySerializer],
        responses={200: AvailabilityPageSerializer},
    )
    def get(self, request):
        query = AvailabilityQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        location = Location.objects.filter(slug=params["location"]).first()
        if location is None:
            raise ValidationError({"location": ["No such location."]})
        kind = selectors.appointment_types_list().filter(pk=params["appointment_type"]).first()
        if kind is None:
            raise ValidationError({"appointment_type": ["No such appointment type."]})
        now = timezone.now()
        start = _parse_moment(params["start"], "start", is_end=False) if "start" in params else now
        end = (
            _parse_moment(params["end"], "end", is_end=True)
            if "end" in params
            else start + timedelta(days=7)
        )
        if end <= start:
            raise ValidationError({"end": ["The end must be after the start."]})
        if end - start > timedelta(days=MAX_RANGE_DAYS):
            raise ValidationError({"end": [f"Ask for at most {MAX_RANGE_DAYS} days at a time."]})

        patient = None
        if request.user.role == Role.PATIENT:
            patient = getattr(request.user, "patient", None)
        elif "patient" in params:
            patient = patients_visible_to(request.user).filter(pk=params["patient"]).first()
            if patient is None:
                raise ValidationError({"patient": ["No such patient among yours."]})
        slots = free_slots(
            location=location,
            appointment_type=kind,
            start=start,
            end=end,
            clinician_ids=[params["clinician"]] if "clinician" in params else None,
            patient=patient,
            now=now,
        )
        results = _slots_json(slots, location.slug)
        return Response({"next": None, "previous": None, "results": results})


# --- appointments ---------------------------------------------------------------------------


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

    def get_queryset(self):
        if self.action in ("list", "retrieve"):
            return selectors.appointments_shown_to(self.request.user)
        return selectors.appointments_visible_to(self.request.user)

    def _respond(self, appointment, code=status.HTTP_200_OK) -> Response:
        appointment = self.get_queryset().get(pk=appointment.pk)
        return Response(AppointmentSerializer(appointment).data, status=code)

    @extend_schema(
        request=AppointmentBookSerializer,
        responses={
            201: AppointmentSerializer,
            409: OpenApiResponse(description="slot_taken and other conflicts"),
        },
    )
    def create(self, request):
        data = AppointmentBookSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        appointment = services.appointment_book(
            actor=request.user, **_booking_fields(data.validated_data)
        )
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
        data = AppointmentSeriesBookSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        series = services.appointment_series_book(
            actor=request.user,
            **_booking_fields(values),
            occurrences=values["occurrences"],
            interval_days=values["interval_days"],
        )
        appointments = list(self.get_queryset().filter(series=series))
        for appointment in appointments:
            self.log_access(appointment, AccessAction.CREATE)
        body = AppointmentSeriesSerializer(series).data
        body["appointments"] = AppointmentSerializer(appointments, many=True).data
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=CancelSerializer,
        responses={200: AppointmentSerializer},
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """Cancel with a coded reason. Patients: their own, up to 24 hours before."""
        data = CancelSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        appointment = services.appointment_cancel(
            actor=request.user, appointment=self.get_object(), **data.validated_data
        )
        return self._respond(appointment)

    @extend_schema(
        request=RescheduleSerializer,
        responses={200: AppointmentSerializer},
    )
    @action(detail=True, methods=["post"])
    def reschedule(self, request, pk=None):
        """Move to a new start (same clinician, location and type)."""
        data = RescheduleSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        appointment = services.appointment_reschedule(
            actor=request.user, appointment=self.get_object(), start=data.validated_data["start"]
        )
        return self._respond(appointment)

    @extend_schema(request=None, responses={200: AppointmentSerializer})
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        appointment = services.appointment_complete(
            actor=request.user, appointment=self.get_object()
        )
        return self._respond(appointment)

    @extend_schema(request=None, responses={200: AppointmentSerializer})
    @action(detail=True, methods=["post"], url_path="no-show")
    def no_show(self, request, pk=None):
        appointment = services.appointment_mark_no_show(
            actor=request.user, appointment=self.get_object()
        )
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
        query = AttendanceQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        patient = patients_visible_to(request.user).filter(pk=query.validated_data["patient"])
        patient = patient.first()
        if patient is None:
            raise NotFound("No such patient.")
        return Response(AttendanceSerializer(selectors.attendance_of(patient=patient)).data)


# --- calendar feed --------------------------------------------------------------------------


def _own_clinician(request) -> Clinician:
    clinician = Clinician.objects.filter(user=request.user).first()
    if clinician is None:
        raise PermissionDenied("Only clinicians have a calendar feed.")
    return clinician


class CalendarFeedView(APIView):
    """The signed-in clinician's private calendar feed: status, or revoke it."""

    permission_classes = [RoleAllowed]
    roles = frozenset({Role.CLINICIAN})

    @extend_schema(responses={200: CalendarFeedStatusSerializer})
    def get(self, request):
        feed = selectors.CalendarFeed.objects.filter(clinician=_own_clinician(request)).first()
        return Response(
            CalendarFeedStatusSerializer(
                {
                    "active": feed is not None,
                    "created_at": feed.created_at if feed else None,
                    "last_used_at": feed.last_used_at if feed else None,
                }
            ).data
        )

    @extend_schema(responses={204: None})
    def delete(self, request):
        """Revoke: the feed URL stops working."""
        services.calendar_feed_revoke(clinician=_own_clinician(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class CalendarFeedRegenerateView(APIView):
    """A new secret feed URL for the signed-in clinician; the previous one stops working."""

    permission_classes = [RoleAllowed]
    roles = frozenset({Role.CLINICIAN})

    @extend_schema(request=None, responses={201: CalendarFeedCreatedSerializer})
    def post(self, request):
        clinician = _own_clinician(request)
        token = services.calendar_feed_regenerate(clinician=clinician)
        feed = selectors.CalendarFeed.objects.get(clinician=clinician)
        url = request.build_absolute_uri(f"/api/v1/calendar/{token}.ics")
        return Response(
            CalendarFeedCreatedSerializer({"url": url, "created_at": feed.created_at}).data,
            status=status.HTTP_201_CREATED,
        )


class ICalendarRenderer(BaseRenderer):
    media_type = "text/calendar"
    format = "ics"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, bytes):
            return data
        return json.dumps(data).encode()  # an error's problem details


class _FirstRenderer(BaseContentNegotiation):
    """Calendar apps send all kinds of Accept headers; the feed is always iCalendar."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class CalendarFeedICalView(APIView):
    """The feed itself, for calendar apps: the secret token in the URL is the credential."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    renderer_classes = [ICalendarRenderer]
    content_negotiation_class = _FirstRenderer

    @extend_schema(
        auth=[],
        responses={(200, "text/calendar"): OpenApiTypes.STR},
    )
    def get(self, request, token: str):
        feed = selectors.calendar_feed_by_token_hash(services.feed_token_hash(token))
        if feed is None:
            raise NotFound("No calendar feed at this address (it may have been revoked).")
        now = timezone.now()
        if feed.last_used_at is None or now - feed.last_used_at > timedelta(hours=1):
            feed.last_used_at = now
            feed.save(update_fields=["last_used_at"])
        appointments = selectors.calendar_feed_appointments(
            clinician=feed.clinician,
            since=now - timedelta(days=30),
            until=now + timedelta(days=365),
        )
        body = clinician_calendar(
            clinician=feed.clinician,
            appointments=appointments,
            now=now,
            domain=request.get_host().split(":")[0] or "clinic",
        )
        response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
        response["Cache-Control"] = "private, max-age=300"
        return response
