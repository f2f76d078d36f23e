"""Reads of accounts: who may read which authentication events."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from accounts.models import AuthEvent
from clinic.models import Role, User
from clinic.selectors import location_ids_of


def auth_event_filter_for(user: User) -> Q:
    """Managers: events of their locations' patients and of the staff who work there.
    Events of an address no account has belong to no location: only the database shows
    them (and a superuser in the admin)."""
    if not user.is_authenticated or user.role != Role.MANAGER:
        return Q(pk__in=[])
    locations = location_ids_of(user)
    staff_here = User.locations.through.objects.filter(
        user_id=OuterRef("user_id"), location_id__in=locations
    )
    return Q(location_id__in=locations) | Q(Exists(staff_here))


def auth_events_visible_to(user: User) -> QuerySet[AuthEvent]:
    events = AuthEvent.objects.select_related("user", "actor")
    if user.is_authenticated and user.is_superuser:
        return events
    return events.filter(auth_event_filter_for(user))
