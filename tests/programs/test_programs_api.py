"""Programs: who may start and read them, and what a program shows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clinic.models import AccessLogEntry
from programs.models import Program, StepTransition
from tests.assessments.factories import AssessmentFactory, InjuryEpisodeFactory
from tests.factories import ClinicianFactory, PatientFactory
from tests.programs.factories import ExerciseFactory, ProgramFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/programs/"


def start(api, user, **body):
    return api(user).post(URL, body, format="json")


def test_clinician_starts_a_program_at_step_1(api, clinician, patient):
    assessment = AssessmentFactory(episode=InjuryEpisodeFactory(patient=patient))
    response = start(api, clinician.user, patient=patient.id, assessment=assessment.id)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["patient"] == patient.id
    assert body["clinician"] == clinician.id
    assert body["episode"] == assessment.episode_id
    assert (body["step"], body["step_name"], body["status"]) == (1, "analysis", "active")
    assert body["check_in_every_days"] == 2
    assert body["history"] == []
    assert body["prescriptions"] == []
    assert AccessLogEntry.objects.filter(
        resource="program", action="create", patient=patient, object_id=str(body["id"])
    ).exists()


def test_one_open_program_per_patient(api, clinician, patient):
    assert start(api, clinician.user, patient=patient.id).status_code == 201
    second = start(api, clinician.user, patient=patient.id)
    assert second.status_code == 409
    assert second.json()["type"].endswith("/program_already_active")
    assert Program.objects.filter(patient=patient).count() == 1


def test_clinician_sets_the_check_in_rhythm_on_start(api, clinician, patient):
    body = start(api, clinician.user, patient=patient.id, check_in_every_days=4).json()
    assert body["check_in_every_days"] == 4
    assert body["check_in_every_days_set"] is True


def test_manager_must_name_the_clinician(api, manager, clinician, patient):
    refused = start(api, manager, patient=patient.id)
    assert refused.status_code == 400
    assert "clinician" in refused.json()["errors"]
    assert not Program.objects.exists()
    ok = start(api, manager, patient=patient.id, clinician=clinician.id)
    assert ok.status_code == 201
    assert ok.json()["clinician"] == clinician.id


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"patient": "abc"},
        {"patient": 999999},
        {"patient": None},
        {"patient": "PATIENT", "assessment": 999999},
        {"patient": "PATIENT", "clinician": 999999},
        {"patient": "PATIENT", "check_in_every_days": 0},
        {"patient": "PATIENT", "check_in_every_days": "often"},
        {"patient": ["PATIENT"]},
    ],
)
def test_bad_input_is_400_and_writes_nothing(api, clinician, patient, body):
    body = {k: (patient.id if v == "PATIENT" else v) for k, v in body.items()}
    response = start(api, clinician.user, **body)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["errors"]
    assert not Program.objects.exists()


def test_patient_of_another_location_cannot_be_enrolled(api, clinician, zoetermeer):
    elsewhere = PatientFactory(location=zoetermeer)
    response = start(api, clinician.user, patient=elsewhere.id)
    assert response.status_code == 400
    assert "patient" in response.json()["errors"]


def test_assessment_of_another_patient_is_refused(api, clinician, patient, other_patient):
    theirs = AssessmentFactory(episode=InjuryEpisodeFactory(patient=other_patient))
    response = start(api, clinician.user, patient=patient.id, assessment=theirs.id)
    assert response.status_code == 400
    assert "assessment" in response.json()["errors"]
    assert not Program.objects.exists()


def test_clinician_of_another_location_cannot_lead_it(api, manager, patient, other_clinician):
    patient.primary_clinician = None
    patient.save()
    response = start(api, manager, patient=patient.id, clinician=other_clinician.id)
    assert response.status_code == 400
    assert "clinician" in response.json()["errors"]


def test_front_desk_sees_no_programs(api, front_desk, clinician, patient):
    program = ProgramFactory(patient=patient, clinician=clinician)
    client = api(front_desk)
    assert client.get(URL).status_code == 403
    assert client.get(f"{URL}{program.id}/").status_code == 403
    assert client.post(URL, {"patient": patient.id}, format="json").status_code == 403
    for action in ("advance", "pause", "resume", "complete", "refer", "prescriptions"):
        assert client.post(f"{URL}{program.id}/{action}/", {}, format="json").status_code == 403


def test_patient_reads_own_program_only(api, clinician, patient, other_patient):
    mine = ProgramFactory(patient=patient, clinician=clinician)
    theirs = ProgramFactory(patient=other_patient, clinician=clinician)
    client = api(patient.user)
    listed = client.get(URL).json()
    assert [row["id"] for row in listed["results"]] == [mine.id]
    assert client.get(f"{URL}{mine.id}/").status_code == 200
    assert client.get(f"{URL}{theirs.id}/").status_code == 404
    assert client.post(URL, {"patient": patient.id}, format="json").status_code == 403
    assert client.post(f"{URL}{mine.id}/advance/", {}, format="json").status_code == 403


def test_patient_reads_exercise_names_in_their_language(api, clinician, patient):
    program = ProgramFactory(patient=patient, clinician=clinician)
    exercise = ExerciseFactory(name_nl="Brughouding", name_en="Bridge hold")
    program.prescriptions.create(exercise=exercise, step=1, sets=3, hold_seconds=30)
    patient.language = "nl"
    patient.save()
    body = api(patient.user).get(f"{URL}{program.id}/").json()
    assert body["prescriptions"][0]["exercise_name"] == "Brughouding"
    patient.language = "en"
    patient.save()
    body = api(patient.user).get(f"{URL}{program.id}/").json()
    assert body["prescriptions"][0]["exercise_name"] == "Bridge hold"


def test_clinician_of_another_location_gets_404(api, other_clinician, clinician, patient):
    program = ProgramFactory(patient=patient, clinician=clinician)
    client = api(other_clinician.user)
    assert client.get(f"{URL}{program.id}/").status_code == 404
    assert client.post(f"{URL}{program.id}/advance/", {}, format="json").status_code == 404
    assert client.get(URL).json()["results"] == []


def test_reads_are_access_logged(api, clinician, patient):
    program = ProgramFactory(patient=patient, clinician=clinician)
    api(clinician.user).get(f"{URL}{program.id}/")
    api(clinician.user).get(URL)
    entries = AccessLogEntry.objects.filter(resource="program", patient=patient, action="read")
    assert entries.count() == 2


def test_patient_filter(api, clinician, patient, other_patient):
    ProgramFactory(patient=patient, clinician=clinician)
    ProgramFactory(patient=other_patient, clinician=clinician)
    rows = api(clinician.user).get(URL, {"patient": patient.id}).json()["results"]
    assert [row["patient"] for row in rows] == [patient.id]


def test_patch_sets_the_check_in_rhythm(api, clinician, patient):
    program = ProgramFactory(patient=patient, clinician=clinician)
    url = f"{URL}{program.id}/"
    assert (
        api(clinician.user).patch(url, {"check_in_every_days": 0}, format="json").status_code == 400
    )
    response = api(clinician.user).patch(url, {"check_in_every_days": 5}, format="json")
    assert response.status_code == 200
    assert response.json()["check_in_every_days"] == 5
    assert (
        api(patient.user).patch(url, {"check_in_every_days": 9}, format="json").status_code == 403
    )


def _programs_with_history(n, clinician):
    exercise = ExerciseFactory()
    for _ in range(n):
        program = ProgramFactory(clinician=clinician)
        StepTransition.objects.create(program=program, from_step=1, to_step=2, by=clinician.user)
        program.prescriptions.create(exercise=exercise, step=2, sets=3, reps=10)


def test_list_queries_do_not_grow_with_the_number_of_programs(api, clinician):
    client = api(clinician.user)
    _programs_with_history(10, clinician)
    with CaptureQueriesContext(connection) as ten:
        assert len(client.get(URL).json()["results"]) == 10
    _programs_with_history(40, clinician)
    with CaptureQueriesContext(connection) as fifty:
        assert len(client.get(URL).json()["results"]) == 50
    assert len(fifty) == len(ten)


def test_clinician_treating_a_patient_elsewhere_sees_the_program(api, zoetermeer, clinician):
    treating = ClinicianFactory(user__locations=[zoetermeer])
    patient = PatientFactory(primary_clinician=treating)
    program = ProgramFactory(patient=patient, clinician=clinician)
    assert api(treating.user).get(f"{URL}{program.id}/").status_code == 200
