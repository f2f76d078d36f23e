"""A referral reads where the patient was sent (issue 22, case 15): an escalation closed
as ``referred_gp`` is "Referred to the GP", never "Referred to a specialist"; the specialist
wording is for a specialist referral only. Both the record and the program, in both
languages."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from rest_framework.test import APIClient

from escalations.models import Escalation
from escalations.services import escalation_resolve
from programs.models import Program
from programs.services.programs import program_refer
from tests.world import World

WORDS = {
    ("referred_gp", "en"): ("Referred to the GP", "referred you to the GP"),
    ("referred_gp", "nl"): ("Doorverwezen naar de huisarts", "doorverwezen naar de huisarts"),
    ("referred_specialist", "en"): ("Referred to a specialist", "referred you to a specialist"),
    ("referred_specialist", "nl"): (
        "Doorverwezen naar een specialist",
        "doorverwezen naar een specialist",
    ),
}


def _read_as_patient(world: World, language: str) -> tuple[dict, dict]:
    patient = world.users["patient"].patient
    patient.language = language
    patient.save(update_fields=["language"])
    headers = {"HTTP_ACCEPT_LANGUAGE": language, **world.headers("patient")}
    record = APIClient().get("/api/v1/me/record/", **headers)
    program = APIClient().get(f"/api/v1/programs/{world.ids['program']}/", **headers)
    assert record.status_code == 200 and program.status_code == 200
    (closed,) = [p for p in record.json()["programs"] if p["id"] == world.ids["program"]]
    return closed, program.json()


@pytest.mark.django_db
@pytest.mark.parametrize(("outcome", "language"), sorted(WORDS))
def test_a_referral_through_an_escalation_names_where_the_patient_was_sent(outcome, language):
    world = World.build()
    escalation_resolve(
        escalation=Escalation.objects.get(pk=world.ids["escalation"]),
        by=world.users["clinician"],
        outcome=outcome,
        note="Seen today.",
    )
    status_text, closed_reason = WORDS[(outcome, language)]
    other = "referred_specialist" if outcome == "referred_gp" else "referred_gp"
    wrong_status, wrong_reason = WORDS[(other, language)]

    in_record, program = _read_as_patient(world, language)

    assert in_record["status"] == program["status"] == "referred"
    assert in_record["status_text"] == status_text
    assert closed_reason in program["closed_reason"]
    assert wrong_status not in in_record["status_text"]
    assert wrong_reason not in program["closed_reason"]


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "nl"])
def test_a_referral_that_does_not_say_where_names_no_specialist(language):
    world = World.build()
    program_refer(
        program=Program.objects.get(pk=world.ids["program"]),
        by=world.users["clinician"],
        reason="Further imaging.",
    )

    in_record, program = _read_as_patient(world, language)

    assert (
        in_record["status_text"]
        == {
            "en": "Referred for further care",
            "nl": "Doorverwezen voor verdere zorg",
        }[language]
    )
    for words in WORDS.values():
        assert words[0] != in_record["status_text"]
        assert words[1] not in program["closed_reason"]


@pytest.mark.django_db
def test_the_clinician_can_say_where_a_referral_goes_through_the_api():
    world = World.build()
    url = f"/api/v1/programs/{world.ids['program']}/refer/"

    refused = APIClient().post(
        url, {"reason": "x", "to": "dentist"}, format="json", **world.headers("clinician")
    )
    assert refused.status_code == 400
    referred = APIClient().post(
        url, {"reason": "Knee too.", "to": "gp"}, format="json", **world.headers("clinician")
    )
    assert referred.status_code == 200, referred.content

    in_record, program = _read_as_patient(world, "en")
    assert in_record["status_text"] == "Referred to the GP"
    assert "referred you to the GP" in program["closed_reason"]


@pytest.mark.django_db
def test_only_a_referred_program_names_where_it_referred_to():
    """The database holds it for every path (admin, commands, a direct write)."""
    world = World.build()
    program = Program.objects.get(pk=world.ids["program"])
    with pytest.raises(IntegrityError), transaction.atomic():
        Program.objects.filter(pk=program.pk).update(referred_to="gp")
    program_refer(program=program, by=world.users["clinician"], reason="x", referred_to="gp")
    with pytest.raises(IntegrityError), transaction.atomic():
        Program.objects.filter(pk=program.pk).update(referred_to="dentist")
