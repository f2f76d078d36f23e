"""API of the programs app: a clinician's caseload."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import mixins, serializers, viewsets

from clinic.api.access_log import AccessLoggedMixin
from clinic.api.pagination import CountedPagePagination
from clinic.api.permissions import RoleAllowed
from clinic.models import Patient, Role
from programs.models import Step
from programs.selectors import ATTENTION_SEVERITY, caseload_for


class CaseloadPagination(CountedPagePagination):
    """Pages by number: the caseload is ordered by computed attention, which a cursor
    cannot point into; it is one clinician's patients, so a count is cheap."""

    max_page_size = 500


class CaseloadProgramSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    step = serializers.ChoiceField(choices=Step.choices)
    step_name = serializers.ChoiceField(choices=Step.labels)
    status = serializers.ChoiceField(choices=["active", "paused"])


class CaseloadRowSerializer(serializers.ModelSerializer):
    patient = serializers.IntegerField(source="pk")
    patient_name = serializers.CharField(source="name")
    program = serializers.SerializerMethodField()
    open_escalations = serializers.IntegerField(source="open_escalation_count")
    most_severe = serializers.SerializerMethodField()
    last_check_in = serializers.DateTimeField(allow_null=True)
    next_appointment = serializers.DateTimeField(allow_null=True)
    check_in_overdue = serializers.BooleanField()
    check_in_every_days = serializers.IntegerField(allow_null=True)

    class Meta:
        model = Patient
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

    def to_representation(self, row: Patient) -> dict:
        # A caseload page can hold hundreds of rows: build each row directly instead of
        # through the generic per-field machinery (same fields, same formats).
        as_datetime = self.fields["last_check_in"].to_representation
        return {
            "patient": row.pk,
            "patient_name": row.name,
            "program": self.get_program(row),
            "open_escalations": row.open_escalation_count,
            "most_severe": self.get_most_severe(row),
            "last_check_in": as_datetime(row.last_check_in) if row.last_check_in else None,
            "next_appointment": (
                as_datetime(row.next_appointment) if row.next_appointment else None
            ),
            "check_in_overdue": bool(row.check_in_overdue),
            "check_in_every_days": row.check_in_every_days,
        }

    @extend_schema_field(CaseloadProgramSerializer(allow_null=True))
    def get_program(self, row: Patient) -> dict | None:
        """The patient's open program, or null (e.g. an intake without a program yet)."""
        if row.program_id is None:
            return None
        return {
            "id": row.program_id,
            "step": row.program_step,
            "step_name": Step(row.program_step).label,
            "status": row.program_status,
        }

    @extend_schema_field(
        serializers.CharField(allow_null=True, help_text="urgent, high or normal; null if none.")
    )
    def get_most_severe(self, row: Patient) -> str | None:
        """Severity of the most severe unresolved escalation, or null."""
        return ATTENTION_SEVERITY.get(row.escalation_attention)


class CaseloadViewSet(AccessLoggedMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """The signed-in clinician's patients: their active programs, and every patient with
    an unresolved escalation or a recent assessment and no program (of their clinician,
    or of every clinician at the location when they have none). The patient who needs
    attention most first: urgent escalations, then high, then overdue check-ins, then
    normal escalations; within each, the oldest last check-in (never checked in first).
    ``open_escalations`` counts open and acknowledged (unresolved) escalations."""

    serializer_class = CaseloadRowSerializer
    permission_classes = [RoleAllowed]
    roles = frozenset({Role.CLINICIAN})
    pagination_class = CaseloadPagination
    access_log_resource = "caseload"
    access_log_patient = "pk"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Patient.objects.none()
        return caseload_for(user=self.request.user)


def register(router) -> None:
    """Add this module's viewsets to the /api/v1/ router."""
    router.register("caseload", CaseloadViewSet, basename="caseload")
