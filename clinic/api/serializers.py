"""HTTP shapes of the core resources (API.md)."""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.utils import extend_schema_field
from phonenumber_field.serializerfields import PhoneNumberField
from rest_framework import serializers

from clinic.models import (
    PATIENT_EDITABLE_FIELDS,
    AccessLogEntry,
    Clinician,
    Language,
    Location,
    Patient,
    Role,
    User,
)
from clinic.readable import PATIENT_READS


def reader_is_patient(context) -> bool:
    """Whether the answer being built goes to a patient (``context`` of a serializer)."""
    request = context.get("request") if context else None
    user = getattr(request, "user", None)
    return getattr(user, "role", None) == Role.PATIENT


class PatientReadable:
    """A serializer that answers a patient with only the fields ``clinic.readable`` lists
    for its resource (``readable_as``); staff get every field. Nested serializers find the
    request through their root, so a nested list is cut as well."""

    readable_as: str = ""

    def get_fields(self):
        fields = super().get_fields()
        if not reader_is_patient(self.context):
            return fields
        allowed = PATIENT_READS[self.readable_as]
        return {name: field for name, field in fields.items() if name in allowed}


class PatientReadableSchema(OpenApiSerializerExtension):
    """In the OpenAPI document, the fields a patient is not given are optional and say so."""

    target_class = PatientReadable
    match_subclasses = True

    def map_serializer(self, auto_schema, direction):
        schema = auto_schema._map_basic_serializer(self.target, direction)
        allowed = PATIENT_READS[self.target.readable_as]
        required = [name for name in schema.get("required", []) if name in allowed]
        if required:
            schema["required"] = required
        else:
            schema.pop("required", None)
        for name, field in schema.get("properties", {}).items():
            if name not in allowed and "$ref" not in field:
                field["description"] = " ".join(
                    filter(None, [field.get("description"), "Staff only: absent for a patient."])
                )
        return schema


def validated(serializer_class, data, **kwargs) -> dict:
    """``data`` read by ``serializer_class`` (``kwargs`` go to the serializer): its validated
    data, or a 400 with the problems."""
    serializer = serializer_class(data=data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class LocationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Location
        fields = ["id", "slug", "name", "timezone"]


class LocationSlugField(serializers.SlugRelatedField):
    """A location given and shown by its slug ("rotterdam")."""

    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", Location.objects.all())
        super().__init__(slug_field="slug", **kwargs)

    def to_internal_value(self, data):
        # PostgreSQL text cannot hold NUL (a 500 otherwise); no slug has one.
        if isinstance(data, str) and "\x00" in data:
            self.fail("does_not_exist", slug_name=self.slug_field, value=data)
        return super().to_internal_value(data)


class ClinicianSerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True)
    locations = serializers.SerializerMethodField()

    class Meta:
        model = Clinician
        fields = ["id", "name", "locations"]

    @extend_schema_field(serializers.ListField(child=serializers.SlugField()))
    def get_locations(self, clinician: Clinician) -> list[str]:
        return [loc.slug for loc in clinician.user.locations.all()]


class MeSerializer(serializers.ModelSerializer):
    role = serializers.ChoiceField(choices=Role.choices)
    locations = serializers.SerializerMethodField()
    patient = serializers.SerializerMethodField()
    clinician = serializers.SerializerMethodField()
    name = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "username", "name", "role", "locations", "patient", "clinician"]

    def get_name(self, user: User) -> str:
        return user.get_full_name() or user.username

    @extend_schema_field(serializers.ListField(child=serializers.SlugField()))
    def get_locations(self, user: User) -> list[str]:
        patient = getattr(user, "patient", None)
        if user.role == Role.PATIENT:
            return [patient.location.slug] if patient else []
        return [loc.slug for loc in user.locations.all()]

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_patient(self, user: User) -> int | None:
        patient = getattr(user, "patient", None)
        return patient.pk if patient else None

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_clinician(self, user: User) -> int | None:
        clinician = getattr(user, "clinician", None)
        return clinician.pk if clinician else None


APP_ACCESS_STATES = ["none", "invited", "active", "deactivated"]


class PatientSerializer(serializers.ModelSerializer):
    """Administrative data only: the front desk may see all of it."""

    location = LocationSlugField()
    phone = PhoneNumberField(required=False, allow_blank=True, region="NL")
    email = serializers.EmailField(required=False, allow_blank=True)
    language = serializers.ChoiceField(choices=Language.choices, required=False)
    primary_clinician = serializers.PrimaryKeyRelatedField(
        queryset=Clinician.objects.select_related("user"), required=False, allow_null=True
    )
    has_app_account = serializers.SerializerMethodField()
    app_access = serializers.SerializerMethodField()
    confirm_new = serializers.BooleanField(
        write_only=True,
        required=False,
        help_text="Register (or rename) the patient although another patient has the same "
        "first name, last name and date of birth; without it that is a 409 "
        "`possible_duplicate` naming the existing record. The confirmation is recorded.",
    )
    duplicate_confirmed_at = serializers.DateTimeField(
        read_only=True,
        allow_null=True,
        help_text="When staff confirmed this is a new person despite a patient with the "
        "same name and date of birth; null if never.",
    )

    class Meta:
        model = Patient
        fields = [
            "id",
            *PATIENT_EDITABLE_FIELDS,
            "has_app_account",
            "app_access",
            "confirm_new",
            "duplicate_confirmed_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]

    def get_has_app_account(self, patient: Patient) -> bool:
        return patient.user_id is not None and patient.user.is_active

    @extend_schema_field(serializers.ChoiceField(choices=APP_ACCESS_STATES))
    def get_app_access(self, patient: Patient) -> str:
        """none, invited (not activated yet), active, or deactivated by staff."""
        if patient.user_id is None:
            return "none"
        if patient.user.is_active:
            return "active"
        return "deactivated" if patient.user.has_usable_password() else "invited"

    def to_internal_value(self, data):
        values = super().to_internal_value(data)
        if "phone" in values and values["phone"] is None:
            values["phone"] = ""
        return values


class AccessLogEntrySerializer(serializers.ModelSerializer):
    actor_username = serializers.CharField(source="actor.username", read_only=True)
    actor_role = serializers.CharField(source="actor.role", read_only=True)

    class Meta:
        model = AccessLogEntry
        fields = [
            "id",
            "at",
            "actor",
            "actor_username",
            "actor_role",
            "patient",
            "action",
            "resource",
            "object_id",
            "method",
            "path",
            "address",
        ]
