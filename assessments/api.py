"""HTTP layer of assessments: clinicians record and read them; managers read them."""

from __future__ import annotations

import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.response import Response

from assessments.codes import AssessmentErrorCode
from assessments.models import Assessment, AssessmentKind
from assessments.selectors import assessments_visible_to
from assessments.serializers import AssessmentInputSerializer, AssessmentSerializer
from assessments.services import assessment_record
from clinic.api.access_log import AccessLoggedMixin
from clinic.api.filters import ClinicFilterSet, IdFilter
from clinic.api.permissions import CLINICAL, RoleAllowed
from clinic.api.serializers import validated
from clinic.models import AccessAction, Role
from clinic.selectors import patients_visible_to


class AssessmentFilter(ClinicFilterSet):
    # Plain ids: an unknown or invisible patient gives an empty list, never a hint.
    patient = IdFilter(field_name="patient_id")
    episode = IdFilter(field_name="episode_id")
    kind = django_filters.ChoiceFilter(choices=AssessmentKind.choices)

    class Meta:
        model = Assessment
        fields = ["patient", "episode", "kind"]


class AssessmentViewSet(
    AccessLoggedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Assessments of the patients the caller may see, newest first.

    The front desk and patients never see them (403); another location's patient is 404.
    """

    serializer_class = AssessmentSerializer
    permission_classes = [RoleAllowed]
    roles = CLINICAL
    # Recording one needs a physiotherapist; managers read.
    roles_for = {"create": frozenset({Role.CLINICIAN})}
    problem_codes = {"create": {403: [AssessmentErrorCode.NOT_A_CLINICIAN]}}
    filterset_class = AssessmentFilter
    ordering = ("-assessed_at", "-id")
    access_log_resource = "assessment"

    def get_queryset(self):
        return assessments_visible_to(self.request.user)

    @extend_schema(request=AssessmentInputSerializer, responses={201: AssessmentSerializer})
    def create(self, request, *args, **kwargs):
        data = validated(
            AssessmentInputSerializer, request.data, patients=patients_visible_to(request.user)
        )
        assessment = assessment_record(clinician_user=request.user, **data)
        assessment = self.get_queryset().get(pk=assessment.pk)
        self.log_access(assessment, AccessAction.CREATE)
        return Response(self.get_serializer(assessment).data, status=status.HTTP_201_CREATED)
