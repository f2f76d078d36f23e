"""API of the programs app: a clinician's caseload."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import mixins, serializers, viewsets

from clinic.api.access_log import AccessLoggedMixin
from clinic.api.pagination import CountedPagePagination
from clinic.api.permissions import RoleAllowed
from clinic.models import Role
from programs.models import Program, Step
from programs.selectors import ATTENTION_SEVERITY, caseload_for


class CaseloadPagination(CountedPagePagination):
    """Pages by number: the caseload is ordered by computed attention, which a cursor
    cannot point into; it is one clinician's patients, so a count is cheap."""

    max_page_size = 500


class CaseloadProgramSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    step = serializers.ChoiceField(choices=Step.choices)
    step_name = serializers.ChoiceField(choices=Step.labels)


class CaseloadRowSerializer(serializers.ModelSerializer):
    patient = serializers.IntegerField(source="patient_id")
    patient_name = serializers.CharField(source="patient.name")
    program = serializers.SerializerMethodField()
    open_escalations = serializers.IntegerField(source="open_escalation_count")
    most_severe = serializers.SerializerMethodField()
    last_check_in = serializers.DateTimeField(allow_null=True)
    next_appointment = serializers.DateTimeField(allow_null=True)
    check_in_overdue = serializers.BooleanField()
    check_in_every_days = serializers.IntegerField()

    class Meta:
        model = Program
        fields = [
            "patient",
            "patient_name",
            "program",
            "open_escalations",
            "most_severe",
            "last_check_in",
            "next_appointment",
            "check_in_overdue",
            "check_in_every_days",
        ]
        read_only_fields = fields

    def to_representation(self, program: Program) -> dict:
        # A caseload page can hold hundreds of rows: build each row directly instead of
        # through the generic per-field machinery (same fields, same formats).
        as_datetime = self.fields["last_check_in"].to_representation
        return {
            "patient": program.patient_id,
            "patient_name": program.patient.name,
            "program": self.get_program(program),
            "open_escalations": program.open_escalation_count,
            "most_severe": self.get_most_severe(program),
            "last_check_in": as_datetime(program.last_check_in) if program.last_check_in else None,
            "next_appointment": (
                as_datetime(program.next_appointment) if program.next_appointment else None
            ),
            "check_in_overdue": bool(program.check_in_overdue),
            "check_in_every_days": program.check_in_every_days,
        }

    @extend_schema_field(CaseloadProgramSerializer)
    def get_program(self, program: Program) -> dict:
        return {"id": program.pk, "step": program.step, "step_name": program.step_name}

    @extend_schema_field(
        serializers.CharField(allow_null=True, help_text="urgent, high or normal; null if none.")
    )
    def get_most_severe(self, program: Program) -> str | None:
        """Severity of the most severe unresolved escalation, or null."""
        return ATTENTION_SEVERITY.get(program.escalation_attention)


class CaseloadViewSet(AccessLoggedMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """The signed-in clinician's active programs, the patient who needs attention most
    first: urgent escalations, then high, then overdue check-ins, then normal escalations;
    within each, the oldest last check-in (never checked in first). ``open_escalations``
    counts open and acknowledged (unresolved) escalations."""

    serializer_class = CaseloadRowSerializer
    permission_classes = [RoleAllowed]
    roles = frozenset({Role.CLINICIAN})
    pagination_class = CaseloadPagination
    access_log_resource = "caseload"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Program.objects.none()
        return caseload_for(user=self.request.user)


def register(router) -> None:
    """Add this module's viewsets to the /api/v1/ router."""
    router.register("caseload", CaseloadViewSet, basename="caseload")
