"""HTTP shapes of assessments (API.md): an input serializer and an output serializer."""

from __future__ import annotations

from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from assessments import rules
from assessments.models import Assessment, Side
from clinic.models import Patient
from clinic.time import local_date


def _code_list_schema(known: dict[str, str]) -> dict:
    return {"type": "array", "items": {"type": "string", "enum": list(known)}}


class CodeListField(serializers.Field):
    """A list of known codes; any unknown code is reported on the field itself."""

    known: dict[str, str] = {}
    what = gettext_lazy("code")

    def to_internal_value(self, data):
        errors = rules.code_list_errors(data, self.known, self.what)
        if errors:
            raise serializers.ValidationError(errors)
        return list(dict.fromkeys(data))  # each code once, in the order given

    def to_representation(self, value):
        return list(value)


@extend_schema_field(_code_list_schema(rules.RED_FLAGS))
class RedFlagsField(CodeListField):
    known = rules.RED_FLAGS
    what = gettext_lazy("red flag")


@extend_schema_field(_code_list_schema(rules.MOBILITY_FINDINGS))
class MobilityFindingsField(CodeListField):
    known = rules.MOBILITY_FINDINGS
    what = gettext_lazy("mobility finding")


@extend_schema_field(_code_list_schema(rules.MOVEMENT_PATTERNS))
class MovementPatternsField(CodeListField):
    known = rules.MOVEMENT_PATTERNS
    what = gettext_lazy("movement pattern")


# The readiness object as the schema shows it: each test → passed, plus strength symmetry.
ReadinessShape = type(
    "Readiness",
    (serializers.Serializer,),
    {
        # Only the tests the clinician did are keys (see clinic.api.schema.ClinicAutoSchema).
        "sparse_document": True,
        **{
            test: serializers.BooleanField(required=False, help_text=description)
            for test, description in rules.READINESS_TESTS.items()
        },
        rules.STRENGTH_SYMMETRY: serializers.FloatField(
            required=False,
            min_value=0,
            max_value=100,
            help_text="Strength of the injured leg as % of the other.",
        ),
    },
)


@extend_schema_field(ReadinessShape)
class ReadinessField(serializers.Field):
    """``{test: true/false, "strength_symmetry_percent": 0–100}``; unknown tests refused."""

    def to_internal_value(self, data):
        errors = rules.readiness_errors(data)
        if errors:
            raise serializers.ValidationError(errors)
        return dict(data)

    def to_representation(self, value):
        return dict(value or {})


class ReturnToRunSerializer(serializers.Serializer):
    earliest = serializers.DateField()
    latest = serializers.DateField()


class AlertDetailSerializer(serializers.Serializer):
    code = serializers.CharField()
    severity = serializers.ChoiceField(choices=["urgent", "high", "normal"])
    reason = serializers.CharField()
    inputs = serializers.DictField(help_text="What the rule looked at.")


class AssessmentInputSerializer(serializers.Serializer):
    """``POST /assessments/``. ``patient`` must be one the caller may see."""

    patient = serializers.PrimaryKeyRelatedField(queryset=Patient.objects.none())
    side = serializers.ChoiceField(choices=Side.choices)
    onset_date = serializers.DateField()
    grade = serializers.IntegerField(min_value=1, max_value=3, allow_null=True, required=False)
    previous_injuries = serializers.IntegerField(min_value=0, max_value=50, required=False)
    mechanism = serializers.CharField(max_length=200, allow_blank=True, required=False)
    red_flags = RedFlagsField(required=False)
    readiness = ReadinessField(required=False)
    pain_rest = serializers.IntegerField(min_value=0, max_value=10, allow_null=True, required=False)
    pain_walking = serializers.IntegerField(
        min_value=0, max_value=10, allow_null=True, required=False
    )
    mobility_findings = MobilityFindingsField(required=False)
    movement_patterns = MovementPatternsField(required=False)
    notes = serializers.CharField(max_length=10_000, allow_blank=True, required=False)
    assessed_at = serializers.DateTimeField(
        required=False, help_text="When the assessment took place; defaults to now."
    )

    def __init__(self, *args, patients=None, **kwargs):
        super().__init__(*args, **kwargs)
        if patients is not None:
            self.fields["patient"].queryset = patients


class AssessmentSerializer(serializers.ModelSerializer):
    side = serializers.ChoiceField(source="episode.side", choices=Side.choices, read_only=True)
    onset_date = serializers.DateField(source="episode.onset_date", read_only=True)
    previous_injuries = serializers.IntegerField(source="episode.previous_injuries", read_only=True)
    mechanism = serializers.CharField(source="episode.mechanism", read_only=True)
    red_flags = RedFlagsField(read_only=True)
    readiness = ReadinessField(read_only=True)
    mobility_findings = MobilityFindingsField(read_only=True)
    movement_patterns = MovementPatternsField(read_only=True)
    phase = serializers.SerializerMethodField()
    return_to_run = serializers.SerializerMethodField()
    alerts = serializers.ListField(child=serializers.CharField(), read_only=True)
    alert_details = AlertDetailSerializer(many=True, read_only=True)

    class Meta:
        model = Assessment
        fields = [
            "id",
            "patient",
            "episode",
            "kind",
            "clinician",
            "assessed_at",
            "side",
            "onset_date",
            "previous_injuries",
            "mechanism",
            "grade",
            "red_flags",
            "readiness",
            "pain_rest",
            "pain_walking",
            "mobility_findings",
            "movement_patterns",
            "notes",
            "phase",
            "return_to_run",
            "alerts",
            "alert_details",
            "created_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=["acute", "chronic"]))
    def get_phase(self, assessment: Assessment) -> str:
        return rules.phase(
            onset_date=assessment.episode.onset_date, on=local_date(assessment.assessed_at)
        )

    @extend_schema_field(ReturnToRunSerializer(allow_null=True))
    def get_return_to_run(self, assessment: Assessment) -> dict | None:
        window = rules.return_to_run(
            grade=assessment.grade, onset_date=assessment.episode.onset_date
        )
        return ReturnToRunSerializer(window).data if window else None
