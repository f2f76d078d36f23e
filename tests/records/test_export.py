"""GET /api/v1/me/export/ and /api/v1/patients/{id}/export/: a FHIR R4 Bundle or a PDF."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from fhirclient.models.fhirabstractbase import FHIRValidationError
from fhirclient.models.fhirelementfactory import FHIRElementFactory

from assessments.models import InjuryEpisode
from bookings.models import Appointment
from clinic.models import AccessLogEntry
from escalations.models import UNRESOLVED, Escalation
from notifications.models import Audience, Notification, Status
from programs.models import CheckIn, Program
from records import codes, fhir
from tests.programs.factories import CheckInFactory

pytestmark = pytest.mark.django_db


def bundle_of(response) -> dict:
    assert response.status_code == 200, response.content[:300]
    assert response.streaming
    assert response["Content-Type"].startswith("application/fhir+json")
    return json.loads(b"".join(response.streaming_content))


def references(node):
    """Every ``reference`` string anywhere in a resource."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "reference" and isinstance(value, str):
                yield value
            else:
                yield from references(value)
    elif isinstance(node, list):
        for value in node:
            yield from references(value)


def test_the_patient_gets_a_valid_r4_bundle_of_their_record(api, patient, full_record):
    bundle = bundle_of(api(patient.user).get("/api/v1/me/export/"))

    assert bundle["resourceType"] == "Bundle"
    assert bundle["type"] == "collection"
    full_urls = [entry["fullUrl"] for entry in bundle["entry"]]
    assert len(full_urls) == len(set(full_urls))
    for entry in bundle["entry"]:
        resource = entry["resource"]
        # Parsed back by the R4 models: a wrong type or a missing element raises.
        parsed = FHIRElementFactory.instantiate(resource["resourceType"], resource)
        assert parsed.as_json() == resource
        assert entry["fullUrl"] == f"urn:uuid:{resource['id']}"
    unresolved = {
        ref
        for entry in bundle["entry"]
        for ref in references(entry["resource"])
        if ref not in set(full_urls)
    }
    assert not unresolved


def test_the_bundle_counts_match_the_database(api, patient, full_record):
    bundle = bundle_of(api(patient.user).get("/api/v1/me/export/"))
    counts = Counter(entry["resource"]["resourceType"] for entry in bundle["entry"])

    check_ins = CheckIn.objects.filter(patient=patient).count()
    assert counts["Patient"] == 1
    assert counts["Condition"] == InjuryEpisode.objects.filter(patient=patient).count() == 1
    assert counts["QuestionnaireResponse"] == check_ins == 2
    assert counts["CarePlan"] == Program.objects.filter(patient=patient).count() == 1
    assert counts["Appointment"] == Appointment.objects.filter(patient=patient).count() == 1
    assert (
        counts["Flag"] == Escalation.objects.filter(patient=patient, status__in=UNRESOLVED).count()
    )
    assert counts["Flag"] >= 1
    sent = Notification.objects.filter(
        patient=patient, audience=Audience.PATIENT, status=Status.SENT
    )
    assert counts["Communication"] == sent.count() == 1
    # Per check-in: pain now and pain during activity. The assessment: pain at rest and
    # walking, one readiness test, strength symmetry and one red flag.
    assert counts["Observation"] == 2 * check_ins + 5
    # One per assessment and one for the export itself.
    assert counts["Provenance"] == 2


def test_codes_are_loinc_snomed_or_the_clinics_own(api, patient, full_record):
    bundle = bundle_of(api(patient.user).get("/api/v1/me/export/"))
    resources = [entry["resource"] for entry in bundle["entry"]]
    (condition,) = [r for r in resources if r["resourceType"] == "Condition"]
    assert condition["severity"]["coding"][0] == {
        "system": codes.SNOMED,
        "code": "6736007",
        "display": "Moderate",
    }
    assert condition["bodySite"][0]["coding"][0]["code"] == "7771000"  # left
    assert condition["stage"][0]["summary"]["coding"][0]["code"] == "2"
    pain = [
        r
        for r in resources
        if r["resourceType"] == "Observation" and r["code"]["coding"][0]["system"] == codes.LOINC
    ]
    assert {p["code"]["coding"][0]["code"] for p in pain} == {"72514-3"}
    assert {p["valueInteger"] for p in pain} >= {3, 5, 2, 4}  # rest, walking, check-ins
    own = codes.clinic_system("")
    assert own.startswith("https://clinic.example/fhir/CodeSystem/")
    flag = next(r for r in resources if r["resourceType"] == "Flag")
    assert flag["code"]["coding"][0]["system"].startswith(own)
    plan = next(r for r in resources if r["resourceType"] == "CarePlan")
    assert [a["detail"]["code"]["coding"][0]["code"] for a in plan["activity"]] == ["1", "2"]
    assert [a["detail"]["status"] for a in plan["activity"]] == ["completed", "in-progress"]


def test_the_copy_holds_the_clinical_notes_but_not_other_patients(
    api, patient, other_patient, full_record
):
    CheckInFactory(patient=other_patient, note="Someone else's note")
    text = b"".join(api(patient.user).get("/api/v1/me/export/").streaming_content).decode()
    assert "Someone else's note" not in text
    assert other_patient.last_name not in text


def test_every_export_is_in_the_access_log(api, patient, clinician, full_record):
    b"".join(api(patient.user).get("/api/v1/me/export/").streaming_content)
    api(clinician.user).get(f"/api/v1/patients/{patient.id}/export/?format=pdf")
    exports = AccessLogEntry.objects.filter(patient=patient, action="export").order_by("id")
    assert [(e.actor_id, e.resource, e.object_id) for e in exports] == [
        (patient.user_id, "record", "fhir"),
        (clinician.user_id, "record", "pdf"),
    ]


def test_the_pdf_is_a_readable_summary(api, patient, full_record):
    response = api(patient.user).get("/api/v1/me/export/?format=pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert len(response.content) > 2000


def test_an_unknown_format_is_a_problem(api, patient):
    response = api(patient.user).get("/api/v1/me/export/?format=xml")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/problem+json")
    assert "format" in response.json()["errors"]


def test_a_clinician_exports_for_a_referral_at_their_location(api, patient, clinician, full_record):
    bundle = bundle_of(api(clinician.user).get(f"/api/v1/patients/{patient.id}/export/"))
    provenance = [
        e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Provenance"
    ][-1]
    assembler = provenance["agent"][1]["who"]["reference"]
    assert assembler == fhir.full_url("clinician", clinician.pk)


def test_a_manager_of_the_location_exports(api, patient, manager, full_record):
    bundle = bundle_of(api(manager).get(f"/api/v1/patients/{patient.id}/export/"))
    assert bundle["resourceType"] == "Bundle"


def test_a_clinician_elsewhere_gets_404(api, patient, other_clinician, full_record):
    response = api(other_clinician.user).get(f"/api/v1/patients/{patient.id}/export/")
    assert response.status_code == 404
    assert not AccessLogEntry.objects.filter(patient=patient, action="export").exists()


def test_the_front_desk_gets_no_clinical_export(api, patient, front_desk, full_record):
    for path in (f"/api/v1/patients/{patient.id}/export/", "/api/v1/me/export/"):
        response = api(front_desk).get(path)
        assert response.status_code == 403
        assert response["Content-Type"].startswith("application/problem+json")


def test_a_patient_cannot_export_through_the_staff_path(api, patient, other_patient):
    for who in (patient, other_patient):
        response = api(who.user).get(f"/api/v1/patients/{patient.id}/export/")
        assert response.status_code == 403


def test_the_r4_models_refuse_what_r4_does_not_allow():
    with pytest.raises(FHIRValidationError):
        fhir.validated({"resourceType": "Flag", "status": "active"})  # no code, no subject
    with pytest.raises(FHIRValidationError):
        fhir.validated(
            {
                "resourceType": "Observation",
                "status": "final",
                "code": {"text": "pain"},
                "effectiveDateTime": "yesterday",
            }
        )


def test_a_long_history_is_read_in_chunks(api, patient, django_assert_max_num_queries):
    """A patient with many check-ins: the query count does not grow with the rows
    (the check-ins come through one server-side cursor, CHUNK_SIZE rows at a time)."""
    CheckInFactory.create_batch(30, patient=patient)
    client = api(patient.user)
    with django_assert_max_num_queries(30):
        bundle = bundle_of(client.get("/api/v1/me/export/"))
    assert (
        sum(e["resource"]["resourceType"] == "QuestionnaireResponse" for e in bundle["entry"]) == 30
    )
