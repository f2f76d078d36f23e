"""API of the clinical rules: the catalogue (``GET /rules/``) and each location's thresholds,
severities and exit criteria (``/rule-settings/``), which the location's managers change.
It lives in programs, the app that may read every rule's home."""

from __future__ import annotations

import json
from collections.abc import Mapping

from django.urls import path
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from clinic.api.permissions import CLINICAL, RoleAllowed
from clinic.api.serializers import validated
from clinic.codes import ClinicErrorCode
from clinic.models import Location, Role
from clinic.selectors import location_ids_of
from clinical_rules.models import RuleSettingChange
from clinical_rules.selectors import rule_settings_for
from clinical_rules.thresholds import DEFAULTS, SETTINGS, RuleSettings
from escalations.catalogue import DEFAULT_SEVERITY
from escalations.models import Severity
from escalations.selectors import severities_for
from programs.rule_catalogue import ESCALATION, RULES
from programs.rules import EXIT_CRITERIA, GATE_CRITERIA
from programs.selectors import exit_criteria_for
from programs.services.rule_settings import rule_configuration_update


class ThresholdSerializer(serializers.Serializer):
    name = serializers.CharField()
    value = serializers.IntegerField()
    default = serializers.IntegerField()
    unit = serializers.CharField()
    minimum = serializers.IntegerField()
    maximum = serializers.IntegerField()
    explanation = serializers.DictField(child=serializers.CharField(), help_text="nl, en")
    domain = serializers.CharField(help_text="The DOMAIN.md line it comes from.")


def thresholds(names, settings: RuleSettings) -> list[dict]:
    rows = []
    for name in names:
        meta = SETTINGS[name].metadata
        rows.append(
            {
                "name": name,
                "value": getattr(settings, name),
                "default": getattr(DEFAULTS, name),
                "unit": meta["unit"],
                "minimum": meta["minimum"],
                "maximum": meta["maximum"],
                "explanation": {"nl": meta["nl"], "en": meta["en"]},
                "domain": meta["domain"],
            }
        )
    return rows


class RuleSerializer(serializers.Serializer):
    code = serializers.CharField()
    severity = serializers.CharField(
        help_text="urgent/high/normal open an escalation; advisory shows advice only; gate "
        "refuses a change (409) unless overridden with a reason. Clients must accept values "
        "they do not know yet.",
    )
    escalates = serializers.BooleanField()
    thresholds = ThresholdSerializer(many=True)
    explanation = serializers.DictField(child=serializers.CharField(), help_text="nl, en")
    domain = serializers.CharField(help_text="The DOMAIN.md line the rule comes from.")


class RuleListSerializer(serializers.Serializer):
    next = serializers.CharField(allow_null=True)
    previous = serializers.CharField(allow_null=True)
    location = serializers.CharField(allow_null=True)
    results = RuleSerializer(many=True)


def _home_location(user) -> Location | None:
    if user.role == Role.PATIENT:
        patient = getattr(user, "patient", None)
        return patient.location if patient is not None else None
    ids = location_ids_of(user)
    return Location.objects.filter(pk__in=ids).order_by("pk").first()


class RuleListView(APIView):
    """Every clinical rule: its code, severity, the thresholds in force at a location
    (``?location=``, default the caller's own) and a short explanation in Dutch and
    English tied to the DOMAIN.md line it comes from. For clinicians and the app's help
    screen."""

    permission_classes = [RoleAllowed]

    @extend_schema(
        parameters=[OpenApiParameter("location", str, description="Location slug")],
        responses={200: RuleListSerializer},
    )
    def get(self, request):
        slug = request.query_params.get("location")
        if slug is not None and not slug:
            raise ValidationError({"location": ["Name a location by its slug."]})
        if slug:
            location = Location.objects.filter(slug=slug).first()
            if location is None:
                raise ValidationError({"location": [f"No location {slug!r}."]})
        else:
            location = _home_location(request.user)
        settings = rule_settings_for(location.pk if location else None)
        severities = severities_for(location.pk if location else None)
        results = [
            {
                "code": rule.code,
                "severity": severities.get(rule.code, rule.severity),
                "escalates": rule.kind == ESCALATION,
                "thresholds": thresholds(rule.thresholds, settings),
                "explanation": {"nl": rule.nl, "en": rule.en},
                "domain": rule.domain,
            }
            for rule in RULES
        ]
        return Response(
            {
                "next": None,
                "previous": None,
                "location": location.slug if location else None,
                "results": results,
            }
        )


# --- a location's thresholds ------------------------------------------------------------------


class AuditValueField(serializers.Field):
    """A threshold (a number), a severity (a word) or exit criteria (a list) as text;
    null is the clinic's default."""

    def to_representation(self, value):
        return value if isinstance(value, str) else json.dumps(value)


@extend_schema_field({"type": "string", "nullable": True})
class AuditValue(AuditValueField):
    pass


class RuleSettingChangeSerializer(serializers.ModelSerializer):
    old_value = AuditValue(allow_null=True, read_only=True)
    new_value = AuditValue(allow_null=True, read_only=True)

    class Meta:
        model = RuleSettingChange
        fields = ["name", "old_value", "new_value", "by", "at"]


class RuleSeverityInForceSerializer(serializers.Serializer):
    rule = serializers.CharField()
    severity = serializers.CharField(help_text="In force at the location: urgent/high/normal.")
    default = serializers.CharField(help_text="The clinic's default.")


class ExitCriteriaSerializer(serializers.Serializer):
    step = serializers.IntegerField()
    criteria = serializers.ListField(child=serializers.CharField())
    default = serializers.ListField(child=serializers.CharField())


class RuleSettingsSerializer(serializers.Serializer):
    location = serializers.CharField()
    settings = ThresholdSerializer(many=True)
    severities = RuleSeverityInForceSerializer(many=True)
    exit_criteria = ExitCriteriaSerializer(many=True)
    changes = RuleSettingChangeSerializer(many=True, help_text="Newest first (at most 100).")


class RuleValuesSerializer(serializers.Serializer):
    """Values by rule: a key that names no rule is kept as given, so the service refuses it
    by name (400 ``rule_unknown``) and writes nothing, on every path alike."""

    def to_internal_value(self, data):
        values = super().to_internal_value(data)
        if isinstance(data, Mapping):
            values.update({key: value for key, value in data.items() if key not in self.fields})
        return values


class ThresholdValuesSerializer(RuleValuesSerializer):
    """One optional field per threshold, within its bounds; null returns it to the default."""

    def get_fields(self):
        return {
            name: serializers.IntegerField(
                required=False,
                allow_null=True,
                min_value=field.metadata["minimum"],
                max_value=field.metadata["maximum"],
                help_text=field.metadata["en"],
            )
            for name, field in SETTINGS.items()
        }


class SeverityValuesSerializer(RuleValuesSerializer):
    """One optional field per escalating rule (``severities_to_default`` resets one)."""

    def get_fields(self):
        return {
            str(rule): serializers.ChoiceField(choices=Severity.choices, required=False)
            for rule in DEFAULT_SEVERITY
        }


class ExitCriteriaValuesSerializer(RuleValuesSerializer):
    """Step (1-4) → the criteria that must hold to leave it; null returns to DOMAIN.md's."""

    def get_fields(self):
        return {
            str(step): serializers.ListField(
                child=serializers.ChoiceField(choices=GATE_CRITERIA),
                required=False,
                allow_null=True,
            )
            for step in EXIT_CRITERIA
        }


class RuleSettingsUpdateSerializer(serializers.Serializer):
    values = ThresholdValuesSerializer(required=False)
    severities = SeverityValuesSerializer(required=False)
    severities_to_default = serializers.ListField(
        child=serializers.ChoiceField(choices=sorted(str(rule) for rule in DEFAULT_SEVERITY)),
        required=False,
        help_text="Escalating rules that return to the clinic's default severity.",
    )
    exit_criteria = ExitCriteriaValuesSerializer(required=False)

    def validate(self, attrs):
        attrs["values"] = dict(attrs.get("values") or {})
        attrs["severities"] = {
            **dict(attrs.get("severities") or {}),
            **{rule: None for rule in attrs.get("severities_to_default") or []},
        }
        # A step the service does not know keeps its key as sent, to be named in the 400.
        attrs["exit_criteria"] = {
            int(step) if str(step) in {str(s) for s in EXIT_CRITERIA} else step: codes
            for step, codes in (attrs.get("exit_criteria") or {}).items()
        }
        return attrs


class RuleSettingsViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """The thresholds in force at each of the caller's locations, with the audit of every
    change (who, when, old → new). Clinicians read them; a location's managers change
    them (PATCH ``{"values": {name: value or null}, "severities": {rule: severity or
    null}, "exit_criteria": {step: [criterion, ...] or null}}``)."""

    permission_classes = [RoleAllowed]
    roles = CLINICAL
    roles_for = {"partial_update": frozenset({Role.MANAGER})}
    lookup_field = "slug"
    lookup_url_kwarg = "location"
    lookup_value_regex = "[-a-z0-9]+"
    http_method_names = ["get", "patch", "head", "options"]
    # The refusals of the rules' gate (clinical_rules.services.LocationRuleRows).
    problem_codes = {
        "partial_update": {
            400: [
                ClinicErrorCode.RULE_UNKNOWN,
                ClinicErrorCode.SEVERITY_BELOW_DEFAULT,
                ClinicErrorCode.EXIT_CRITERIA_EMPTY,
            ],
            409: [ClinicErrorCode.RULE_SETTINGS_INCONSISTENT],
        }
    }
    serializer_class = RuleSettingsSerializer
    pagination_class = None

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Location.objects.none()
        return Location.objects.filter(pk__in=location_ids_of(self.request.user)).order_by("pk")

    def _present(self, location: Location) -> dict:
        settings = rule_settings_for(location.pk)
        severities = severities_for(location.pk)
        exits = exit_criteria_for(location.pk)
        changes = RuleSettingChange.objects.filter(location=location)[:100]
        return {
            "location": location.slug,
            "settings": thresholds(SETTINGS, settings),
            "severities": [
                {"rule": rule, "severity": severities[rule], "default": default}
                for rule, default in DEFAULT_SEVERITY.items()
            ],
            "exit_criteria": [
                {"step": step, "criteria": list(exits[step]), "default": list(default)}
                for step, default in EXIT_CRITERIA.items()
            ],
            "changes": RuleSettingChangeSerializer(changes, many=True).data,
        }

    @extend_schema(responses={200: RuleSettingsSerializer(many=True)})
    def list(self, request, *args, **kwargs):
        return Response([self._present(location) for location in self.get_queryset()])

    def retrieve(self, request, *args, **kwargs):
        return Response(self._present(self.get_object()))

    @extend_schema(request=RuleSettingsUpdateSerializer, responses={200: RuleSettingsSerializer})
    def partial_update(self, request, *args, **kwargs):
        location = self.get_object()
        data = validated(RuleSettingsUpdateSerializer, request.data)
        rule_configuration_update(
            location=location,
            values=data["values"],
            severities=data["severities"],
            exit_criteria=data["exit_criteria"],
            by=request.user,
        )
        return Response(self._present(location))


def register(router) -> None:
    """Add this module's views to the /api/v1/ router (GET /rules/ is a plain view)."""
    router.register("rule-settings", RuleSettingsViewSet, basename="rule-settings")


urlpatterns = [path("rules/", RuleListView.as_view(), name="rules")]
