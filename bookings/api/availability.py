"""HTTP layer of bookings: free slots."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext
from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from bookings import selectors
from bookings.availability import free_slots
from bookings.config import MAX_RANGE_DAYS
from bookings.serializers import (
    AvailabilityPageSerializer,
    AvailabilityQuerySerializer,
    ClinicDateTimeField,
)
from clinic.api.serializers import validated
from clinic.models import Location, Role
from clinic.selectors import patients_visible_to
from clinic.time import CLINIC_TZ


def _parse_moment(raw: str, field: str, *, is_end: bool) -> datetime:
    """A date (clinic midnight; an end date is inclusive) or an ISO datetime."""
    try:
        day = parse_date(raw) if len(raw) == 10 else None
    except ValueError as exc:
        raise ValidationError({field: [gettext("Not a real date.")]}) from exc
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
        params = validated(AvailabilityQuerySerializer, request.query_params)
        location = Location.objects.filter(slug=params["location"]).first()
        if location is None:
            raise ValidationError({"location": [gettext("No such location.")]})
        kind = selectors.appointment_types_list().filter(pk=params["appointment_type"]).first()
        if kind is None:
            raise ValidationError({"appointment_type": [gettext("No such appointment type.")]})
        now = timezone.now()
        start = _parse_moment(params["start"], "start", is_end=False) if "start" in params else now
        end = (
            _parse_moment(params["end"], "end", is_end=True)
            if "end" in params
            else start + timedelta(days=7)
        )
        if end <= start:
            raise ValidationError({"end": [gettext("The end must be after the start.")]})
        if end - start > timedelta(days=MAX_RANGE_DAYS):
            raise ValidationError(
                {
                    "end": [
                        gettext("Ask for at most %(days)s days at a time.")
                        % {"days": MAX_RANGE_DAYS}
                    ]
                }
            )

        patient = None
        if request.user.role == Role.PATIENT:
            patient = getattr(request.user, "patient", None)
        elif "patient" in params:
            patient = patients_visible_to(request.user).filter(pk=params["patient"]).first()
            if patient is None:
                raise ValidationError({"patient": [gettext("No such patient among yours.")]})
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
