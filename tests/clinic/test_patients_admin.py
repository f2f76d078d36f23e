"""The admin is another way into a patient's record: the same services as the API decide."""

import pytest
from django.urls import reverse

from clinic.models import Patient
from clinic.roles import role_group_assign
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk_client(client, front_desk):
    front_desk.is_staff = True
    front_desk.save(update_fields=["is_staff"])
    role_group_assign(user=front_desk)
    client.force_login(front_desk)
    return client


def form(patient, **changes) -> dict:
    data = {
        "first_name": patient.first_name,
        "last_name": patient.last_name,
        "date_of_birth": patient.date_of_birth.isoformat(),
        "email": patient.email,
        "phone": str(patient.phone or ""),
        "language": patient.language,
        "location": patient.location_id,
        "primary_clinician": patient.primary_clinician_id or "",
    }
    return {**data, **changes}


def change_url(patient) -> str:
    return reverse("admin:clinic_patient_change", args=[patient.pk])


def test_the_desk_edits_a_patient_in_the_admin(desk_client, patient):
    response = desk_client.post(change_url(patient), form(patient, email="new@example.nl"))
    assert response.status_code == 302, response.content[:800]
    patient.refresh_from_db()
    assert patient.email == "new@example.nl"


def test_a_primary_clinician_of_another_location_is_refused_as_in_the_api(
    desk_client, patient, other_clinician
):
    before = patient.primary_clinician_id
    response = desk_client.post(
        change_url(patient), form(patient, primary_clinician=other_clinician.pk)
    )
    assert response.status_code == 200  # the form again, with the service's refusal
    assert b"errornote" in response.content
    patient.refresh_from_db()
    assert patient.primary_clinician_id == before


def test_the_app_account_is_not_changed_in_the_admin(desk_client, patient):
    account = patient.user_id
    stranger = UserFactory()
    response = desk_client.post(change_url(patient), form(patient, user=stranger.pk))
    assert response.status_code == 302
    patient.refresh_from_db()
    assert patient.user_id == account


def test_a_patient_registered_in_the_admin_goes_through_the_service(
    desk_client, rotterdam, zoetermeer
):
    data = {
        "first_name": "Fenna",
        "last_name": "Visser",
        "date_of_birth": "1990-04-02",
        "email": "",
        "phone": "",
        "language": "nl",
        "primary_clinician": "",
    }
    elsewhere = desk_client.post(
        reverse("admin:clinic_patient_add"), {**data, "location": zoetermeer.pk}
    )
    assert elsewhere.status_code == 200  # not the desk's location
    assert not Patient.objects.filter(last_name="Visser").exists()
    here = desk_client.post(reverse("admin:clinic_patient_add"), {**data, "location": rotterdam.pk})
    assert here.status_code == 302, here.content[:800]
    assert Patient.objects.get(last_name="Visser").location == rotterdam
