"""Fixtures of the account tests: authenticator codes computed from a known key."""

from __future__ import annotations

import time
from binascii import unhexlify

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.demo import DEMO_TOTP_KEY
from accounts.services import recovery_codes_renew

# The file sink, and a real Celery worker and beat, of the notification tests.
from tests.notifications.conftest import live_celery, sink, throwaway_redis  # noqa: F401

TOKEN = "/api/v1/auth/token/"
MFA = "/api/v1/auth/token/mfa/"
PASSWORD = "secret-pass-1"  # tests.factories.UserFactory


def totp_code(key_hex: str = DEMO_TOTP_KEY, *, at: float | None = None) -> str:
    """The code an authenticator app shows now (or at ``at``) for this key."""
    totp = TOTP(unhexlify(key_hex), step=30, t0=0, digits=6)
    totp.time = time.time() if at is None else at
    return f"{totp.token():06d}"


def enrol(user, key_hex: str = DEMO_TOTP_KEY) -> list[str]:
    """An authenticator with a known key, and ten recovery codes (returned)."""
    TOTPDevice.objects.create(user=user, name="Test authenticator", key=key_hex, confirmed=True)
    return recovery_codes_renew(user=user)


def sign_in(client, username: str, password: str = PASSWORD, **extra):
    return client.post(TOKEN, {"username": username, "password": password}, format="json", **extra)


@pytest.fixture
def enrolled_manager(manager):
    manager.recovery_codes = enrol(manager)
    return manager
