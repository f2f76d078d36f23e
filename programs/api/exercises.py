"""API of the programs app: the exercise library, for anyone signed in, in their language."""

from __future__ import annotations

import django_filters
from django.conf import settings
from django.db import connection
from django.utils.translation import gettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, viewsets
from rest_framework.exceptions import ValidationError

from clinic.api.authentication import reader_language
from clinic.api.filters import ClinicFilterSet
from clinic.models import Language, Role, User
from programs.models import Exercise, ExerciseCategory, Step


def language_for(request) -> str:
    """Patients read in the language on their record; staff may choose with ``?lang=``;
    otherwise the reader's language."""
    user: User = request.user
    asked = request.query_params.get("lang")
    # Checked for every reader, patients too: the document lists the languages.
    if asked is not None and asked not in Language.values:
        raise ValidationError(
            {
                "lang": [
                    gettext("Choose one of: %(languages)s.")
                    % {"languages": ", ".join(Language.values)}
                ]
            }
        )
    if asked is not None and user.role != Role.PATIENT:
        return asked
    return reader_language(request)


class DosageSerializer(serializers.Serializer):
    sets = serializers.IntegerField(allow_null=True)
    reps = serializers.IntegerField(allow_null=True)
    hold_seconds = serializers.IntegerField(allow_null=True)
    minutes = serializers.IntegerField(allow_null=True)
    times_per_week = serializers.IntegerField(allow_null=True)


class ExerciseSerializer(serializers.ModelSerializer):
    name = serializers.SerializerMethodField()
    description = serializers.SerializerMethodField()
    steps = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=5))
    dosage = serializers.SerializerMethodField()

    class Meta:
        model = Exercise
        fields = [
            "id",
            "code",
            "name",
            "name_nl",
            "name_en",
            "category",
            "steps",
            "dosage",
            "description",
            "description_nl",
            "description_en",
        ]
        read_only_fields = fields

    def _language(self) -> str:
        return self.context.get("language", settings.LANGUAGE_CODE)

    def get_name(self, exercise: Exercise) -> str:
        return exercise.name_in(self._language())

    def get_description(self, exercise: Exercise) -> str:
        nl = self._language() == Language.DUTCH
        return exercise.description_nl if nl else exercise.description_en

    @extend_schema_field(DosageSerializer)
    def get_dosage(self, exercise: Exercise) -> dict:
        return {
            "sets": exercise.default_sets,
            "reps": exercise.default_reps,
            "hold_seconds": exercise.default_hold_seconds,
            "minutes": exercise.default_minutes,
            "times_per_week": exercise.default_times_per_week,
        }


class ExerciseFilter(ClinicFilterSet):
    step = django_filters.TypedChoiceFilter(
        choices=Step.choices, coerce=int, method="filter_step", label="Suits this step (1–5)"
    )
    category = django_filters.ChoiceFilter(choices=ExerciseCategory.choices)

    class Meta:
        model = Exercise
        fields = ["category"]

    @extend_schema_field({"type": "integer", "minimum": 1, "maximum": 5})
    def filter_step(self, queryset, name, value):
        if value in (None, ""):
            return queryset
        if connection.features.supports_json_field_contains:
            return queryset.filter(steps__contains=[value])
        # SQLite cannot search inside JSON lists; the library is small enough to scan.
        ids = [pk for pk, steps in queryset.values_list("pk", "steps") if value in steps]
        return queryset.filter(pk__in=ids)


LANGUAGE_PARAMETERS = [
    OpenApiParameter(
        "lang",
        OpenApiTypes.STR,
        enum=Language.values,
        description="Staff: language of name and description (else their own, else "
        "Accept-Language, else en). "
        "Patients always get the language on their record.",
    ),
]


@extend_schema_view(
    list=extend_schema(parameters=LANGUAGE_PARAMETERS),
    retrieve=extend_schema(parameters=LANGUAGE_PARAMETERS),
)
class ExerciseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The clinic's active exercises, with the steps they suit and a default dosage.
    Managers keep the library in the admin."""

    serializer_class = ExerciseSerializer
    filterset_class = ExerciseFilter
    ordering = ("id",)

    def get_queryset(self):
        return Exercise.objects.filter(is_active=True)

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if getattr(self, "swagger_fake_view", False) or self.request is None:
            return context
        context["language"] = language_for(self.request)
        return context


def register(router) -> None:
    """Add this module's viewsets to the /api/v1/ router."""
    router.register("exercises", ExerciseViewSet, basename="exercise")
