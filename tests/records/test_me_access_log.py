"""GET /api/v1/me/access-log/: who opened my record (NEN 7513), as the patient sees it."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clinic.models import AccessAction, Role
from clinic.services import access_log_record
from tests import factories

pytestmark = pytest.mark.django_db


def test_the_patient_sees_who_opened_what_and_when(api, patient, clinician, full_record):
    api(clinician.user).get(f"/api/v1/assessments/{full_record['assessment'].id}/")
    body = api(patient.user).get("/api/v1/me/access-log/").json()

    opened = next(r for r in body["results"] if r["resource"] == "assessment")
    assert opened["action"] == "read"
    assert opened["object_id"] == str(full_record["assessment"].id)
    assert opened["role"] == "clinician"
    assert opened["location"] == "rotterdam"
    assert opened["name"] == clinician.user.get_full_name()
    assert opened["at"]
    assert set(body) >= {"next", "previous", "results"}


def test_names_of_staff_are_left_out_when_clinic_policy_says_so(
    api, patient, clinician, full_record, settings
):
    settings.ACCESS_LOG_SHOWS_STAFF_NAMES = False
    api(clinician.user).get(f"/api/v1/assessments/{full_record['assessment'].id}/")
    api(patient.user).get("/api/v1/me/record/")
    results = api(patient.user).get("/api/v1/me/access-log/").json()["results"]

    staff = [r for r in results if r["role"] == "clinician"]
    assert staff and all(r["name"] is None for r in staff)
    own = [r for r in results if r["role"] == "patient"]
    assert own and all(r["name"] == patient.user.get_full_name() for r in own)


def test_exports_show_as_exports(api, patient, clinician):
    api(clinician.user).get(f"/api/v1/patients/{patient.id}/export/?format=pdf")
    results = api(patient.user).get("/api/v1/me/access-log/").json()["results"]
    assert {"action": "export", "resource": "record", "role": "clinician"}.items() <= next(
        r for r in results if r["action"] == "export"
    ).items()


def test_only_the_patients_own_log(api, patient, other_patient, clinician):
    access_log_record(
        actor=clinician.user, patient_ids=[other_patient.id], action="read", resource="patient"
    )
    results = api(patient.user).get("/api/v1/me/access-log/").json()["results"]
    assert all(r["resource"] != "patient" for r in results)


def test_reading_the_log_is_logged_once(api, patient):
    client = api(patient.user)
    client.get("/api/v1/me/access-log/")
    results = client.get("/api/v1/me/access-log/").json()["results"]
    assert [r["resource"] for r in results] == ["access_log"]


@pytest.mark.parametrize("role", [Role.FRONT_DESK, Role.CLINICIAN, Role.MANAGER])
def test_staff_use_the_managers_access_log_instead(api, role, rotterdam):
    user = factories.UserFactory(role=role, locations=[rotterdam])
    assert api(user).get("/api/v1/me/access-log/").status_code == 403


def test_pages_cost_the_same_queries_however_long_the_log(api, patient, clinician, manager):
    client = api(patient.user)

    def page_queries(entries: int) -> int:
        for actor in (clinician.user, manager):
            access_log_record(
                actor=actor,
                patient_ids=[patient.id] * entries,
                action=AccessAction.READ,
                resource="check_in",
            )
        with CaptureQueriesContext(connection) as captured:
            response = client.get("/api/v1/me/access-log/?page_size=20")
        assert response.status_code == 200
        assert len(response.json()["results"]) >= min(20, 2 * entries)
        return len(captured)

    assert page_queries(2) == page_queries(60)
