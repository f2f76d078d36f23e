"""The patient's record as a FHIR R4 (4.0.1) ``Bundle`` of type ``collection``, streamed.

Every resource is built as plain JSON and then parsed by ``fhirclient``'s R4 models
(SMART on FHIR's ``fhirclient``, whose models are generated from the 4.0.1 definitions),
which refuse a wrong type, a missing required element, an unknown element or a malformed
date. The bundle is written entry by entry: long histories (check-ins, messages) are read in
chunks, so a patient with years of check-ins is never held in memory at once.

Each entry's ``fullUrl`` is a ``urn:uuid:`` derived from the clinic and the row, and every
reference points at one of them, so references resolve inside the bundle (a manager who
exports is named by display only). Codes: ``records.codes``.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Iterator
from datetime import date, datetime

from django.utils import timezone
from fhirclient.models.appointment import Appointment as FhirAppointment
from fhirclient.models.bundle import Bundle
from fhirclient.models.careplan import CarePlan
from fhirclient.models.communication import Communication
from fhirclient.models.condition import Condition
from fhirclient.models.flag import Flag
from fhirclient.models.observation import Observation
from fhirclient.models.organization import Organization
from fhirclient.models.patient import Patient as FhirPatient
from fhirclient.models.practitioner import Practitioner
from fhirclient.models.provenance import Provenance
from fhirclient.models.questionnaireresponse import QuestionnaireResponse

from assessments.rules import READINESS_TESTS, RED_FLAGS, STRENGTH_SYMMETRY
from bookings.models import AppointmentStatus
from clinic.models import Patient, Role, User
from clinic.time import CLINIC_TZ
from escalations.models import UNRESOLVED
from programs import rules as program_rules
from programs.models import ProgramStatus, Step
from records import codes, selectors
from records.codes import clinic_coding, coding, concept

FHIR_VERSION = "4.0.1"
MODEL_OF = {
    model.resource_type: model
    for model in (
        FhirPatient,
        Organization,
        Practitioner,
        Condition,
        Observation,
        CarePlan,
        FhirAppointment,
        QuestionnaireResponse,
        Flag,
        Communication,
        Provenance,
    )
}


def validated(resource: dict) -> dict:
    """The resource, once the R4 model has read it; raises ``FHIRValidationError`` on
    anything R4 does not allow. Reading checks what writing back (``as_json``) would check
    again, at a third more cost per resource, so the checked input is what goes out."""
    MODEL_OF[resource["resourceType"]](resource, strict=True)
    return resource


def local_id(kind: str, pk: object) -> str:
    """A stable id for one row: the same record exported twice has the same ids."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{codes.clinic_origin()}/{kind}/{pk}"))


def full_url(kind: str, pk: object) -> str:
    return f"urn:uuid:{local_id(kind, pk)}"


def ref(kind: str, pk: object, display: str | None = None) -> dict:
    out = {"reference": full_url(kind, pk)}
    if display:
        out["display"] = display
    return out


def instant(moment: datetime) -> str:
    """Clinic time with its offset, to the second."""
    return timezone.localtime(moment, CLINIC_TZ).isoformat(timespec="seconds")


def day(value: date) -> str:
    return value.isoformat()


# --- who --------------------------------------------------------------------------------


def patient_resource(patient: Patient) -> dict:
    telecom = []
    if patient.email:
        telecom.append({"system": "email", "value": patient.email})
    if patient.phone:
        telecom.append({"system": "phone", "value": str(patient.phone)})
    resource = {
        "resourceType": "Patient",
        "id": local_id("patient", patient.pk),
        "identifier": [
            {"system": codes.clinic_identifier_system("patient"), "value": str(patient.pk)}
        ],
        "active": True,
        "name": [{"use": "official", "family": patient.last_name, "given": [patient.first_name]}],
        "birthDate": day(patient.date_of_birth),
        "communication": [
            {
                "language": concept(coding("urn:ietf:bcp:47", patient.language)),
                "preferred": True,
            }
        ],
        "managingOrganization": ref("location", patient.location_id),
    }
    if telecom:
        resource["telecom"] = telecom
    if patient.primary_clinician_id:
        resource["generalPractitioner"] = [ref("clinician", patient.primary_clinician_id)]
    return resource


def organization_resource(location) -> dict:
    resource = {
        "resourceType": "Organization",
        "id": local_id("location", location.pk),
        "identifier": [
            {"system": codes.clinic_identifier_system("location"), "value": location.slug}
        ],
        "active": True,
        "name": f"Hamstring clinic {location.name}",
    }
    if location.address:
        resource["address"] = [{"text": location.address}]
    return resource


def practitioner_resource(clinician) -> dict:
    user = clinician.user
    resource = {
        "resourceType": "Practitioner",
        "id": local_id("clinician", clinician.pk),
        "identifier": [
            {"system": codes.clinic_identifier_system("clinician"), "value": str(clinician.pk)}
        ],
        "name": [{"text": clinician.name}],
    }
    if clinician.registration_number:
        # The Dutch BIG register's naming system.
        resource["identifier"].append(
            {
                "system": "http://fhir.nl/fhir/NamingSystem/big",
                "value": clinician.registration_number,
            }
        )
    if user.last_name:
        resource["name"][0].update(
            family=user.last_name, given=[user.first_name] if user.first_name else []
        )
    return resource


# --- the injury -------------------------------------------------------------------------


def condition_resource(episode, grade: int | None, recorder_id: int | None) -> dict:
    side = episode.side
    resource = {
        "resourceType": "Condition",
        "id": local_id("episode", episode.pk),
        "clinicalStatus": concept(
            coding(codes.CONDITION_CLINICAL, "resolved" if episode.closed_at else "active")
        ),
        "verificationStatus": concept(coding(codes.CONDITION_VERIFICATION, "confirmed")),
        "category": [
            concept(coding(codes.CONDITION_CATEGORY, "problem-list-item", "Problem List Item"))
        ],
        "code": concept(
            clinic_coding(codes.INJURY, "hamstring-injury", "Hamstring injury"),
            coding(*codes.HAMSTRING_INJURY_ICD10),
            text=f"Hamstring injury, {side} leg",
        ),
        "bodySite": [concept(coding(*codes.LATERALITY[side]), text=f"{side} hamstring")],
        "subject": ref("patient", episode.patient_id),
        "onsetDateTime": day(episode.onset_date),
        "recordedDate": instant(episode.created_at),
    }
    if grade is not None:
        resource["severity"] = concept(coding(*codes.SEVERITY_OF_GRADE[grade]))
        resource["stage"] = [
            {"summary": concept(clinic_coding(codes.GRADE, str(grade), f"Grade {grade}"))}
        ]
    if episode.closed_at:
        resource["abatementDateTime"] = instant(episode.closed_at)
    if recorder_id is not None:
        resource["recorder"] = ref("clinician", recorder_id)
    if episode.previous_injuries:
        resource["note"] = [{"text": f"Earlier hamstring injuries: {episode.previous_injuries}."}]
    return resource


def _observation(
    *, key: str, patient_id: int, when: datetime, code: dict, category: str, **value
) -> dict:
    return {
        "resourceType": "Observation",
        "id": local_id("observation", key),
        "status": "final",
        "category": [concept(coding(codes.OBSERVATION_CATEGORY, category))],
        "code": code,
        "subject": ref("patient", patient_id),
        "effectiveDateTime": instant(when),
        **value,
    }


def pain_code(finding: str, display: str) -> dict:
    return concept(coding(*codes.PAIN_SCORE), clinic_coding(codes.FINDING, finding, display))


ASSESSMENT_PAIN = (
    ("pain_rest", "pain-at-rest", "Pain at rest"),
    ("pain_walking", "pain-walking", "Pain while walking"),
)


def assessment_observations(assessment) -> list[dict]:
    """Pain scores, strength symmetry and readiness tests of one assessment (category
    ``exam``; the assessing clinician performed them)."""
    common = {
        "patient_id": assessment.patient_id,
        "when": assessment.assessed_at,
        "category": "exam",
        "performer": [ref("clinician", assessment.clinician_id)],
        "focus": [ref("episode", assessment.episode_id)],
    }
    found = []
    for field, code, display in ASSESSMENT_PAIN:
        value = getattr(assessment, field)
        if value is not None:
            found.append(
                _observation(
                    key=f"assessment-{assessment.pk}-{code}",
                    code=pain_code(code, display),
                    valueInteger=value,
                    **common,
                )
            )
    for test, passed in (assessment.readiness or {}).items():
        if test == STRENGTH_SYMMETRY:
            found.append(
                _observation(
                    key=f"assessment-{assessment.pk}-{test}",
                    code=concept(
                        clinic_coding(
                            codes.FINDING,
                            "strength-symmetry-percent",
                            "Hamstring strength, injured leg as % of the other",
                        )
                    ),
                    valueQuantity={
                        "value": passed,
                        "unit": "%",
                        "system": codes.UCUM,
                        "code": "%",
                    },
                    **common,
                )
            )
        elif test in READINESS_TESTS:
            found.append(
                _observation(
                    key=f"assessment-{assessment.pk}-{test}",
                    code=concept(
                        clinic_coding(codes.FINDING, test, READINESS_TESTS[test]),
                        text=f"Readiness: {READINESS_TESTS[test]}",
                    ),
                    valueBoolean=bool(passed),
                    **common,
                )
            )
    for flag in assessment.red_flags or []:
        found.append(
            _observation(
                key=f"assessment-{assessment.pk}-red-flag-{flag}",
                code=concept(
                    clinic_coding(codes.FINDING, flag, RED_FLAGS.get(flag)),
                    text=f"Red flag: {RED_FLAGS.get(flag, flag)}",
                ),
                valueBoolean=True,
                **common,
            )
        )
    return found


def assessment_provenance(assessment, targets: list[dict]) -> dict:
    return {
        "resourceType": "Provenance",
        "id": local_id("provenance", f"assessment-{assessment.pk}"),
        "target": targets,
        "recorded": instant(assessment.created_at),
        "occurredDateTime": instant(assessment.assessed_at),
        "agent": [
            {
                "type": concept(coding(codes.PROVENANCE_PARTICIPANT, "author", "Author")),
                "who": ref("clinician", assessment.clinician_id),
            }
        ],
    }


# --- the program ------------------------------------------------------------------------

CARE_PLAN_STATUS = {
    ProgramStatus.ACTIVE: "active",
    ProgramStatus.PAUSED: "on-hold",
    ProgramStatus.COMPLETED: "completed",
    ProgramStatus.REFERRED: "revoked",  # stopped here and handed over
}
CURRENT_STEP_STATUS = {
    ProgramStatus.ACTIVE: "in-progress",
    ProgramStatus.PAUSED: "on-hold",
    ProgramStatus.COMPLETED: "completed",
    ProgramStatus.REFERRED: "stopped",
}


def step_periods(program) -> list[tuple[int, datetime, datetime | None]]:
    """(step, from, until) for each step the program was in, oldest first."""
    periods: list[list] = [[Step.ANALYSIS, program.started_at, None]]
    for change in program.transitions.all():
        periods[-1][2] = change.at
        periods.append([change.to_step, change.at, None])
    if program.closed_at:
        periods[-1][2] = program.closed_at
    return [tuple(p) for p in periods]


def care_plan_resource(program) -> dict:
    periods = step_periods(program)
    activities = []
    for index, (step, start, until) in enumerate(periods):
        current = index == len(periods) - 1
        period = {"start": instant(start)}
        if until:
            period["end"] = instant(until)
        activities.append(
            {
                "detail": {
                    "code": concept(clinic_coding(codes.STEP, str(step), Step(step).label)),
                    "status": CURRENT_STEP_STATUS[program.status] if current else "completed",
                    "scheduledPeriod": period,
                    "description": f"Step {step}: {Step(step).label.replace('_', ' ')}",
                }
            }
        )
    resource = {
        "resourceType": "CarePlan",
        "id": local_id("program", program.pk),
        "status": CARE_PLAN_STATUS[program.status],
        "intent": "plan",
        "title": "Five-step hamstring program",
        "description": (
            f"Step {program.step} of 5 ({program.step_name.replace('_', ' ')}); "
            f"check in every {program.check_in_every_days} days."
        ),
        "subject": ref("patient", program.patient_id),
        "period": {"start": instant(program.started_at)},
        "created": instant(program.created_at),
        "author": ref("clinician", program.clinician_id),
        "activity": activities,
    }
    if program.closed_at:
        resource["period"]["end"] = instant(program.closed_at)
    if program.episode_id:
        resource["addresses"] = [ref("episode", program.episode_id)]
    if program.closed_reason:
        resource["note"] = [{"text": program.closed_reason}]
    return resource


# --- appointments -----------------------------------------------------------------------

APPOINTMENT_STATUS = {
    AppointmentStatus.BOOKED: "booked",
    AppointmentStatus.CANCELLED: "cancelled",
    AppointmentStatus.COMPLETED: "fulfilled",
    AppointmentStatus.NO_SHOW: "noshow",
}


def appointment_resource(appointment) -> dict:
    kind = appointment.appointment_type
    resource = {
        "resourceType": "Appointment",
        "id": local_id("appointment", appointment.pk),
        "status": APPOINTMENT_STATUS[appointment.status],
        "serviceType": [concept(clinic_coding(codes.APPOINTMENT_TYPE, kind.code, kind.name))],
        "description": f"{kind.name} in {appointment.location.name}",
        "start": instant(appointment.start),
        "end": instant(appointment.end),
        "minutesDuration": int((appointment.end - appointment.start).total_seconds() // 60),
        "created": instant(appointment.created_at),
        "participant": [
            {"actor": ref("patient", appointment.patient_id), "status": "accepted"},
            {"actor": ref("clinician", appointment.clinician_id), "status": "accepted"},
        ],
    }
    if appointment.status == AppointmentStatus.CANCELLED and appointment.cancel_reason:
        resource["cancelationReason"] = concept(
            clinic_coding("cancel-reason", appointment.cancel_reason)
        )
    return resource


# --- check-ins --------------------------------------------------------------------------


def _item(link_id: str, text: str, *answers: dict) -> dict:
    item = {"linkId": link_id, "text": text}
    # A question the patient left out (null) has no answer in FHIR, not an empty one.
    given = [answer for answer in answers if all(v is not None for v in answer.values())]
    if given:
        item["answer"] = given
    return item


# The check-in's questions with one answer each: the field, the question, the answer's type.
CHECK_IN_QUESTIONS = (
    ("pain_now", "Pain now (0-10)", "valueInteger"),
    ("pain_activity", "Pain during activity (0-10)", "valueInteger"),
    ("pain_character", "Character of the pain", "valueString"),
    ("pain_course", "Course of the pain", "valueString"),
    ("next_day_pain", "Pain the next day", "valueBoolean"),
    ("exercise_pain_over_hour", "Pain more than an hour after exercising", "valueBoolean"),
    ("exercises_done", "Exercises done", "valueBoolean"),
    ("walking_minutes", "Minutes walked", "valueInteger"),
    ("walks_without_limp", "Walks without a limp", "valueBoolean"),
)


def check_in_resources(check_in, language: str) -> list[dict]:
    """A check-in is a QuestionnaireResponse (the patient's answers, alerts and advice)
    and two Observations (pain now, pain during activity) derived from it."""
    qr_ref = ref("check-in", check_in.pk)
    items = [
        *(
            _item(field, text, {value_type: getattr(check_in, field)})
            for field, text, value_type in CHECK_IN_QUESTIONS
        ),
        _item(
            "complaints_elsewhere",
            "Complaints elsewhere",
            *({"valueString": area} for area in check_in.complaints_elsewhere or []),
        ),
    ]
    if check_in.note:
        items.append(_item("note", "Note", {"valueString": check_in.note}))
    items.append(
        _item(
            "alerts",
            "Alerts",
            *({"valueCoding": clinic_coding(codes.RULE, alert)} for alert in check_in.alerts or []),
        )
    )
    items.append(
        _item(
            "advice",
            "Advice given",
            *(
                {"valueString": advice["text"]}
                for advice in program_rules.advice_for(check_in.alerts or [], language)
            ),
        )
    )
    response = {
        "resourceType": "QuestionnaireResponse",
        "id": local_id("check-in", check_in.pk),
        "questionnaire": codes.check_in_questionnaire(),
        "status": "completed",
        "subject": ref("patient", check_in.patient_id),
        "authored": instant(check_in.submitted_at),
        "author": ref("patient", check_in.patient_id),
        "source": ref("patient", check_in.patient_id),
        "item": items,
    }
    if check_in.program_id:
        response["basedOn"] = [ref("program", check_in.program_id)]
    common = {
        "patient_id": check_in.patient_id,
        "when": check_in.submitted_at,
        "category": "survey",
        "performer": [ref("patient", check_in.patient_id)],
        "derivedFrom": [qr_ref],
    }
    return [
        response,
        _observation(
            key=f"check-in-{check_in.pk}-pain-now",
            code=pain_code("pain-now", "Pain now"),
            valueInteger=check_in.pain_now,
            **common,
        ),
        _observation(
            key=f"check-in-{check_in.pk}-pain-activity",
            code=pain_code("pain-during-activity", "Pain during activity"),
            valueInteger=check_in.pain_activity,
            **common,
        ),
    ]


# --- escalations and messages -----------------------------------------------------------


def flag_resource(escalation, location_id: int) -> dict:
    return {
        "resourceType": "Flag",
        "id": local_id("escalation", escalation.pk),
        "status": "active",
        "category": [concept(coding(codes.FLAG_CATEGORY, "clinical", "Clinical"))],
        "code": concept(
            clinic_coding(codes.RULE, escalation.rule),
            text=f"{escalation.rule.replace('_', ' ')} ({escalation.severity})",
        ),
        "subject": ref("patient", escalation.patient_id),
        "period": {"start": instant(escalation.created_at)},
        "author": ref("location", location_id),
    }


def communication_resource(message, location_id: int) -> dict:
    content = "\n\n".join(part for part in (message.subject, message.body) if part)
    return {
        "resourceType": "Communication",
        "id": local_id("message", message.pk),
        "status": "completed",
        "category": [concept(clinic_coding(codes.MESSAGE_KIND, message.kind))],
        "medium": [concept(clinic_coding(codes.CHANNEL, message.channel))],
        "subject": ref("patient", message.patient_id),
        "recipient": [ref("patient", message.patient_id)],
        "sender": ref("location", location_id),
        "sent": instant(message.sent_at),
        "payload": [{"contentString": content or message.kind.replace("_", " ")}],
    }


def clinician_of(user: User):
    """The clinician profile of a clinician's account, else None."""
    if user.role != Role.CLINICIAN:
        return None
    return getattr(user, "clinician", None)


def export_provenance(patient: Patient, exported_by: User, at: datetime) -> dict:
    """Who made this copy, and for which clinic."""
    assembler = {"display": exported_by.get_full_name() or exported_by.username}
    if exported_by.role == Role.PATIENT:
        assembler = ref("patient", patient.pk)
    elif clinician_of(exported_by) is not None:
        assembler = ref("clinician", exported_by.clinician.pk)
    return {
        "resourceType": "Provenance",
        "id": local_id("provenance", f"export-{patient.pk}-{at.timestamp()}"),
        "target": [ref("patient", patient.pk)],
        "recorded": instant(at),
        "agent": [
            {
                "type": concept(coding(codes.PROVENANCE_PARTICIPANT, "custodian", "Custodian")),
                "who": ref("location", patient.location_id),
            },
            {
                "type": concept(coding(codes.PROVENANCE_PARTICIPANT, "assembler", "Assembler")),
                "who": assembler,
            },
        ],
    }


# --- the bundle -------------------------------------------------------------------------


def record_resources(patient: Patient, exported_by: User) -> Iterator[dict]:
    """Every resource of the record, each validated, in an order a reader can follow."""
    at = timezone.now()
    yield patient_resource(patient)
    yield organization_resource(patient.location)
    clinicians = list(selectors.record_clinicians(patient=patient))
    exporter = clinician_of(exported_by)
    if exporter is not None and all(c.pk != exporter.pk for c in clinicians):
        clinicians.append(exporter)
    for clinician in clinicians:
        yield practitioner_resource(clinician)

    assessments = list(selectors.record_assessments(patient=patient).order_by("assessed_at", "id"))
    latest_grade: dict[int, tuple[int | None, int]] = {}
    for assessment in assessments:
        if assessment.grade is not None or assessment.episode_id not in latest_grade:
            latest_grade[assessment.episode_id] = (assessment.grade, assessment.clinician_id)
    for episode in selectors.record_episodes(patient=patient):
        grade, recorder = latest_grade.get(episode.pk, (None, None))
        yield condition_resource(episode, grade, recorder)
    for assessment in assessments:
        observations = assessment_observations(assessment)
        yield from observations
        targets = [ref("episode", assessment.episode_id)] + [
            {"reference": f"urn:uuid:{o['id']}"} for o in observations
        ]
        yield assessment_provenance(assessment, targets)

    for program in selectors.record_programs(patient=patient).order_by("started_at", "id"):
        yield care_plan_resource(program)
    for appointment in selectors.in_chunks(selectors.record_appointments(patient=patient)):
        yield appointment_resource(appointment)
    check_ins = selectors.record_check_ins(patient=patient).order_by("submitted_at", "id")
    for check_in in selectors.in_chunks(check_ins):
        yield from check_in_resources(check_in, patient.language)
    for escalation in selectors.record_escalations(patient=patient).filter(status__in=UNRESOLVED):
        yield flag_resource(escalation, patient.location_id)
    for message in selectors.in_chunks(selectors.record_messages_sent(patient=patient)):
        yield communication_resource(message, patient.location_id)
    yield export_provenance(patient, exported_by, at)


def bundle_header() -> dict:
    """The Bundle without its entries, checked by the R4 model like every resource."""
    return Bundle(
        {
            "resourceType": "Bundle",
            "id": str(uuid.uuid4()),
            "meta": {"lastUpdated": instant(timezone.now())},
            "identifier": {
                "system": codes.clinic_identifier_system("record-export"),
                "value": str(uuid.uuid4()),
            },
            "type": "collection",
            "timestamp": instant(timezone.now()),
        },
        strict=True,
    ).as_json()


def bundle_stream(patient: Patient, exported_by: User) -> Iterable[bytes]:
    """The Bundle as JSON, in pieces: the header, then one entry at a time."""
    header = json.dumps(bundle_header(), ensure_ascii=False)
    yield (header[:-1] + ', "entry": [').encode()
    separator = ""
    for resource in record_resources(patient, exported_by):
        resource = validated(resource)
        entry = {"fullUrl": f"urn:uuid:{resource['id']}", "resource": resource}
        yield (separator + json.dumps(entry, ensure_ascii=False)).encode()
        separator = ","
    yield b"]}"
