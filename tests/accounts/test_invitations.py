"""Invitations and resets in detail: who may invite, what is stored, the limits."""

from __future__ import annotations

import pytest
import yaml
from rest_framework.test import APIClient

from accounts.models import AppInvitation, AuthEvent, AuthEventKind
from accounts.services import patient_invite
from accounts.tokens import invitation_token
from clinic.models import User
from notifications.models import Notification, NotificationPreference
from notifications.services import notifications_deliver_due
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db

RESET = "/api/v1/auth/password-reset/"


@pytest.fixture
def new_patient(rotterdam):
    return PatientFactory(location=rotterdam, email="sem@example.nl", phone="+31612345678")


def test_an_invitation_keeps_only_a_hash_and_is_due_at_once_even_at_night(
    api, front_desk, new_patient, settings
):
    settings.NOTIFICATION_QUIET_HOURS_START = "00:00"  # quiet all day: it still goes now
    settings.NOTIFICATION_QUIET_HOURS_END = "23:59:59"
    response = api(front_desk).post(f"/api/v1/patients/{new_patient.id}/invite/")
    assert response.status_code == 202
    invitation = AppInvitation.objects.get(patient=new_patient)
    token = invitation_token(invitation)
    assert token not in response.content.decode()
    assert token not in str(AppInvitation.objects.filter(pk=invitation.pk).values().get())
    row = Notification.objects.get(kind="app_invitation")
    assert row.channel == "email"  # SMS needs the patient's consent, which is off by default
    assert (row.send_at - invitation.created_at).total_seconds() < 5
    new_patient.refresh_from_db()
    assert new_patient.user.username == "sem@example.nl"
    assert not new_patient.user.is_active and not new_patient.user.has_usable_password()
    assert api(front_desk).get(f"/api/v1/patients/{new_patient.id}/").json()["app_access"] == (
        "invited"
    )


def test_the_stored_copy_of_a_sent_invitation_hides_the_token(front_desk, new_patient, sink):
    sent = patient_invite(patient=new_patient, invited_by=front_desk)
    assert notifications_deliver_due() == 1
    row = Notification.objects.get(kind="app_invitation")
    token = invitation_token(sent.invitation)
    assert "[hidden]" in row.body and token not in row.body
    assert token in sink.lines()[0]["body"]


def test_a_patient_who_cannot_be_reached_gets_no_invitation(api, front_desk, rotterdam):
    patient = PatientFactory(location=rotterdam, email="", phone="+31612345679")
    response = api(front_desk).post(f"/api/v1/patients/{patient.id}/invite/")
    assert response.status_code == 409
    assert response.json()["code"] == "no_invitation_channel"
    NotificationPreference.objects.create(patient=patient, email=True, sms=True)
    assert api(front_desk).post(f"/api/v1/patients/{patient.id}/invite/").status_code == 202
    assert User.objects.get(patient=patient).username == "+31612345679"


def test_an_active_account_is_not_invited_again_but_a_closed_one_is(api, front_desk, patient):
    response = api(front_desk).post(f"/api/v1/patients/{patient.id}/invite/")
    assert response.status_code == 409
    assert response.json()["code"] == "app_account_active"
    api(front_desk).post(f"/api/v1/patients/{patient.id}/app-access/deactivate/")
    again = api(front_desk).post(f"/api/v1/patients/{patient.id}/invite/")
    assert again.status_code == 202
    assert again.json()["username"] == patient.user.username  # the same account, reopened


def test_activation_keeps_django_password_rules(front_desk, new_patient):
    sent = patient_invite(patient=new_patient, invited_by=front_desk)
    weak = APIClient().post(
        "/api/v1/auth/activate/",
        {"token": invitation_token(sent.invitation), "password": "password"},
        format="json",
    )
    assert weak.status_code == 400
    assert "password" in weak.json()["errors"]
    assert AppInvitation.objects.get(pk=sent.invitation.pk).used_at is None


def test_only_staff_of_the_patients_location_invite(api, new_patient, front_desk_zoetermeer):
    assert (
        api(front_desk_zoetermeer).post(f"/api/v1/patients/{new_patient.id}/invite/").status_code
        == 404
    )
    assert not AppInvitation.objects.exists()


def test_resets_per_account_stop_sending_but_still_answer_202(patient, settings):
    settings.PASSWORD_RESET_PER_ACCOUNT = 2
    answers = [
        APIClient().post(RESET, {"username": patient.user.username}, format="json")
        for _ in range(4)
    ]
    assert [a.status_code for a in answers] == [202] * 4
    assert Notification.objects.filter(kind="password_reset").count() == 2
    assert list(
        AuthEvent.objects.filter(kind=AuthEventKind.PASSWORD_RESET_REQUESTED)
        .order_by("id")
        .values_list("detail", flat=True)
    ) == [{"sent": True}, {"sent": True}, {"sent": False}, {"sent": False}]


def test_resets_from_one_address_are_throttled_whoever_they_name(settings):
    settings.PASSWORD_RESET_PER_ADDRESS = 3
    client = APIClient(REMOTE_ADDR="198.51.100.4")
    answers = [client.post(RESET, {"email": f"p{i}@example.nl"}, format="json") for i in range(4)]
    assert [a.status_code for a in answers] == [202, 202, 202, 429]
    assert int(answers[-1]["Retry-After"]) > 0
    other = APIClient(REMOTE_ADDR="198.51.100.5").post(
        RESET, {"email": "x@example.nl"}, format="json"
    )
    assert other.status_code == 202


def test_a_reset_request_needs_an_address_or_a_name():
    response = APIClient().post(RESET, {}, format="json")
    assert response.status_code == 400
    assert "email" in response.json()["errors"]


def test_the_openapi_document_has_the_account_endpoints_with_examples(client):
    document = yaml.safe_load(client.get("/api/schema/").content)
    paths = document["paths"]
    for path in (
        "/api/v1/patients/{id}/invite/",
        "/api/v1/patients/{id}/app-access/deactivate/",
        "/api/v1/auth/activate/",
        "/api/v1/auth/password-reset/",
        "/api/v1/auth/password-reset/confirm/",
        "/api/v1/auth/password/",
        "/api/v1/auth/token/mfa/",
    ):
        operation = paths[path]["post"]
        assert operation.get("description"), path
        success = next(code for code in operation["responses"] if code.startswith("2"))
        assert operation["responses"][success]["content"]["application/json"].get("examples"), path
    sign_in = paths["/api/v1/auth/token/"]["post"]["responses"]["200"]["content"]
    assert len(sign_in["application/json"]["examples"]) == 2
    answer = sign_in["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    assert document["components"]["schemas"][answer]["oneOf"] == [
        {"$ref": "#/components/schemas/TokenPair"},
        {"$ref": "#/components/schemas/MfaChallenge"},
    ]


def test_refusals_are_in_the_readers_language():
    body = {"token": "not-a-token-anyone-was-sent", "password": "knee-Extension-77"}
    dutch = APIClient().post(
        "/api/v1/auth/activate/", body, format="json", HTTP_ACCEPT_LANGUAGE="nl"
    )
    english = APIClient().post(
        "/api/v1/auth/activate/", body, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert dutch.json()["code"] == english.json()["code"] == "invitation_invalid"
    assert dutch.json()["detail"].startswith("Deze uitnodiging is onbekend")
    assert english.json()["detail"].startswith("This invitation is not known")


def test_the_activation_documents_its_refusal_codes(client):
    document = yaml.safe_load(client.get("/api/schema/").content)
    codes = document["paths"]["/api/v1/auth/activate/"]["post"]["x-error-codes"]
    for code in (
        "invitation_used",
        "invitation_expired",
        "invitation_revoked",
        "invitation_invalid",
    ):
        assert code in codes


def test_the_invitation_is_addressed_to_the_pending_account(front_desk, new_patient):
    sent = patient_invite(patient=new_patient, invited_by=front_desk)
    row = Notification.objects.get(kind="app_invitation")
    assert row.recipient_user == sent.invitation.user and row.patient == new_patient
    assert row.audience == "patient" and row.language == new_patient.language


def test_the_patients_own_inbox_shows_the_invitation_without_its_token(
    front_desk, new_patient, sink
):
    sent = patient_invite(patient=new_patient, invited_by=front_desk)
    notifications_deliver_due()
    token = invitation_token(sent.invitation)
    tokens = APIClient().post(
        "/api/v1/auth/activate/", {"token": token, "password": "knee-Extension-77"}, format="json"
    )
    inbox = APIClient()
    inbox.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens.json()['access']}")
    listed = inbox.get("/api/v1/notifications/").json()["results"]
    assert [n["kind"] for n in listed] == ["app_invitation"]
    assert token not in str(listed) and "[hidden]" in listed[0]["text"]
