"""Writes of the clinicians' private calendar feeds: a new secret address, or none."""

from __future__ import annotations

import hashlib
import secrets

from django.db import transaction

from bookings.models import CalendarFeed
from clinic.models import Clinician


def feed_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def calendar_feed_regenerate(*, clinician: Clinician) -> str:
    """A new secret token for the clinician's feed; the old URL stops working. Returns the
    token, which is shown once (only its hash is kept)."""
    token = secrets.token_urlsafe(32)
    CalendarFeed.objects.update_or_create(
        clinician=clinician,
        defaults={"token_hash": feed_token_hash(token), "last_used_at": None},
    )
    return token


@transaction.atomic
def calendar_feed_revoke(*, clinician: Clinician) -> None:
    CalendarFeed.objects.filter(clinician=clinician).delete()
