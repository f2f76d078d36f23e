"""The codes the FHIR copy of a record uses, in one place.

Well-known codes where one exists and we are sure of it:

- LOINC 72514-3 "Pain severity - 0-10 verbal numeric rating [Score] - Reported": every
  0–10 pain score (assessment at rest and walking, check-in now and during activity).
- SNOMED CT laterality qualifiers 7771000 |Left| and 24028007 |Right| (Condition body site).
- SNOMED CT severity 255604002 |Mild|, 6736007 |Moderate|, 24484000 |Severe| (the FHIR
  condition-severity value set) for injury grades 1, 2 and 3.
- ICD-10 S76.3 (injury of the posterior muscle group at thigh level) beside the clinic's
  own code for the hamstring injury.
- HL7 terminology for statuses and categories (condition-clinical, observation-category,
  flag-category).

Everything else (the hamstring injury as the clinic treats it, grades, readiness tests,
strength symmetry, program steps, rule codes, message kinds and channels) is a code system
of the clinic's own, under the host of ``PROBLEM_TYPE_BASE``:
``https://<host>/fhir/CodeSystem/<name>``.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings

SNOMED = "http://snomed.info/sct"
LOINC = "http://loinc.org"
ICD10 = "http://hl7.org/fhir/sid/icd-10"
CONDITION_CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
CONDITION_VERIFICATION = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
CONDITION_CATEGORY = "http://terminology.hl7.org/CodeSystem/condition-category"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
FLAG_CATEGORY = "http://terminology.hl7.org/CodeSystem/flag-category"
PROVENANCE_PARTICIPANT = "http://terminology.hl7.org/CodeSystem/provenance-participant-type"
UCUM = "http://unitsofmeasure.org"

PAIN_SCORE = (LOINC, "72514-3", "Pain severity - 0-10 verbal numeric rating [Score] - Reported")
LATERALITY = {
    "left": (SNOMED, "7771000", "Left"),
    "right": (SNOMED, "24028007", "Right"),
}
SEVERITY_OF_GRADE = {
    1: (SNOMED, "255604002", "Mild"),
    2: (SNOMED, "6736007", "Moderate"),
    3: (SNOMED, "24484000", "Severe"),
}
HAMSTRING_INJURY_ICD10 = (
    ICD10,
    "S76.3",
    "Injury of muscle, fascia and tendon of the posterior muscle group at thigh level",
)


def clinic_origin() -> str:
    """``https://clinic.example`` from ``PROBLEM_TYPE_BASE``: the clinic's own namespace."""
    parts = urlsplit(settings.PROBLEM_TYPE_BASE)
    return f"{parts.scheme}://{parts.netloc}"


def clinic_system(name: str) -> str:
    return f"{clinic_origin()}/fhir/CodeSystem/{name}"


def clinic_identifier_system(name: str) -> str:
    return f"{clinic_origin()}/fhir/sid/{name}"


def check_in_questionnaire() -> str:
    return f"{clinic_origin()}/fhir/Questionnaire/check-in"


# The clinic's own code systems (names under /fhir/CodeSystem/).
INJURY = "injury"  # hamstring-injury
GRADE = "injury-grade"  # 1, 2, 3
FINDING = "finding"  # pain-rest, strength-symmetry-percent, readiness tests, ...
STEP = "program-step"  # 1..5 with the step names of API.md
RULE = "rule"  # alert and escalation rule codes (API.md, "Codes")
MESSAGE_KIND = "message-kind"
CHANNEL = "channel"
APPOINTMENT_TYPE = "appointment-type"


def coding(system: str, code: str, display: str | None = None) -> dict:
    out = {"system": system, "code": str(code)}
    if display:
        out["display"] = display
    return out


def concept(*codings: dict, text: str | None = None) -> dict:
    out: dict = {"coding": list(codings)}
    if text:
        out["text"] = text
    return out


def clinic_coding(name: str, code: str, display: str | None = None) -> dict:
    return coding(clinic_system(name), code, display)
