"""``seed_demo --with-2fa``: demo staff sign in with codes computed from the known key."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from tests.accounts.conftest import MFA, sign_in, totp_code

pytestmark = pytest.mark.django_db


def test_seed_demo_with_2fa_enrols_the_demo_staff_once(monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "demo")
    call_command("seed_demo", verbosity=0)
    assert not TOTPDevice.objects.exists()  # without the flag, staff enrol themselves

    call_command("seed_demo", "--with-2fa", verbosity=0)
    call_command("seed_demo", "--with-2fa", verbosity=0)  # idempotent
    assert TOTPDevice.objects.filter(confirmed=True).count() == 8
    assert not TOTPDevice.objects.filter(user__role="patient").exists()

    client = APIClient()
    first = sign_in(client, "manager.rotterdam", "demo")
    assert first.json()["mfa_required"] is True and first.json()["enrolled"] is True
    second = client.post(
        MFA, {"mfa_token": first.json()["mfa_token"], "code": totp_code()}, format="json"
    )
    assert second.status_code == 200, second.content
    assert set(second.json()) == {"access", "refresh"}
