"""HTTP shapes of the bookings resources (API.md: appointment types, availability,
appointments)."""

from __future__ import annotations

from datetime import timedelta

from django.utils.dateparse import parse_datetime
from drf_spectacular.utils import OpenApiExample, extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from bookings.availability import wall_time_exists
from bookings.config import MAX_SERIES_OCCURRENCES
from bookings.models import (
    Appointment,
    AppointmentChange,
    AppointmentSeries,
    AppointmentStatus,
    AppointmentType,
    CancelReason,
)
from bookings.selectors import cancel_note_readable_by
from clinic.api.serializers import LocationSlugField, PatientReadable
from clinic.models import Clinician
from clinic.time import CLINIC_TZ

# The offsets the clinic's own zone uses (CET, CEST): a time written with one of them is
# a clinic wall-clock time, and it must exist.
CLINIC_OFFSETS = {timedelta(hours=1), timedelta(hours=2)}


class ClinicDateTimeField(serializers.DateTimeField):
    """An ISO 8601 datetime; without an offset it is clinic time. A wall-clock time that
    does not exist in clinic time (the spring-forward gap) is refused."""

    default_error_messages = {
        "gap": "{value} does not exist in clinic time: the clocks go forward then.",
    }

    def to_internal_value(self, value):
        if isinstance(value, str):
            try:
                parsed = parse_datetime(value.strip())
            except ValueError:
                parsed = None
            if parsed is not None:
                in_clinic_time = parsed.tzinfo is None or parsed.utcoffset() in CLINIC_OFFSETS
                if in_clinic_time and not wall_time_exists(parsed):
                    self.fail("gap", value=value)
        return super().to_internal_value(value)


class AppointmentTypeSerializer(serializers.ModelSerializer):
    class Meta:
        model = AppointmentType
        fields = [
            "id",
            "code",
            "name",
            "duration_minutes",
            "buffer_after_minutes",
            "patient_bookable",
            "colour",
        ]


@extend_schema_field(
    {"oneOf": [{"type": "string", "format": "date"}, {"type": "string", "format": "date-time"}]}
)
class DateOrDateTimeField(serializers.CharField):
    """A day (``2027-03-29``) or an instant with offset (``2027-03-29T10:00:00+02:00``);
    the view reads which."""


class AvailabilityQuerySerializer(serializers.Serializer):
    location = serializers.SlugField(help_text="Location slug, e.g. rotterdam.")
    appointment_type = serializers.IntegerField(min_value=1)
    start = DateOrDateTimeField(
        required=False,
        help_text="YYYY-MM-DD (from that day, clinic time) or an ISO datetime. Default: now.",
    )
    end = DateOrDateTimeField(
        required=False,
        help_text="YYYY-MM-DD (through that day, inclusive) or an ISO datetime (exclusive). "
        "Default: 7 days after start; at most 31 days after start.",
    )
    clinician = serializers.IntegerField(min_value=1, required=False)
    patient = serializers.IntegerField(
        min_value=1,
        required=False,
        help_text="Staff: also leave out times this patient already has an appointment.",
    )


class SlotSerializer(serializers.Serializer):
    clinician = serializers.IntegerField()
    location = serializers.SlugField()
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()


class AvailabilityPageSerializer(serializers.Serializer):
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = SlotSerializer(many=True)


def _may_read_notes(serializer) -> bool:
    # No reader known, no note: a caller that forgets the context shows less, never more.
    user = getattr(serializer.context.get("request"), "user", None)
    return user is not None and user.is_authenticated and cancel_note_readable_by(user)


class AppointmentChangeSerializer(PatientReadable, serializers.ModelSerializer):
    readable_as = "appointment_change"
    note = serializers.SerializerMethodField(
        help_text="The note given with the change; null for the front desk (clinical text)."
    )
    has_note = serializers.SerializerMethodField()

    class Meta:
        model = AppointmentChange
        fields = [
            "action",
            "actor",
            "at",
            "previous_start",
            "previous_end",
            "reason",
            "note",
            "has_note",
        ]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_note(self, obj) -> str | None:
        return obj.note if _may_read_notes(self) else None

    def get_has_note(self, obj) -> bool:
        return bool(obj.note)


class AppointmentSerializer(serializers.ModelSerializer):
    """Administrative data only (no clinical notes): the front desk may see all of it."""

    location = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    patient_name = serializers.CharField(source="patient.name", read_only=True)
    clinician_name = serializers.CharField(source="clinician.name", read_only=True)
    appointment_type_name = serializers.CharField(source="appointment_type.name", read_only=True)
    status = serializers.ChoiceField(choices=AppointmentStatus.choices, read_only=True)
    cancel_reason = serializers.CharField(
        read_only=True, help_text="feeling_better, condition_worse, illness, other; or empty."
    )
    cancel_note = serializers.SerializerMethodField(
        help_text="The patient's or staff's note with the cancellation; null for the front "
        "desk, which sees only has_cancel_note (the note is clinical text)."
    )
    has_cancel_note = serializers.SerializerMethodField()
    history = AppointmentChangeSerializer(source="changes", many=True, read_only=True)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_cancel_note(self, obj) -> str | None:
        return obj.cancel_note if _may_read_notes(self) else None

    def get_has_cancel_note(self, obj) -> bool:
        return bool(obj.cancel_note)

    class Meta:
        model = Appointment
        fields = [
            "id",
            "patient",
            "patient_name",
            "clinician",
            "clinician_name",
            "location",
            "appointment_type",
            "appointment_type_name",
            "start",
            "end",
            "status",
            "series",
            "cancel_reason",
            "cancel_note",
            "has_cancel_note",
            "cancelled_at",
            "created_at",
            "updated_at",
            "history",
        ]
        read_only_fields = fields


# The treatment the booking examples book.
A_TREATMENT = {
    "clinician": 1,
    "location": "rotterdam",
    "appointment_type": 2,
    "start": "2027-03-29T10:00:00+02:00",
}


@extend_schema_serializer(
    examples=[
        OpenApiExample("A patient books a treatment", request_only=True, value=A_TREATMENT),
        OpenApiExample(
            "The front desk books for a patient",
            request_only=True,
            value={"patient": 12, **A_TREATMENT, "start": "2027-03-29T10:30:00+02:00"},
        ),
    ]
)
class AppointmentBookSerializer(serializers.Serializer):
    patient = serializers.IntegerField(
        min_value=1,
        required=False,
        allow_null=True,
        help_text="Staff must give it; a patient may leave it out (themselves).",
    )
    clinician = serializers.PrimaryKeyRelatedField(
        queryset=Clinician.objects.select_related("user")
    )
    location = LocationSlugField()
    appointment_type = serializers.PrimaryKeyRelatedField(queryset=AppointmentType.objects.all())
    start = ClinicDateTimeField(default_timezone=CLINIC_TZ)


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "Six weekly treatments",
            request_only=True,
            value={"patient": 12, **A_TREATMENT, "occurrences": 6, "interval_days": 7},
        )
    ]
)
class AppointmentSeriesBookSerializer(AppointmentBookSerializer):
    occurrences = serializers.IntegerField(min_value=2, max_value=MAX_SERIES_OCCURRENCES)
    interval_days = serializers.IntegerField(min_value=1, max_value=90, default=7)


class AppointmentSeriesSerializer(serializers.ModelSerializer):
    appointments = AppointmentSerializer(many=True, read_only=True)

    class Meta:
        model = AppointmentSeries
        fields = ["id", "interval_days", "occurrences", "created_at", "appointments"]


class CancelSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=CancelReason.choices, default=CancelReason.OTHER)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class RescheduleSerializer(serializers.Serializer):
    start = ClinicDateTimeField(default_timezone=CLINIC_TZ)


class AttendanceQuerySerializer(serializers.Serializer):
    patient = serializers.IntegerField(min_value=1)


class AttendanceSerializer(serializers.Serializer):
    patient = serializers.IntegerField()
    booked = serializers.IntegerField()
    completed = serializers.IntegerField()
    cancelled = serializers.IntegerField()
    no_shows = serializers.IntegerField()


class CalendarFeedStatusSerializer(serializers.Serializer):
    active = serializers.BooleanField()
    created_at = serializers.DateTimeField(allow_null=True)
    last_used_at = serializers.DateTimeField(allow_null=True)


class CalendarFeedCreatedSerializer(serializers.Serializer):
    url = serializers.URLField(help_text="Shown once; subscribe to it in a calendar app.")
    created_at = serializers.DateTimeField()
