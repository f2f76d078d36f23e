"""``seed_demo --with-2fa``: the demo staff get an authenticator with a known key, so tests
and demos can compute codes (never do this with real accounts)."""

from __future__ import annotations

import os

from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.services import recovery_codes_renew
from clinic.demo import STAFF
from clinic.models import User

# RFC 6238's test key ("12345678901234567890"), hex-encoded as django-otp stores it.
DEMO_TOTP_KEY = "3132333435363738393031323334353637383930"


@transaction.atomic
def seed(*, with_2fa: bool = False) -> dict[str, int]:
    """Without ``with_2fa`` nothing: demo staff enrol on their first staff-site sign-in."""
    if not with_2fa:
        return {"two_factor": 0}
    key = os.environ.get("DEMO_TOTP_KEY", DEMO_TOTP_KEY)
    enrolled = 0
    for user in User.objects.filter(username__in=[row[0] for row in STAFF]):
        device, created = TOTPDevice.objects.update_or_create(
            user=user, name="Demo authenticator", defaults={"key": key, "confirmed": True}
        )
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        if created:
            recovery_codes_renew(user=user)
        enrolled += 1
    return {"two_factor": enrolled}
