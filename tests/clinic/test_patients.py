"""Who may see and change which patient record (DOMAIN.md, "People")."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clinic.models import AccessLogEntry, Patient, Role
from tests.factories import PatientFactory, UserFactory

pytestmark = pytest.mark.django_db

CLINICAL_FIELDS = {"assessments", "check_ins", "notes", "escalations", "grade", "red_flags"}


def test_front_desk_lists_only_patients_of_their_location(api, front_desk, zoetermeer):
    here = PatientFactory.create_batch(3)
    PatientFactory.create_batch(2, location=zoetermeer)
    response = api(front_desk).get("/api/v1/patients/")
    assert response.status_code == 200
    body = response.json()
    assert set(body) >= {"next", "previous", "results"}
    assert {row["id"] for row in body["results"]} == {p.id for p in here}
    assert all(row["location"] == "rotterdam" for row in body["results"])
    assert not CLINICAL_FIELDS & set(body["results"][0])


def test_front_desk_of_another_location_gets_404_for_a_patient(api, front_desk_zoetermeer):
    patient = PatientFactory()
    assert api(front_desk_zoetermeer).get(f"/api/v1/patients/{patient.id}/").status_code == 404


def test_patient_cannot_list_patients(api, patient):
    response = api(patient.user).get("/api/v1/patients/")
    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"


def test_patient_reads_own_record_and_gets_404_for_another(api, patient, other_patient):
    own = api(patient.user).get(f"/api/v1/patients/{patient.id}/")
    assert own.status_code == 200
    assert own.json()["id"] == patient.id
    other = api(patient.user).get(f"/api/v1/patients/{other_patient.id}/")
    assert other.status_code == 404
    assert other.json()["type"].endswith("/not_found")


def test_me_tells_the_patient_which_record_is_theirs(api, patient):
    body = api(patient.user).get("/api/v1/me/").json()
    assert body["role"] == "patient"
    assert body["patient"] == patient.id
    assert body["clinician"] is None
    assert body["locations"] == ["rotterdam"]


def test_clinician_sees_patients_they_treat_at_another_location(api, other_clinician, rotterdam):
    treated = PatientFactory(location=rotterdam, primary_clinician=other_clinician)
    PatientFactory(location=rotterdam)
    ids = {r["id"] for r in api(other_clinician.user).get("/api/v1/patients/").json()["results"]}
    assert ids == {treated.id}


def test_front_desk_registers_a_patient_with_phone_in_e164(api, front_desk, clinician):
    response = api(front_desk).post(
        "/api/v1/patients/",
        {
            "first_name": "Anna",
            "last_name": "de Jong",
            "date_of_birth": "1990-04-01",
            "location": "rotterdam",
            "phone": "06 12345678",
            "language": "en",
            "primary_clinician": clinician.id,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["phone"] == "+31612345678"
    assert body["location"] == "rotterdam"
    assert body["primary_clinician"] == clinician.id
    assert AccessLogEntry.objects.filter(patient_id=body["id"], action="create").count() == 1


def test_front_desk_cannot_register_at_another_location(api, front_desk):
    response = api(front_desk).post(
        "/api/v1/patients/",
        {
            "first_name": "A",
            "last_name": "B",
            "date_of_birth": "1990-01-01",
            "location": "zoetermeer",
        },
        format="json",
    )
    assert response.status_code == 403
    assert response.json()["code"] == "location_not_allowed"
    assert not Patient.objects.exists()


def test_invalid_fields_are_listed_and_nothing_is_written(api, front_desk):
    response = api(front_desk).post(
        "/api/v1/patients/",
        {"first_name": "", "date_of_birth": "not-a-date", "location": "paris", "phone": "12"},
        format="json",
    )
    assert response.status_code == 400
    body = response.json()
    assert response["Content-Type"] == "application/problem+json"
    assert {"first_name", "last_name", "date_of_birth", "location", "phone"} <= set(body["errors"])
    assert not Patient.objects.exists()


def test_patch_updates_contact_details(api, front_desk):
    patient = PatientFactory()
    response = api(front_desk).patch(
        f"/api/v1/patients/{patient.id}/", {"email": "new@example.nl"}, format="json"
    )
    assert response.status_code == 200
    patient.refresh_from_db()
    assert patient.email == "new@example.nl"


def test_primary_clinician_must_work_at_the_location(api, front_desk, other_clinician):
    patient = PatientFactory()
    response = api(front_desk).patch(
        f"/api/v1/patients/{patient.id}/", {"primary_clinician": other_clinician.id}, format="json"
    )
    assert response.status_code == 400
    assert "primary_clinician" in response.json()["errors"]


def test_every_patient_read_writes_exactly_one_access_log_entry(api, clinician):
    patient = PatientFactory(primary_clinician=clinician)
    api(clinician.user).get(f"/api/v1/patients/{patient.id}/")
    entries = AccessLogEntry.objects.filter(patient=patient)
    assert entries.count() == 1
    entry = entries.get()
    assert (entry.actor, entry.action, entry.resource) == (clinician.user, "read", "patient")
    assert entry.address == "127.0.0.1"


def test_a_list_logs_one_entry_per_patient_shown(api, front_desk):
    shown = PatientFactory.create_batch(4)
    api(front_desk).get("/api/v1/patients/")
    assert sorted(AccessLogEntry.objects.values_list("patient_id", flat=True)) == sorted(
        p.id for p in shown
    )


def test_access_log_is_append_only(api, front_desk, is_postgres):
    patient = PatientFactory()
    api(front_desk).get(f"/api/v1/patients/{patient.id}/")
    entry = AccessLogEntry.objects.get()
    with pytest.raises(ValueError):
        entry.save()
    with pytest.raises(ValueError):
        entry.delete()
    if is_postgres:
        from django.db import DatabaseError, transaction

        with pytest.raises(DatabaseError), transaction.atomic():
            AccessLogEntry.objects.filter(pk=entry.pk).update(action="delete")


def test_manager_lists_the_access_log_of_a_patient(api, manager, front_desk):
    patient = PatientFactory()
    api(front_desk).get(f"/api/v1/patients/{patient.id}/")
    response = api(manager).get(f"/api/v1/access-log/?patient={patient.id}")
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [(r["actor_username"], r["action"]) for r in rows] == [(front_desk.username, "read")]
    assert api(front_desk).get(f"/api/v1/access-log/?patient={patient.id}").status_code == 403


@pytest.mark.parametrize("path", ["/api/v1/patients/", "/api/v1/clinicians/"])
def test_list_queries_do_not_grow_with_rows(api, manager, rotterdam, path):
    from tests.factories import ClinicianFactory

    def count_queries():
        client = api(manager)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(path).status_code == 200
        return len(ctx.captured_queries)

    PatientFactory.create_batch(10)
    ClinicianFactory.create_batch(10, user__locations=[rotterdam])
    ten = count_queries()
    PatientFactory.create_batch(40)
    ClinicianFactory.create_batch(40, user__locations=[rotterdam])
    fifty = count_queries()
    assert ten == fifty


def test_roles_are_checked_by_the_database(rotterdam):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        UserFactory(role="surgeon")
    assert Role.PATIENT in Role.values
