"""API of the escalations app. Clinicians and managers see the escalations of the
patients they may see, most pressing first, and acknowledge or resolve them."""

from __future__ import annotations

import django_filters
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from clinic.api.access_log import AccessLoggedMixin
from clinic.api.filters import BooleanFilter, ClinicFilterSet, IdFilter
from clinic.api.permissions import CLINICAL, RoleAllowed
from clinic.api.schema import open_code_schema
from clinic.api.serializers import validated
from escalations.catalogue import DEFAULT_SEVERITY, ESCALATION_RULES
from escalations.codes import EscalationErrorCode
from escalations.models import (
    UNRESOLVED,
    Escalation,
    EscalationOccurrence,
    EscalationStatus,
    ResolutionOutcome,
    Severity,
)
from escalations.selectors import escalations_visible_to
from escalations.services import escalation_acknowledge, escalation_resolve


@extend_schema_field(open_code_schema(sorted(ESCALATION_RULES), what="EscalationRule"))
class EscalationRuleField(serializers.CharField):
    """A rule code: one of the catalogue's today, more tomorrow."""


class EscalationOccurrenceSerializer(serializers.ModelSerializer):
    class Meta:
        model = EscalationOccurrence
        fields = ["at", "source", "reason", "severity", "check_in", "assessment", "reopened"]
        read_only_fields = fields


class EscalationSerializer(serializers.ModelSerializer):
    rule = EscalationRuleField(read_only=True)
    outcome = serializers.CharField(
        read_only=True,
        allow_null=True,
        help_text="How it was closed (referred_specialist, referred_gp, handled_in_clinic, "
        "false_alarm); null while open or for a normal escalation closed without one.",
    )
    occurrence_history = EscalationOccurrenceSerializer(many=True, read_only=True)
    needs_attention = serializers.SerializerMethodField()

    class Meta:
        model = Escalation
        fields = [
            "id",
            "patient",
            "rule",
            "severity",
            "status",
            "reason",
            "created_at",
            "occurrences",
            "last_occurred_at",
            "needs_attention",
            "needs_attention_since",
            "occurrence_history",
            "acknowledged_at",
            "acknowledged_by",
            "resolved_at",
            "resolved_by",
            "resolution_note",
            "outcome",
            "source_check_in",
            "source_assessment",
        ]
        read_only_fields = fields

    def get_needs_attention(self, escalation: Escalation) -> bool:
        """Open: nobody has acknowledged it since it (last) asked for a person."""
        return escalation.status == EscalationStatus.OPEN


class EscalationResolveSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(
        choices=ResolutionOutcome.choices,
        required=False,
        help_text="Required for urgent and high escalations.",
    )
    note = serializers.CharField(
        max_length=5000,
        required=False,
        allow_blank=True,
        default="",
        help_text="Required for urgent and high escalations: what was done.",
    )


class EscalationFilter(ClinicFilterSet):
    # A plain id: an unknown or invisible patient gives an empty list, never a hint.
    patient = IdFilter(field_name="patient_id")
    status = django_filters.ChoiceFilter(choices=EscalationStatus.choices)
    severity = django_filters.ChoiceFilter(choices=Severity.choices)
    rule = django_filters.ChoiceFilter(choices=[(rule, rule) for rule in DEFAULT_SEVERITY])
    unresolved = BooleanFilter(method="filter_unresolved", label="Open or acknowledged")

    class Meta:
        model = Escalation
        fields = ["patient", "status", "severity", "rule"]

    def filter_unresolved(self, queryset, name, value):
        if value is None:
            return queryset
        return (
            queryset.filter(status__in=UNRESOLVED)
            if value
            else queryset.exclude(status__in=UNRESOLVED)
        )


class EscalationViewSet(
    AccessLoggedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Escalations: a rule asked a clinician to look. The front desk and patients get 403;
    another location's patient is 404."""

    serializer_class = EscalationSerializer
    permission_classes = [RoleAllowed]
    roles = CLINICAL
    filterset_class = EscalationFilter
    # The codes of the escalation rules' refusals, per action (the OpenAPI document).
    problem_codes = {
        "acknowledge": {409: [EscalationErrorCode.ESCALATION_NOT_OPEN]},
        "resolve": {409: [EscalationErrorCode.ESCALATION_RESOLVED]},
    }
    # Unresolved first, most severe first, newest first; the id makes the order total.
    ordering = ("attention", "-created_at", "-id")
    access_log_resource = "escalation"

    def get_queryset(self):
        return escalations_visible_to(self.request.user)

    @extend_schema(request=None, responses={200: EscalationSerializer})
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        """Open → acknowledged; 409 ``escalation_not_open`` otherwise."""
        escalation = escalation_acknowledge(escalation=self.get_object(), by=request.user)
        return Response(EscalationSerializer(self.get_queryset().get(pk=escalation.pk)).data)

    @extend_schema(request=EscalationResolveSerializer, responses={200: EscalationSerializer})
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        """Open or acknowledged → resolved; 409 ``escalation_resolved`` when it already is.
        Urgent and high need an ``outcome`` and a ``note`` (400 otherwise); a referral
        closes the patient's open program as ``referred``."""
        escalation = self.get_object()
        data = validated(EscalationResolveSerializer, request.data)
        escalation = escalation_resolve(
            escalation=escalation,
            by=request.user,
            note=data["note"],
            outcome=data.get("outcome", ""),
        )
        return Response(EscalationSerializer(self.get_queryset().get(pk=escalation.pk)).data)


def register(router) -> None:
    """Add this module's viewsets to the /api/v1/ router."""
    router.register("escalations", EscalationViewSet, basename="escalation")
