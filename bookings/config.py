"""Booking settings: defaults of the clinic, overridable in Django settings."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings

# Slots start on this grid of local clinic time (09:00, 09:15, ...).
SLOT_MINUTES: int = getattr(settings, "BOOKING_SLOT_MINUTES", 15)
# A patient may cancel or move their own appointment up to this long before it starts.
PATIENT_CANCEL_WINDOW = timedelta(hours=getattr(settings, "BOOKING_PATIENT_CANCEL_HOURS", 24))
# Longest range one availability request may ask for.
MAX_RANGE_DAYS: int = getattr(settings, "BOOKING_MAX_RANGE_DAYS", 31)
# Longest treatment series booked in one request.
MAX_SERIES_OCCURRENCES: int = getattr(settings, "BOOKING_MAX_SERIES_OCCURRENCES", 26)
