"""Reads of accounts: who may read which authentication events."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from accounts.models import AuthEvent
from clinic.models import Role, User
from clinic.selectors import location_ids_of


def auth_events_visible_to(user: User) -> QuerySet[AuthEvent]:
    """Managers: events of their locations' patients and of the staff who work there.
    Events of an address no account has belong to no location: only the database shows
    them (and a superuser in the admin)."""
    events = AuthEvent.objects.select_related("user", "actor")
    if not user.is_authenticated:
        return events.none()
    if user.is_superuser:
        return events
    if user.role != Role.MANAGER:
        return events.none()
    locations = location_ids_of(user)
    staff_here = User.locations.through.objects.filter(
        user_id=OuterRef("user_id"), location_id__in=locations
    )
    return events.filter(Q(location_id__in=locations) | Q(Exists(staff_here)))
