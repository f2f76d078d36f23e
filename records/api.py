"""The patient's own record over HTTP: /me/record/, /me/access-log/, and the copies
(/me/export/, /patients/{id}/export/) as a FHIR R4 Bundle or a PDF summary."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from clinic.api.access_log import AccessLoggedMixin, client_address
from clinic.api.authentication import reader_language
from clinic.api.permissions import CLINICAL, PATIENT_ONLY, RoleAllowed
from clinic.api.views import own_patient_or_404
from clinic.models import AccessAction, Patient
from clinic.selectors import patients_visible_to
from clinic.services import access_log_record
from programs.api.check_ins import A_GOOD_DAY
from records import fhir, selectors
from records.codes import PAIN_SCORE
from records.pdf import record_pdf
from records.serializers import AccessLogSeenByPatientSerializer, PatientRecordSerializer
from records.services import record_export_log

FHIR_CONTENT_TYPE = "application/fhir+json; fhirVersion=4.0"


RECORD_EXAMPLE = {
    "patient": {
        "id": 12,
        "first_name": "Sanne",
        "last_name": "de Vries",
        "date_of_birth": "1994-05-17",
        "language": "en",
        "location": "rotterdam",
    },
    "language": "en",
    "assessments": [
        {
            "id": 31,
            "kind": "intake",
            "kind_text": "Intake",
            "assessed_at": "2027-03-02T10:15:00+01:00",
            "side": "left",
            "side_text": "left",
            "grade": 2,
            "grade_text": "Grade 2: substantial tears in the muscle fibres.",
            "phase": "acute",
            "phase_text": "Acute: the injury is less than six weeks old.",
            "return_to_jog": {"earliest": "2027-03-27", "latest": "2027-04-24"},
            "return_to_jog_text": "Light jogging is usually possible again between ...",
            "red_flags": [{"code": "audible_snap", "text": "An audible snap ..."}],
        }
    ],
    "programs": [
        {
            "id": 7,
            "step": 2,
            "step_text": "Step 2: pain reduction",
            "status": "active",
            "status_text": "Under way",
            "started_at": "2027-03-02T10:30:00+01:00",
            "closed_at": None,
            "history": [
                {
                    "from_step": 1,
                    "to_step": 2,
                    "to_step_text": "Step 2: pain reduction",
                    "at": "2027-03-09T11:00:00+01:00",
                }
            ],
        }
    ],
    "check_ins": [
        {
            "id": 101,
            "submitted_at": "2027-03-10T18:05:00+01:00",
            **A_GOOD_DAY,
            "walking_minutes": 30,
            "note": "",
            "alerts": [],
            "advice": [{"code": "keep_going", "text": "Thank you for your check-in. ..."}],
        }
    ],
    "check_ins_total": 1,
    "check_ins_more": None,
    "escalations": [
        {
            "id": 4,
            "rule": "recurrence",
            "rule_text": "A repeated injury",
            "status": "resolved",
            "status_text": "This has been dealt with.",
            "created_at": "2027-03-02T10:16:00+01:00",
            "resolved_at": "2027-03-03T09:00:00+01:00",
            "outcome": "handled_in_clinic",
            "outcome_text": "Handled in the clinic",
        }
    ],
}


class MeRecordView(AccessLoggedMixin, APIView):
    """The patient's own clinical record in plain words, in their language: assessments
    (grade, phase, the return-to-jog window, red flags), the program's step history, recent
    check-ins with alerts and advice, and escalations (status and outcome only)."""

    permission_classes = [RoleAllowed]
    roles = PATIENT_ONLY
    access_log_resource = "record"
    access_log_patient = "pk"

    @extend_schema(
        responses=PatientRecordSerializer,
        examples=[OpenApiExample("A patient in step 2", value=RECORD_EXAMPLE)],
    )
    def get(self, request):
        patient = own_patient_or_404(request)
        data = selectors.patient_record(patient=patient)
        if data["check_ins_total"] > len(data["check_ins"]):
            data["check_ins_more"] = request.build_absolute_uri("/api/v1/check-ins/")
        self.log_access(patient)
        context = {"request": request, "language": reader_language(request)}
        return Response(PatientRecordSerializer(data, context=context).data)


class MeAccessLogView(ListAPIView):
    """Who opened my record (NEN 7513): role, location, and the person's name where
    clinic policy allows (``ACCESS_LOG_SHOWS_STAFF_NAMES``), what and when. Newest first."""

    serializer_class = AccessLogSeenByPatientSerializer
    permission_classes = [RoleAllowed]
    roles = PATIENT_ONLY
    ordering = ("-at", "-id")

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return selectors.access_log_seen_by_patient(patient=None)
        self.patient = own_patient_or_404(self.request)
        return selectors.access_log_seen_by_patient(patient=self.patient)

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["patient"] = getattr(self, "patient", None)
        context["show_names"] = settings.ACCESS_LOG_SHOWS_STAFF_NAMES
        return context

    @extend_schema(
        examples=[
            OpenApiExample(
                "A clinician read an assessment",
                # drf-spectacular wraps a list view's example in the page envelope.
                value={
                    "at": "2027-03-02T10:20:00+01:00",
                    "action": "read",
                    "resource": "assessment",
                    "object_id": "31",
                    "role": "clinician",
                    "location": "rotterdam",
                    "name": "Eva Jansen",
                },
                response_only=True,
            )
        ]
    )
    def get(self, request, *args, **kwargs):
        response = self.list(request, *args, **kwargs)
        # Reading one's own access log is itself an access to the record.
        record_access(request, self.patient, resource="access_log")
        return response


def record_access(request, patient: Patient, *, resource: str) -> None:
    access_log_record(
        actor=request.user,
        patient_ids=[patient.pk],
        object_ids=[patient.pk],
        action=AccessAction.READ,
        resource=resource,
        method=request.method,
        path=request.get_full_path(),
        address=client_address(request),
    )


FORMAT_PARAMETER = OpenApiParameter(
    "format",
    OpenApiTypes.STR,
    enum=["json", "pdf"],
    description="json (default): a FHIR R4 Bundle; pdf: a readable summary.",
)
BUNDLE_EXAMPLE = {
    "resourceType": "Bundle",
    "id": "0c8f6a8e-5bd4-4f1e-9d4e-0f1ad0e2a7b1",
    "type": "collection",
    "timestamp": "2027-03-10T18:30:00+01:00",
    "entry": [
        {
            "fullUrl": "urn:uuid:3f1f8c53-64b5-5d3e-9d7c-8a7f3d0c1e22",
            "resource": {
                "resourceType": "Patient",
                "id": "3f1f8c53-64b5-5d3e-9d7c-8a7f3d0c1e22",
                "name": [{"family": "de Vries", "given": ["Sanne"]}],
                "birthDate": "1994-05-17",
            },
        },
        {
            "fullUrl": "urn:uuid:8d2e77a0-1c1e-5b8e-a1b9-0d5ec3b1f0aa",
            "resource": {
                "resourceType": "Observation",
                "id": "8d2e77a0-1c1e-5b8e-a1b9-0d5ec3b1f0aa",
                "status": "final",
                "code": {
                    "coding": [
                        {
                            "system": "http://loinc.org",
                            "code": "72514-3",
                            "display": PAIN_SCORE[2],
                        }
                    ]
                },
                "subject": {"reference": "urn:uuid:3f1f8c53-64b5-5d3e-9d7c-8a7f3d0c1e22"},
                "effectiveDateTime": "2027-03-10T18:05:00+01:00",
                "valueInteger": 2,
            },
        },
    ],
}
EXPORT_SCHEMA = extend_schema(
    parameters=[FORMAT_PARAMETER],
    responses={
        (200, "application/fhir+json"): OpenApiResponse(
            response={
                "type": "object",
                "properties": {
                    "resourceType": {"type": "string", "enum": ["Bundle"]},
                    "type": {"type": "string"},
                    "entry": {"type": "array", "items": {"type": "object"}},
                },
                "required": ["resourceType", "type", "entry"],
            },
            description="The record as a FHIR R4 Bundle (type collection), streamed.",
            examples=[OpenApiExample("A FHIR R4 bundle (abridged)", value=BUNDLE_EXAMPLE)],
        ),
        (200, "application/pdf"): OpenApiResponse(
            response=OpenApiTypes.BINARY, description="A readable summary (?format=pdf)."
        ),
    },
)


class FhirBundleResponse(StreamingHttpResponse):
    """The bundle goes out entry by entry. Tools that ask for ``content`` at once (test
    clients, for one) get the whole body joined."""

    @property
    def content(self) -> bytes:
        if not hasattr(self, "_joined"):
            self._joined = b"".join(self.streaming_content)
        return self._joined


class RecordExportMixin:
    """Both export views: pick the form from ``?format=``, log the export, answer."""

    permission_classes = [RoleAllowed]

    def perform_content_negotiation(self, request, force=False):
        # ``?format=`` chooses the form of the copy (json or pdf), not a DRF renderer;
        # errors are problem details either way.
        renderer = self.get_renderers()[0]
        return renderer, renderer.media_type

    def export(self, request, patient: Patient):
        form = request.query_params.get("format", "json")
        if form not in ("json", "fhir", "pdf"):
            raise ValidationError({"format": [gettext("Give json (a FHIR R4 bundle) or pdf.")]})
        kind = "pdf" if form == "pdf" else "fhir"
        record_export_log(
            exported_by=request.user,
            patient=patient,
            format=kind,
            path=request.get_full_path(),
            address=client_address(request),
        )
        filename = f"record-{patient.pk}"
        if kind == "pdf":
            response = HttpResponse(record_pdf(patient), content_type="application/pdf")
            response["Content-Disposition"] = f'attachment; filename="{filename}.pdf"'
            return response
        response = FhirBundleResponse(
            fhir.bundle_stream(patient, request.user), content_type=FHIR_CONTENT_TYPE
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}.fhir.json"'
        return response


class MeExportView(RecordExportMixin, APIView):
    """A copy of my whole record: a FHIR R4 Bundle, or ``?format=pdf`` for a readable
    summary. Every copy is written to the access log as an export."""

    roles = PATIENT_ONLY

    @EXPORT_SCHEMA
    def get(self, request):
        return self.export(request, own_patient_or_404(request))


class PatientExportView(RecordExportMixin, APIView):
    """A patient's record for a referral (clinicians and managers of the patient's
    location; the front desk gets no clinical export). FHIR R4 Bundle, or ``?format=pdf``."""

    roles = CLINICAL

    @EXPORT_SCHEMA
    def get(self, request, id: int):
        return self.export(request, get_object_or_404(patients_visible_to(request.user), pk=id))
