"""Writes of the clinicians' private calendar feeds: a new secret address, or none."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

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


# How often a feed's last use is written: calendar apps poll every few minutes.
LAST_USED_RESOLUTION = timedelta(hours=1)


def calendar_feed_mark_used(*, feed: CalendarFeed, now: datetime) -> None:
    """Note that a calendar app fetched the feed, at most once per hour."""
    if feed.last_used_at is None or now - feed.last_used_at > LAST_USED_RESOLUTION:
        feed.last_used_at = now
        feed.save(update_fields=["last_used_at"])
