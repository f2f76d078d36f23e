"""The staff site's sign-in: the password, then enrolment (QR code and recovery codes) the
first time, and an authenticator or recovery code after that."""

from __future__ import annotations

import re
from base64 import b32decode

import pytest
from django.test import Client

from accounts.models import AuthEvent, AuthEventKind
from clinic.models import User
from tests.accounts.conftest import PASSWORD, enrol, totp_code

pytestmark = pytest.mark.django_db

LOGIN = "/admin/login/"
STEP = "/admin/login/two-factor/"


@pytest.fixture
def staff_manager(manager):
    manager.is_staff = True
    manager.save(update_fields=["is_staff"])
    return manager


def password_step(client: Client, user):
    return client.post(LOGIN + "?next=/admin/", {"username": user.username, "password": PASSWORD})


def test_first_sign_in_enrols_with_a_qr_code_and_shows_ten_recovery_codes(staff_manager):
    client = Client()
    response = password_step(client, staff_manager)
    assert response.status_code == 302 and response["Location"].startswith(STEP)
    assert client.get("/admin/").status_code == 302  # the password alone does not get in

    page = client.get(response["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    assert "<svg" in html and 'id="qr-code"' in html
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', html).group(1)
    key_hex = b32decode(secret).hex()

    done = client.post(STEP, {"code": totp_code(key_hex), "next": "/admin/"})
    assert done.status_code == 200
    codes = re.findall(r"<li>([a-z2-7]{8})</li>", done.content.decode())
    assert len(codes) == 10 and len(set(codes)) == 10
    assert client.get("/admin/").status_code == 200
    assert AuthEvent.objects.filter(
        user=staff_manager, kind=AuthEventKind.TWO_FACTOR_ENROLLED
    ).exists()

    # Next time: no QR code, a code from the app (or a recovery code) is asked for.
    later = Client()
    step = password_step(later, staff_manager)
    verify = later.get(step["Location"])
    assert 'id="qr-code"' not in verify.content.decode()
    signed_in = later.post(STEP, {"code": codes[0], "next": "/admin/"})
    assert signed_in.status_code == 302 and signed_in["Location"] == "/admin/"
    assert later.get("/admin/").status_code == 200


def test_a_wrong_code_keeps_the_staff_site_closed(staff_manager, settings):
    enrol(staff_manager)
    client = Client()
    password_step(client, staff_manager)
    wrong = client.post(STEP, {"code": "000000" if totp_code() != "000000" else "111111"})
    assert wrong.status_code == 200
    assert "not right" in wrong.content.decode()
    assert client.get("/admin/").status_code == 302
    assert AuthEvent.objects.filter(
        user=staff_manager, kind=AuthEventKind.TWO_FACTOR_FAILED
    ).exists()


def test_the_second_step_without_the_first_goes_back_to_the_password(staff_manager):
    response = Client().get(STEP)
    assert response.status_code == 302 and response["Location"] == "/admin/login/"


def test_a_superuser_made_by_createsuperuser_needs_the_second_step_too(db):
    """createsuperuser leaves the role at its default; the most powerful account must not
    be the one that signs in with a password alone."""
    superuser = User.objects.create_superuser("root", "root@clinic.example", PASSWORD)
    client = Client()
    response = password_step(client, superuser)
    assert response.status_code == 302 and response["Location"].startswith(STEP)
    assert client.get("/admin/").status_code == 302  # the password alone does not get in
