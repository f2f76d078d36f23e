"""Reads of the core domain. Visibility rules live here, once, for every app to reuse."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from clinic.models import AccessLogEntry, Clinician, Location, Patient, Role, User


def location_ids_of(user: User) -> list[int]:
    """The locations a staff user works at (cached on the user for the request)."""
    cached = getattr(user, "_location_ids", None)
    if cached is None:
        cached = list(user.locations.values_list("id", flat=True))
        user._location_ids = cached
    return cached


def patient_filter_for(user: User, *, prefix: str = "") -> Q:
    """A Q over a patient relation (``prefix`` like "patient__") limited to what ``user``
    may see: a patient only themselves; staff the patients at their locations; a clinician
    also the patients they treat as primary clinician elsewhere."""
    p = prefix
    if not user.is_authenticated:
        return Q(pk__in=[])
    if user.role == Role.PATIENT:
        return Q(**{f"{p}user_id": user.pk})
    q = Q(**{f"{p}location_id__in": location_ids_of(user)})
    if user.role == Role.CLINICIAN:
        q |= Q(**{f"{p}primary_clinician__user_id": user.pk})
    return q


def patients_visible_to(user: User) -> QuerySet[Patient]:
    return Patient.objects.filter(patient_filter_for(user)).select_related(
        "location", "primary_clinician", "user"
    )


def patient_of_account(user: User) -> Patient | None:
    """The patient record of a signed-in patient's app account, if it has one."""
    if not user.is_authenticated or user.role != Role.PATIENT:
        return None
    return Patient.objects.select_related("location").filter(user_id=user.pk).first()


def clinicians_list(*, location: Location | None = None) -> QuerySet[Clinician]:
    qs = Clinician.objects.select_related("user").prefetch_related("user__locations")
    if location is not None:
        qs = qs.filter(user__locations=location)
    return qs.filter(user__is_active=True).distinct()


def access_log_for_patient(*, patient: Patient | None) -> QuerySet[AccessLogEntry]:
    return AccessLogEntry.objects.filter(patient=patient).select_related("actor")


def user_profile(*, user: User) -> User:
    """The signed-in user with what ``/me/`` shows, in a fixed number of queries."""
    return (
        User.objects.select_related("patient__location", "clinician")
        .prefetch_related("locations")
        .get(pk=user.pk)
    )


def managers_of(location_id: int) -> list[User]:
    """The active managers of a location."""
    return list(
        User.objects.filter(role=Role.MANAGER, locations=location_id, is_active=True).order_by("pk")
    )
