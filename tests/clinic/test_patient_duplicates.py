"""One person, one record (issue 22, case 12): a new patient with the same first and last
name (trimmed, any case) and date of birth as a patient at either location is a 409
``possible_duplicate`` naming the existing record, unless the desk confirms it is a new
person; the confirmation is kept (who, when). A split record would hide earlier injuries."""

from __future__ import annotations

import datetime

import pytest
import yaml
from django.urls import reverse

from clinic.models import Patient
from clinic.roles import role_group_assign
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db

DOB = datetime.date(1988, 3, 14)


@pytest.fixture
def existing(zoetermeer):
    """A patient at the other location than the Rotterdam desk's."""
    return PatientFactory(
        first_name="Sanne", last_name="de Vries", date_of_birth=DOB, location=zoetermeer
    )


def body(**changes) -> dict:
    return {
        "first_name": "Sanne",
        "last_name": "de Vries",
        "date_of_birth": DOB.isoformat(),
        "location": "rotterdam",
        **changes,
    }


def assert_names(response, existing) -> None:
    assert response.status_code == 409, response.content
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["code"] == "possible_duplicate"
    assert problem["existing"] == {"id": existing.id, "location": existing.location.slug}
    assert problem["duplicates"] == [problem["existing"]]
    # Administrative identity only: the front desk may see it; nothing clinical.
    assert "first_name" not in problem["existing"]


def test_the_same_person_at_the_other_location_is_a_409_naming_the_record(
    api, front_desk, existing
):
    response = api(front_desk).post("/api/v1/patients/", body(), format="json")
    assert_names(response, existing)
    assert Patient.objects.count() == 1


def test_the_same_person_at_the_same_location_is_a_409(api, front_desk, rotterdam):
    here = PatientFactory(first_name="Sanne", last_name="de Vries", date_of_birth=DOB)
    response = api(front_desk).post("/api/v1/patients/", body(), format="json")
    assert_names(response, here)


@pytest.mark.parametrize(
    ("first_name", "last_name"),
    [("sanne", "DE VRIES"), ("  Sanne ", "de Vries  "), ("SANNE", " De vries")],
)
def test_case_and_spaces_do_not_make_another_person(
    api, front_desk, existing, first_name, last_name
):
    response = api(front_desk).post(
        "/api/v1/patients/", body(first_name=first_name, last_name=last_name), format="json"
    )
    assert_names(response, existing)


def test_an_existing_name_with_spaces_and_capitals_is_found(api, front_desk, zoetermeer):
    stored = PatientFactory(
        first_name=" SANNE", last_name="De Vries ", date_of_birth=DOB, location=zoetermeer
    )
    assert_names(api(front_desk).post("/api/v1/patients/", body(), format="json"), stored)


def test_another_date_of_birth_or_name_is_another_person(api, front_desk, existing):
    other_day = body(date_of_birth=(DOB + datetime.timedelta(days=1)).isoformat())
    assert api(front_desk).post("/api/v1/patients/", other_day, format="json").status_code == 201
    other_name = body(first_name="Sanna")
    assert api(front_desk).post("/api/v1/patients/", other_name, format="json").status_code == 201


def test_confirm_new_registers_and_records_who_confirmed_and_when(api, front_desk, existing):
    response = api(front_desk).post("/api/v1/patients/", body(confirm_new=True), format="json")
    assert response.status_code == 201, response.content
    assert "confirm_new" not in response.json()  # write-only
    assert response.json()["duplicate_confirmed_at"] is not None
    created = Patient.objects.get(pk=response.json()["id"])
    assert created.duplicate_confirmed_by == front_desk
    assert created.duplicate_confirmed_at is not None
    assert created.location.slug == "rotterdam"


def test_a_new_person_records_no_confirmation(api, front_desk, existing):
    response = api(front_desk).post(
        "/api/v1/patients/", body(first_name="Lotte", confirm_new=True), format="json"
    )
    assert response.status_code == 201
    assert response.json()["duplicate_confirmed_at"] is None
    assert Patient.objects.get(pk=response.json()["id"]).duplicate_confirmed_by is None


def test_confirm_new_false_is_still_refused(api, front_desk, existing):
    response = api(front_desk).post("/api/v1/patients/", body(confirm_new=False), format="json")
    assert_names(response, existing)


def test_renaming_a_patient_into_another_is_a_409_unless_confirmed(api, front_desk, existing):
    patient = PatientFactory(first_name="Sanne", last_name="Jansen", date_of_birth=DOB)
    url = f"/api/v1/patients/{patient.id}/"
    refused = api(front_desk).patch(url, {"last_name": "de vries"}, format="json")
    assert_names(refused, existing)
    patient.refresh_from_db()
    assert patient.last_name == "Jansen"

    confirmed = api(front_desk).patch(
        url, {"last_name": "de vries", "confirm_new": True}, format="json"
    )
    assert confirmed.status_code == 200, confirmed.content
    patient.refresh_from_db()
    assert patient.last_name == "de vries"
    assert patient.duplicate_confirmed_by == front_desk
    assert patient.duplicate_confirmed_at is not None


def test_a_new_date_of_birth_that_matches_another_patient_is_a_409(api, front_desk, existing):
    patient = PatientFactory(
        first_name="Sanne", last_name="de Vries", date_of_birth=DOB + datetime.timedelta(days=400)
    )
    response = api(front_desk).patch(
        f"/api/v1/patients/{patient.id}/", {"date_of_birth": DOB.isoformat()}, format="json"
    )
    assert_names(response, existing)


def test_editing_other_fields_of_a_confirmed_duplicate_needs_no_new_confirmation(
    api, front_desk, existing
):
    created = api(front_desk).post("/api/v1/patients/", body(confirm_new=True), format="json")
    url = f"/api/v1/patients/{created.json()['id']}/"
    changed = api(front_desk).patch(url, {"email": "sanne@example.nl"}, format="json")
    assert changed.status_code == 200, changed.content
    # Only the case of a name changes: still the same record, no new check.
    recased = api(front_desk).patch(url, {"first_name": "SANNE"}, format="json")
    assert recased.status_code == 200, recased.content


# --- The admin: the same gate, a form error with a box to confirm -----------------------


@pytest.fixture
def desk_client(client, front_desk):
    front_desk.is_staff = True
    front_desk.save(update_fields=["is_staff"])
    role_group_assign(user=front_desk)
    client.force_login(front_desk)
    return client


def admin_form(rotterdam, **changes) -> dict:
    return {
        "first_name": "sanne ",
        "last_name": "De Vries",
        "date_of_birth": DOB.isoformat(),
        "email": "",
        "phone": "",
        "language": "nl",
        "location": rotterdam.pk,
        "primary_clinician": "",
        **changes,
    }


def test_a_duplicate_in_the_admin_add_form_is_a_form_error(desk_client, rotterdam, existing):
    response = desk_client.post(reverse("admin:clinic_patient_add"), admin_form(rotterdam))
    assert response.status_code == 200  # the form again, with the refusal
    assert b"errornote" in response.content
    assert f"patient {existing.id}".encode() in response.content
    assert b'name="confirm_new"' in response.content
    assert Patient.objects.count() == 1


def test_confirming_in_the_admin_registers_and_records_it(
    desk_client, front_desk, rotterdam, existing
):
    response = desk_client.post(
        reverse("admin:clinic_patient_add"), admin_form(rotterdam, confirm_new="on")
    )
    assert response.status_code == 302, response.content[:800]
    created = Patient.objects.exclude(pk=existing.pk).get()
    assert created.duplicate_confirmed_by == front_desk
    assert created.duplicate_confirmed_at is not None
    page = desk_client.get(reverse("admin:clinic_patient_change", args=[created.pk]))
    assert page.status_code == 200
    # Shown, never edited: the confirmation is read-only in the admin.
    assert b'name="duplicate_confirmed_by"' not in page.content
    assert front_desk.username.encode() in page.content or str(front_desk).encode() in page.content


def test_renaming_into_another_patient_in_the_admin_is_a_form_error(
    desk_client, rotterdam, existing
):
    patient = PatientFactory(first_name="Sanne", last_name="Jansen", date_of_birth=DOB)
    url = reverse("admin:clinic_patient_change", args=[patient.pk])
    refused = desk_client.post(url, admin_form(rotterdam))
    assert refused.status_code == 200
    assert b"errornote" in refused.content
    patient.refresh_from_db()
    assert patient.last_name == "Jansen"
    confirmed = desk_client.post(url, admin_form(rotterdam, confirm_new="on"))
    assert confirmed.status_code == 302
    patient.refresh_from_db()
    assert patient.last_name == "De Vries" and patient.duplicate_confirmed_at is not None


def test_the_openapi_document_offers_confirm_new_and_the_code(client):
    document = yaml.safe_load(client.get("/api/schema/").content)
    schemas = document["components"]["schemas"]
    for name in ("PatientRequest", "PatchedPatientRequest"):
        assert schemas[name]["properties"]["confirm_new"] == {
            **schemas[name]["properties"]["confirm_new"],
            "type": "boolean",
            "writeOnly": True,
        }
    assert "confirm_new" not in schemas["Patient"]["properties"]
    assert "possible_duplicate" in schemas["ErrorCode"]["x-known-values"]
    for path, method in (("/api/v1/patients/", "post"), ("/api/v1/patients/{id}/", "patch")):
        assert "possible_duplicate" in document["paths"][path][method]["x-error-codes"]
