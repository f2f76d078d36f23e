"""App invitations and password resets end to end: the API writes the outbox row, a real
Celery worker (on its own Redis) sends it to the file sink, and the token is read from what
left the clinic, never from the database or a staff view."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import AppInvitation, AuthEvent, AuthEventKind
from clinic.models import User
from notifications.models import Notification, NotificationPreference
from tests.accounts.conftest import sign_in
from tests.factories import PatientFactory, UserFactory
from tests.notifications.conftest import wait_for

pytestmark = [
    pytest.mark.celery_live,
    pytest.mark.postgres_only,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

NEW_PASSWORD = "knee-Extension-77"
TOKEN_IN_LINK = re.compile(r"token=([A-Za-z0-9_.\-]+)")


def sent(sink, kind: str, count: int = 1) -> list[dict]:
    """The messages of ``kind`` the worker handed to the channel, once it has."""
    return wait_for(
        lambda: (
            (lines := [x for x in sink.lines() if x["kind"] == kind])
            and len(lines) >= count
            and lines
        ),
        timeout=20,
        what=f"{count} {kind} message(s) to be sent",
    )


def token_of(message: dict) -> str:
    return TOKEN_IN_LINK.search(message["body"]).group(1)


def invite(client, patient):
    return client.post(f"/api/v1/patients/{patient.id}/invite/")


def activate(token: str, password: str = NEW_PASSWORD):
    return APIClient().post(
        "/api/v1/auth/activate/", {"token": token, "password": password}, format="json"
    )


@pytest.fixture
def new_patient(rotterdam):
    """Registered at the desk, with e-mail and SMS consent, no app account yet."""
    patient = PatientFactory(location=rotterdam, email="emma.degroot@example.nl", language="en")
    NotificationPreference.objects.create(patient=patient, email=True, sms=True)
    return patient


def test_invite_then_activate_then_sign_in_and_the_desk_never_sees_the_token(
    live_celery, sink, api, front_desk, new_patient
):
    live_celery.start()
    desk = api(front_desk)
    answer = invite(desk, new_patient)
    assert answer.status_code == 202, answer.content
    assert sorted(answer.json()["channels"]) == ["email", "sms"]
    assert answer.json()["username"] == "emma.degroot@example.nl"

    messages = sent(sink, "app_invitation", count=2)
    assert {(m["channel"], m["to"]) for m in messages} == {
        ("email", "emma.degroot@example.nl"),
        ("sms", str(new_patient.phone)),
    }
    token = token_of(messages[0])
    assert token_of(messages[1]) == token
    assert "Your invitation" in messages[0]["subject"]  # the patient's language
    invitation = AppInvitation.objects.get(patient=new_patient)
    assert token not in invitation.token_hash and len(invitation.token_hash) == 64

    # The front desk reads the message that went out, without its token: list, detail, admin.
    listed = desk.get("/api/v1/notifications/", {"kind": "app_invitation"}).json()["results"]
    assert len(listed) == 2 and {n["status"] for n in listed} == {"sent"}
    for row in listed:
        assert token not in str(row) and "[hidden]" in row["body"]
        assert token not in desk.get(f"/api/v1/notifications/{row['id']}/").content.decode()
    assert token not in "".join(Notification.objects.values_list("body", flat=True))
    superuser = UserFactory(role="manager", is_staff=True, is_superuser=True)
    admin = Client()
    admin.force_login(superuser)
    page = admin.get(f"/admin/notifications/notification/{listed[0]['id']}/change/")
    assert page.status_code == 200 and token not in page.content.decode()

    activated = activate(token)
    assert activated.status_code == 200, activated.content
    me = APIClient()
    me.credentials(HTTP_AUTHORIZATION=f"Bearer {activated.json()['access']}")
    assert me.get("/api/v1/me/").json()["patient"] == new_patient.id

    signed_in = sign_in(APIClient(), "emma.degroot@example.nl", NEW_PASSWORD)
    assert signed_in.status_code == 200 and set(signed_in.json()) == {"access", "refresh"}
    assert desk.get(f"/api/v1/patients/{new_patient.id}/").json()["has_app_account"] is True

    # Used once: the same token again changes nothing.
    again = activate(token, "another-Password-99")
    assert again.status_code == 400
    assert again.json()["code"] == "invitation_used"
    assert sign_in(APIClient(), "emma.degroot@example.nl", NEW_PASSWORD).status_code == 200
    assert list(
        AuthEvent.objects.filter(patient=new_patient).order_by("id").values_list("kind", "actor")
    ) == [
        (AuthEventKind.INVITATION_SENT, front_desk.id),
        (AuthEventKind.ACCOUNT_ACTIVATED, None),
        # Every door into an account records its sign-ins (accounts/signin.py).
        (AuthEventKind.SIGN_IN_SUCCEEDED, None),
        (AuthEventKind.SIGN_IN_SUCCEEDED, None),
    ]


def test_a_revoked_an_expired_and_an_unknown_invitation_are_refused_and_change_nothing(
    live_celery, sink, api, clinician, new_patient
):
    live_celery.start()
    client = api(clinician.user)
    assert invite(client, new_patient).status_code == 202
    first = token_of(sent(sink, "app_invitation", count=2)[0])
    assert invite(client, new_patient).status_code == 202  # a new one revokes the first
    second = token_of(
        next(m for m in sent(sink, "app_invitation", count=4) if token_of(m) != first)
    )
    account = User.objects.get(patient=new_patient)

    revoked = activate(first)
    assert revoked.status_code == 400
    assert revoked["Content-Type"] == "application/problem+json"
    assert revoked.json()["code"] == "invitation_revoked"

    AppInvitation.objects.filter(patient=new_patient, revoked_at=None).update(
        expires_at="2020-01-01T00:00:00Z"
    )
    expired = activate(second)
    assert expired.status_code == 400
    assert expired.json()["code"] == "invitation_expired"

    unknown = activate("not-a-token-anyone-was-sent")
    assert unknown.status_code == 400
    assert unknown.json()["code"] == "invitation_invalid"

    account.refresh_from_db()
    assert not account.is_active and not account.has_usable_password()
    assert not AuthEvent.objects.filter(kind=AuthEventKind.ACCOUNT_ACTIVATED).exists()
    assert sign_in(APIClient(), account.username, NEW_PASSWORD).status_code == 401


def test_a_reset_answers_the_same_for_a_known_and_an_unknown_address_and_signs_out_everywhere(
    live_celery, sink, patient
):
    live_celery.start()
    phone = sign_in(APIClient(), patient.user.username).json()
    reset = "/api/v1/auth/password-reset/"
    known = APIClient().post(reset, {"email": patient.email}, format="json")
    unknown = APIClient().post(reset, {"email": "nobody@example.nl"}, format="json")
    assert known.status_code == unknown.status_code == 202
    assert known.json() == unknown.json()

    message = sent(sink, "password_reset")[0]
    assert message["to"] == patient.email
    token = token_of(message)
    assert len(sink.lines()) == 1  # nothing went to the unknown address
    assert token not in "".join(Notification.objects.values_list("body", flat=True))

    confirm = "/api/v1/auth/password-reset/confirm/"
    done = APIClient().post(confirm, {"token": token, "password": NEW_PASSWORD}, format="json")
    assert done.status_code == 200, done.content
    refreshed = APIClient().post(
        "/api/v1/auth/token/refresh/", {"refresh": phone["refresh"]}, format="json"
    )
    assert refreshed.status_code == 401
    assert sign_in(APIClient(), patient.user.username, NEW_PASSWORD).status_code == 200

    reused = APIClient().post(
        confirm, {"token": token, "password": "yet-another-Pass-5"}, format="json"
    )
    assert reused.status_code == 400
    assert reused.json()["code"] == "password_reset_invalid"
    kinds = list(AuthEvent.objects.order_by("id").values_list("kind", "user"))
    assert kinds == [
        (AuthEventKind.SIGN_IN_SUCCEEDED, patient.user_id),  # the phone, before the reset
        (AuthEventKind.PASSWORD_RESET_REQUESTED, patient.user_id),
        (AuthEventKind.PASSWORD_RESET_REQUESTED, None),
        (AuthEventKind.PASSWORD_RESET, patient.user_id),
        # The reset confirm is a door of the sign-in policy: its success, the sign-in with
        # the new password, and the reused link's refusal are each recorded.
        (AuthEventKind.SIGN_IN_SUCCEEDED, patient.user_id),
        (AuthEventKind.SIGN_IN_SUCCEEDED, patient.user_id),
        (AuthEventKind.SIGN_IN_FAILED, patient.user_id),
    ]
