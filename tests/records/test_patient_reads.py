"""What a patient may read is one list (``clinic.readable``), applied to every endpoint a
patient can call: the staff's reasons, notes, overrides, settings and user ids never reach
the patient, and a closed program's reason is plain words, not the clinician's note."""

from __future__ import annotations

import json

import pytest
from django.db import transaction
from rest_framework.test import APIClient

from clinic.readable import STAFF_ONLY_KEYS
from escalations.models import Escalation
from escalations.services import escalation_resolve
from programs.models import Prescription, Program
from programs.services.programs import prescription_change, program_advance
from tests.test_authorization_matrix import parse_matrix, request_for, schema_operations
from tests.world import World

NOTE = "STAFF-NOTE-7513"

# The copy of the whole record (FHIR/PDF) carries the notes on purpose: the right to a
# copy covers the whole file (records.readable).
WHOLE_FILE = {"GET /api/v1/me/export/"}


def plant_staff_notes(world: World) -> None:
    """Every kind of staff note a patient's objects can carry, with one recognisable text."""
    clinician = world.users["clinician"]
    program = Program.objects.get(pk=world.ids["program"])
    program_advance(program=program, by=clinician, override=True, reason=f"{NOTE} step")
    prescription = Prescription.objects.get(pk=world.ids["prescription"])
    prescription_change(
        prescription=prescription,
        by=clinician,
        sets=10,
        reps=30,
        notes=f"{NOTE} dosage",
        override=True,
        reason=f"{NOTE} load",
    )


def keys_in(value) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {key for child in value.values() for key in keys_in(child)}
    if isinstance(value, list):
        return {key for child in value for key in keys_in(child)}
    return set()


def patient_operations(client) -> list[str]:
    """Every operation of the OpenAPI document the patient gets through (the matrix)."""
    table = parse_matrix()
    return [
        operation
        for operation in schema_operations(client)
        if table[operation]["patient"] not in {"401", "403", "404"} and operation not in WHOLE_FILE
    ]


def answers_to_the_patient(world: World) -> dict[str, tuple[int, str]]:
    client = APIClient()
    answers = {}
    for operation in patient_operations(client):
        method, path, body = request_for(operation, world, "patient")
        with transaction.atomic():
            response = client.generic(
                method,
                path,
                data=None if body is None else json.dumps(body),
                content_type="application/json",
                **world.headers("patient"),
            )
            transaction.set_rollback(True)
        answers[operation] = (response.status_code, response.content.decode())
    return answers


@pytest.mark.django_db
def test_no_endpoint_gives_the_patient_a_staff_only_field_or_a_staff_note():
    world = World.build()
    plant_staff_notes(world)
    answers = answers_to_the_patient(world)

    assert "GET /api/v1/programs/{id}/" in answers
    assert answers["GET /api/v1/programs/{id}/"][0] == 200
    leaks = []
    for operation, (status, content) in answers.items():
        assert status < 500, (operation, content[:300])
        if NOTE in content:
            leaks.append(f"{operation}: the staff note")
        if content and content.lstrip().startswith(("{", "[")):
            found = keys_in(json.loads(content)) & STAFF_ONLY_KEYS
            if found:
                leaks.append(f"{operation}: {sorted(found)}")
    assert not leaks, "\n".join(leaks)


@pytest.mark.django_db
def test_the_same_answers_to_a_clinician_keep_the_staffs_fields():
    """The patient's cut is a cut for the patient only: the clinician still reads why."""
    world = World.build()
    plant_staff_notes(world)
    response = APIClient().get(
        f"/api/v1/programs/{world.ids['program']}/", **world.headers("clinician")
    )
    body = response.json()
    assert {"overrides", "load_history"} <= set(body)
    assert NOTE in body["history"][-1]["reason"]
    assert NOTE in body["prescriptions"][0]["notes"]
    assert {"by", "reason", "rules_overridden", "settings_in_force"} <= set(body["history"][-1])


@pytest.mark.django_db
def test_a_referral_closes_the_program_in_plain_words_for_the_patient():
    world = World.build()
    escalation = Escalation.objects.get(pk=world.ids["escalation"])
    escalation_resolve(
        escalation=escalation,
        by=world.users["clinician"],
        outcome="referred_specialist",
        note=f"{NOTE}: MRI requested, suspect a tendon avulsion.",
    )
    patient = world.users["patient"].patient
    patient.language = "en"
    patient.save(update_fields=["language"])
    url = f"/api/v1/programs/{world.ids['program']}/"

    as_patient = APIClient().get(url, **world.headers("patient")).json()
    as_clinician = APIClient().get(url, **world.headers("clinician")).json()

    assert as_patient["status"] == "referred"
    assert NOTE not in as_patient["closed_reason"]
    assert "referred" in as_patient["closed_reason"]
    assert NOTE in as_clinician["closed_reason"]
    listed = APIClient().get("/api/v1/programs/", **world.headers("patient")).content.decode()
    assert NOTE not in listed


@pytest.mark.django_db
def test_a_patient_reads_the_closed_reason_in_dutch():
    world = World.build()
    escalation = Escalation.objects.get(pk=world.ids["escalation"])
    escalation_resolve(
        escalation=escalation,
        by=world.users["clinician"],
        outcome="referred_gp",
        note=f"{NOTE}: to the GP.",
    )
    patient = world.users["patient"].patient
    patient.language = "nl"
    patient.save(update_fields=["language"])

    body = (
        APIClient()
        .get(
            f"/api/v1/programs/{world.ids['program']}/",
            HTTP_ACCEPT_LANGUAGE="nl",
            **world.headers("patient"),
        )
        .json()
    )

    assert "fysiotherapeut" in body["closed_reason"]
