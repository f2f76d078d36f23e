"""The OpenAPI document and the demo data of API.md."""

import phonenumbers
import pytest
import yaml
from django.core.management import call_command
from openapi_spec_validator import validate

from clinic.models import Clinician, Location, Patient, Role, User

pytestmark = pytest.mark.django_db


def test_openapi_document_validates_and_has_the_core_endpoints(client):
    response = client.get("/api/schema/")
    assert response.status_code == 200
    document = yaml.safe_load(response.content)
    validate(document)
    paths = document["paths"]
    for path in [
        "/api/v1/auth/token/",
        "/api/v1/auth/token/refresh/",
        "/api/v1/auth/logout/",
        "/api/v1/me/",
        "/api/v1/locations/",
        "/api/v1/clinicians/",
        "/api/v1/patients/",
        "/api/v1/patients/{id}/",
    ]:
        assert path in paths, path
    post = paths["/api/v1/patients/"]["post"]
    assert "requestBody" in post and "201" in post["responses"]


def test_every_operation_has_a_response_body_or_says_none(client):
    document = yaml.safe_load(client.get("/api/schema/").content)
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if method not in {"get", "post", "patch", "put", "delete"}:
                continue
            ok = [code for code in operation["responses"] if code.startswith("2")]
            assert ok, f"{method} {path} has no success response"
            for code in ok:
                if code != "204":
                    assert "content" in operation["responses"][code], f"{method} {path} {code}"


def test_docs_page_is_served(client):
    assert client.get("/api/docs/").status_code == 200


def test_seed_demo_twice_leaves_the_same_counts():
    def counts():
        return (
            Location.objects.count(),
            User.objects.count(),
            Clinician.objects.count(),
            Patient.objects.count(),
        )

    call_command("seed_demo", verbosity=0)
    first = counts()
    call_command("seed_demo", verbosity=0)
    assert counts() == first
    assert first[:4] == (2, 18, 4, 10)
    desk = User.objects.get(username="desk.rotterdam")
    assert desk.role == Role.FRONT_DESK
    assert list(desk.locations.values_list("slug", flat=True)) == ["rotterdam"]
    assert desk.check_password("demo")
    assert Patient.objects.get(user__username="patient.6").location.slug == "zoetermeer"


def test_every_demo_patient_passes_the_forms_own_validation():
    """A demo record opened and saved unchanged in the admin or the API is accepted: its
    phone number is a valid Dutch one, its e-mail address an address."""
    call_command("seed_demo", verbosity=0)
    for patient in Patient.objects.all():
        patient.full_clean()
        assert phonenumbers.is_valid_number(patient.phone), patient.phone


def test_no_demo_account_is_a_superuser_and_the_managers_still_reach_the_admin(client):
    call_command("seed_demo", verbosity=0)
    assert not User.objects.filter(is_superuser=True).exists()
    managers = User.objects.filter(role=Role.MANAGER)
    assert managers.count() == 2
    assert all(m.is_staff for m in managers)
    # The front desk and clinicians sign in to the staff site too; patients never.
    assert not User.objects.filter(role=Role.PATIENT, is_staff=True).exists()

    manager = managers.get(username="manager.rotterdam")
    client.force_login(manager)
    assert client.get("/admin/bookings/appointmenttype/").status_code == 200
    assert client.get("/admin/clinic/user/").status_code == 200  # to look up, not to edit
    # Neither accounts nor the append-only access log are theirs to change.
    assert not manager.has_perm("clinic.change_user")
    assert not manager.has_perm("clinic.add_accesslogentry")
    # The outbox is a superuser's (it holds escalation notices and claim tokens).
    assert client.get("/admin/notifications/notification/").status_code == 403
