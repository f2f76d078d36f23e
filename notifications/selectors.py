"""Reads of the outbox: who may see which notification."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from clinic.models import Role, User
from clinic.selectors import patient_filter_for
from notifications.kinds import front_desk_kinds
from notifications.models import Audience, Notification


def notifications_visible_to(user: User) -> QuerySet[Notification]:
    """A patient: the messages sent to them. The front desk: appointment and account
    messages of the patients at their locations (no escalations, nothing clinical). Clinicians and
    managers: messages about the patients they may see, and those addressed to them."""
    qs = Notification.objects.all()
    if not user.is_authenticated:
        return qs.none()
    if user.role == Role.PATIENT:
        return qs.filter(audience=Audience.PATIENT, patient__user=user)
    visible_patients = patient_filter_for(user, prefix="patient__")
    if user.role == Role.FRONT_DESK:
        return qs.filter(visible_patients, kind__in=front_desk_kinds())
    return qs.filter(visible_patients | Q(recipient_user=user))
