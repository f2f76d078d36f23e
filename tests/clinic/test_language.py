"""One language per reader: a signed-in user's own, else Accept-Language, else English."""

import pytest
from django.test import Client

from tests.programs.factories import ProgramFactory

pytestmark = pytest.mark.django_db

CHECK_INS = "/api/v1/check-ins/"
CALM = {
    "pain_now": 2,
    "pain_activity": 3,
    "pain_character": "dull",
    "pain_course": "stable",
    "exercises_done": True,
    "walking_minutes": 15,
    "walks_without_limp": True,
}
# What each reader sees, whatever language their phone asks for.
READERS = {
    "nl": {
        "phone": "en-GB,en;q=0.9",
        "required": "Dit veld is vereist.",
        "invalid": "Het verzoek bevat ongeldige velden; zie errors.",
        "bad_request": "Ongeldig verzoek",
        "not_found": "Niet gevonden.",
        "not_found_title": "Niet gevonden",
        "advice": "Ga zo door",
    },
    "en": {
        "phone": "nl-NL,nl;q=0.9",
        "required": "This field is required.",
        "invalid": "The request has invalid fields; see errors.",
        "bad_request": "Bad Request",
        "not_found": "Not found.",
        "not_found_title": "Not Found",
        "advice": "Keep going",
    },
}


@pytest.mark.parametrize("language", ["nl", "en"])
def test_a_patient_reads_everything_in_the_language_on_their_record(
    api, patient, clinician, language
):
    expect = READERS[language]
    patient.language = language
    patient.save(update_fields=["language"])
    ProgramFactory(patient=patient, clinician=clinician)
    client = api(patient.user)

    missing = {k: v for k, v in CALM.items() if k != "pain_now"}
    invalid = client.post(CHECK_INS, missing, format="json", HTTP_ACCEPT_LANGUAGE=expect["phone"])
    assert invalid.status_code == 400
    assert invalid.json()["errors"]["pain_now"] == [expect["required"]]
    assert invalid.json()["detail"] == expect["invalid"]
    assert invalid.json()["title"] == expect["bad_request"]
    assert invalid["Content-Language"] == language

    gone = client.get(f"{CHECK_INS}999999/", HTTP_ACCEPT_LANGUAGE=expect["phone"])
    assert gone.status_code == 404
    assert (gone.json()["title"], gone.json()["detail"]) == (
        expect["not_found_title"],
        expect["not_found"],
    )

    created = client.post(CHECK_INS, CALM, format="json", HTTP_ACCEPT_LANGUAGE=expect["phone"])
    assert created.status_code == 201, created.json()
    [advice] = created.json()["advice"]
    assert advice["code"] == "keep_going"
    assert expect["advice"] in advice["text"]
    assert created["Content-Language"] == language


@pytest.mark.parametrize("language", ["nl", "en"])
def test_a_clinician_reads_check_in_advice_in_their_own_language(api, patient, clinician, language):
    """Advice follows the reader, not the patient it was written for."""
    patient.language = "en" if language == "nl" else "nl"
    patient.save(update_fields=["language"])
    ProgramFactory(patient=patient, clinician=clinician)
    check_in = api(patient.user).post(CHECK_INS, CALM, format="json").json()
    clinician.user.language = language
    clinician.user.save(update_fields=["language"])
    client = api(clinician.user)

    read = client.get(f"{CHECK_INS}{check_in['id']}/", HTTP_ACCEPT_LANGUAGE="fr")
    assert READERS[language]["advice"] in read.json()["advice"][0]["text"]
    gone = client.get("/api/v1/patients/999999/")
    assert gone.json()["detail"] == READERS[language]["not_found"]


@pytest.mark.parametrize(
    ("accept", "detail", "title", "content_language"),
    [
        ("nl", "Authenticatiegegevens zijn niet opgegeven.", "Niet geautoriseerd", "nl"),
        (
            "nl-BE,nl;q=0.9,en;q=0.5",
            "Authenticatiegegevens zijn niet opgegeven.",
            "Niet geautoriseerd",
            "nl",
        ),
        (None, "Authentication credentials were not provided.", "Unauthorized", "en"),
        ("fr, de", "Authentication credentials were not provided.", "Unauthorized", "en"),
    ],
)
def test_an_anonymous_reader_gets_accept_language_else_english(
    api, accept, detail, title, content_language
):
    headers = {"HTTP_ACCEPT_LANGUAGE": accept} if accept else {}
    response = api().get("/api/v1/me/", **headers)
    assert response.status_code == 401
    assert (response.json()["detail"], response.json()["title"]) == (detail, title)
    assert response["Content-Language"] == content_language


def test_a_staff_member_without_a_language_follows_the_client(api, front_desk):
    assert front_desk.language == ""
    client = api(front_desk)
    dutch = client.post("/api/v1/patients/", {}, format="json", HTTP_ACCEPT_LANGUAGE="nl")
    english = client.post("/api/v1/patients/", {}, format="json")
    assert dutch.json()["errors"]["first_name"] == ["Dit veld is vereist."]
    assert english.json()["errors"]["first_name"] == ["This field is required."]


def test_an_unknown_api_path_answers_in_the_readers_language(api):
    response = api().get("/api/v1/nowhere/", HTTP_ACCEPT_LANGUAGE="nl")
    assert response.status_code == 404
    assert response.json()["detail"] == "Geen API-adres op /api/v1/nowhere/."
    assert response.json()["title"] == "Niet gevonden"


@pytest.mark.parametrize("asked", [{"HTTP_ACCEPT_LANGUAGE": "nl"}, {}])
def test_the_openapi_document_is_english_whatever_the_request(client, asked):
    schema = client.get("/api/schema/?format=json&lang=nl", **asked).content.decode()
    assert "Required. 150 characters or fewer." in schema
    for dutch in ("Vereist", "tekens of minder", "Niet gevonden", "Dit veld"):
        assert dutch not in schema
    assert client.get("/api/schema/", **asked)["Content-Language"] == "en"


@pytest.mark.parametrize(
    ("accept", "expected", "absent"),
    [
        (
            "nl",
            ["Patiënten", "Fysiotherapeuten", "Onderzoeken", "Afspraken", "Afmelden"],
            "Log out",
        ),
        ("en", ["Patients", "Clinicians", "Assessments", "Appointments", "Log out"], "Afmelden"),
    ],
)
def test_the_admin_follows_the_browser_language(admin_user, accept, expected, absent):
    browser = Client(HTTP_ACCEPT_LANGUAGE=accept)
    browser.force_login(admin_user)
    page = browser.get("/admin/").content.decode()
    for text in expected:
        assert text in page
    assert absent not in page


@pytest.mark.parametrize(
    ("accept", "detail", "title"),
    [
        ("nl", "Deze patiënt heeft al een actief of gepauzeerd programma.", "Conflict"),
        ("en", "This patient already has an active or paused program.", "Conflict"),
    ],
)
def test_a_domain_refusal_is_read_in_the_readers_language(
    api, clinician, patient, accept, detail, title
):
    ProgramFactory(patient=patient, clinician=clinician)
    response = api(clinician.user).post(
        "/api/v1/programs/", {"patient": patient.id}, format="json", HTTP_ACCEPT_LANGUAGE=accept
    )
    assert response.status_code == 409
    assert response.json()["code"] == "program_already_active"
    assert (response.json()["detail"], response.json()["title"]) == (detail, title)


def test_a_field_error_the_service_writes_is_translated(api, clinician, patient):
    clinician.user.language = "nl"
    clinician.user.save(update_fields=["language"])
    response = api(clinician.user).post(
        "/api/v1/assessments/",
        {"patient": patient.id, "side": "left", "red_flags": ["no_such_flag"]},
        format="json",
    )
    assert response.status_code == 400
    [message] = response.json()["errors"]["red_flags"]
    assert message.startswith('Onbekende code voor alarmsignaal: "no_such_flag"; bekend zijn: ')
