"""The conventions of API.md that every endpoint shares."""

import pytest

from clinic.api.views import PatientViewSet
from clinic.models import Location, Patient
from config.celery import app
from tests.factories import ClinicianFactory, PatientFactory

pytestmark = pytest.mark.django_db


def test_malformed_json_is_400_problem_details(api, front_desk):
    response = api(front_desk).post(
        "/api/v1/patients/", data='{"first_name": ', content_type="application/json"
    )
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert {"type", "title", "status", "detail"} <= set(body)
    assert body["type"].endswith("/parse_error")


def test_unknown_api_path_is_404_problem_details(api, front_desk):
    response = api(front_desk).get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == 404


def test_unknown_api_path_is_404_even_anonymously(api):
    response = api().get("/api/v2/patients/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


def test_body_too_large_is_413(api, front_desk, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = api(front_desk).post("/api/v1/patients/", {"first_name": "x" * 2000}, format="json")
    assert response.status_code == 413
    assert response.json()["code"] == "request_too_large"


def test_the_same_idempotency_key_twice_creates_one_patient(api, front_desk):
    client = api(front_desk)
    payload = {
        "first_name": "Kees",
        "last_name": "Smit",
        "date_of_birth": "1970-01-01",
        "location": "rotterdam",
    }
    first = client.post("/api/v1/patients/", payload, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    second = client.post("/api/v1/patients/", payload, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert second["Idempotent-Replayed"] == "true"
    assert Patient.objects.count() == 1


def test_an_idempotency_key_belongs_to_one_user(api, front_desk, manager):
    payload = {
        "first_name": "Kees",
        "last_name": "Smit",
        "date_of_birth": "1970-01-01",
        "location": "rotterdam",
        # The same person twice: the second is registered only as a confirmed new patient.
        "confirm_new": True,
    }
    api(front_desk).post("/api/v1/patients/", payload, format="json", HTTP_IDEMPOTENCY_KEY="same")
    api(manager).post("/api/v1/patients/", payload, format="json", HTTP_IDEMPOTENCY_KEY="same")
    assert Patient.objects.count() == 2


def test_reusing_a_key_for_another_request_is_409(api, front_desk):
    client = api(front_desk)
    base = {"last_name": "Smit", "date_of_birth": "1970-01-01", "location": "rotterdam"}
    client.post(
        "/api/v1/patients/", {**base, "first_name": "A"}, format="json", HTTP_IDEMPOTENCY_KEY="k"
    )
    response = client.post(
        "/api/v1/patients/", {**base, "first_name": "B"}, format="json", HTTP_IDEMPOTENCY_KEY="k"
    )
    assert response.status_code == 409
    assert response.json()["code"] == "idempotency_key_reused"
    assert Patient.objects.count() == 1


def test_locations_list_both_clinics(api, patient):
    rows = api(patient.user).get("/api/v1/locations/").json()["results"]
    assert {(r["slug"], r["timezone"]) for r in rows} == {
        ("rotterdam", "Europe/Amsterdam"),
        ("zoetermeer", "Europe/Amsterdam"),
    }


def test_clinicians_filter_by_location(api, front_desk, zoetermeer):
    here = ClinicianFactory(user__locations=[Location.objects.get(slug="rotterdam")])
    ClinicianFactory(user__locations=[zoetermeer])
    rows = api(front_desk).get("/api/v1/clinicians/?location=rotterdam").json()["results"]
    assert [(r["id"], r["locations"]) for r in rows] == [(here.id, ["rotterdam"])]
    assert rows[0]["name"] == here.name


def test_healthz_reports_database_and_broker(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}


def test_healthz_is_503_when_the_broker_is_down(client, settings):

    # Nothing listens on port 1: the broker is unreachable, as when Redis is down.
    original = app.conf.broker_write_url
    app.conf.broker_write_url = "redis://127.0.0.1:1/0"
    try:
        response = client.get("/healthz")
    finally:
        app.conf.broker_write_url = original
    assert response.status_code == 503
    assert response.json()["broker"].startswith("error")


def test_lists_follow_the_views_ordering_across_pages(api, front_desk):

    PatientFactory.create_batch(5)
    client = api(front_desk)
    seen = []
    url = "/api/v1/patients/?page_size=2"
    while url:
        body = client.get(url).json()
        seen += [row["id"] for row in body["results"]]
        url = body["next"]
    assert PatientViewSet.ordering == "-id"
    assert seen == sorted(seen, reverse=True)
    locations = client.get("/api/v1/locations/").json()["results"]
    assert [loc["name"] for loc in locations] == ["Rotterdam", "Zoetermeer"]


def test_a_post_to_an_unknown_api_path_is_a_404_problem_not_a_csrf_page(api, front_desk):
    response = api(front_desk).post("/api/v1/programs/0.5/pause/", {}, format="json")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize("value", ["-8.25e30", "0", "1.5", "99999999999999999999", "x"])
@pytest.mark.parametrize(
    "path", ["/api/v1/appointments/", "/api/v1/programs/", "/api/v1/patients/"]
)
def test_an_id_filter_that_is_no_id_is_a_400(api, manager, path, value):
    key = "primary_clinician" if path == "/api/v1/patients/" else "patient"
    response = api(manager).get(f"{path}?{key}={value}")
    assert response.status_code == 400
    assert key in response.json()["errors"]


@pytest.mark.parametrize(
    ("path", "key"),
    [("/api/v1/appointments/", "start_after"), ("/api/v1/check-ins/", "submitted_after")],
)
@pytest.mark.parametrize(
    ("value", "status"),
    [
        # ISO 8601 allows any offset under a day; PostgreSQL only up to 15:59.
        ("0567-03-23T12:30:05.9-19:33", 200),
        ("2027-03-28T10:00:00+23:59", 200),
        ("2027-03-28T10:00:00+02:00", 200),
        ("2027-13-28T10:00:00+02:00", 400),
        ("tomorrow", 400),
    ],
)
def test_a_time_filter_takes_any_iso_offset(api, manager, path, key, value, status):
    response = api(manager).get(path, {key: value})
    assert response.status_code == status, response.content
    if status == 400:
        assert key in response.json()["errors"]


def test_a_location_slug_with_a_nul_byte_is_a_400_not_a_500(api, front_desk):
    response = api(front_desk).post(
        "/api/v1/appointments/series/",
        {"location": "rotter\x00dam", "clinician": 1, "appointment_type": 1, "start": "x"},
        format="json",
    )
    assert response.status_code == 400
    # Refused where the JSON is read (clinic.api.parsers), before any field sees it.
    assert response.json()["code"] == "parse_error"
