"""Writes of the core domain: patients, staff accounts and the access log."""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import nullcontext
from datetime import date

from django.db import connection, transaction
from django.db.models.functions import Lower, Trim
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from clinic.codes import ClinicErrorCode
from clinic.errors import Conflict, InvalidInput, NotAllowed
from clinic.models import (
    PATIENT_EDITABLE_FIELDS,
    AccessAction,
    AccessLogEntry,
    Clinician,
    Language,
    Location,
    Patient,
    Role,
    User,
)
from clinic.roles import role_group_assign
from clinic.selectors import location_ids_of

_ACCESS_LOG_COLUMNS = (
    "actor_id",
    "patient_id",
    "action",
    "resource",
    "object_id",
    "method",
    "path",
    "address",
    "at",
)
# SQLite allows 32,766 parameters per statement; 9 columns x 1,000 rows stays well inside.
_ACCESS_LOG_ROWS_PER_INSERT = 1000


def access_log_record(
    *,
    actor: User,
    patient_ids: Iterable[int],
    action: str,
    resource: str,
    object_ids: Iterable[object] | None = None,
    method: str = "",
    path: str = "",
    address: str | None = None,
) -> None:
    """Write one access-log entry per patient touched, all or none, in one INSERT (on
    SQLite one per 1,000 rows, in a transaction).

    Every list page the API serves passes through here, so the rows go in as plain values:
    building a model instance per row cost 4 ms of CPU for a page of 50.
    """
    patient_ids = list(patient_ids)
    object_ids = list(object_ids) if object_ids is not None else [""] * len(patient_ids)
    if not patient_ids:
        return
    at = connection.ops.adapt_datetimefield_value(timezone.now())
    address = connection.ops.adapt_ipaddressfield_value(address)
    path = path[:300]
    object_ids = [str(object_id) for object_id in object_ids]
    if len(object_ids) != len(patient_ids):
        raise ValueError("One object id per patient id.")
    table, columns = AccessLogEntry._meta.db_table, ", ".join(_ACCESS_LOG_COLUMNS)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The same short statement for any number of rows: the driver parses statements
            # of more than 50 parameters anew each time, which cost more than the insert.
            cursor.execute(
                f"INSERT INTO {table} ({columns}) "  # noqa: S608
                "SELECT %s, patient_id, %s, %s, object_id, %s, %s, %s, %s "
                "FROM unnest(%s::bigint[], %s::text[]) AS t(patient_id, object_id)",
                [actor.pk, action, resource, method, path, address, at, patient_ids, object_ids],
            )
            return
        rows = [
            (actor.pk, patient_id, action, resource, object_id, method, path, address, at)
            for patient_id, object_id in zip(patient_ids, object_ids, strict=True)
        ]
        row_marks = "(" + ", ".join(["%s"] * len(_ACCESS_LOG_COLUMNS)) + ")"
        # One statement is atomic by itself; only a longer list needs a transaction.
        several = len(rows) > _ACCESS_LOG_ROWS_PER_INSERT
        with transaction.atomic() if several else nullcontext():
            for first in range(0, len(rows), _ACCESS_LOG_ROWS_PER_INSERT):
                chunk = rows[first : first + _ACCESS_LOG_ROWS_PER_INSERT]
                cursor.execute(
                    f"INSERT INTO {table} ({columns}) "  # noqa: S608
                    f"VALUES {', '.join([row_marks] * len(chunk))}",
                    [value for row in chunk for value in row],
                )


NOT_YOUR_PATIENTS = gettext_lazy("You do not work at %(location)s; you cannot manage its patients.")


def check_works_at(actor: User, location: Location, *, refusal: str) -> None:
    """Only staff who work at ``location`` may manage what is there; anyone else is
    refused with ``location_not_allowed`` and ``refusal`` (which names ``%(location)s``)."""
    if actor.role == Role.PATIENT or location.pk not in location_ids_of(actor):
        raise NotAllowed(
            refusal % {"location": location.name}, code=ClinicErrorCode.LOCATION_NOT_ALLOWED
        )


def _check_clinician_at(clinician: Clinician | None, location: Location) -> None:
    if clinician is not None and not clinician.user.locations.filter(pk=location.pk).exists():
        raise InvalidInput(
            gettext("%(clinician)s does not work at %(location)s.")
            % {"clinician": clinician.name, "location": location.name},
            field="primary_clinician",
        )


# Advisory-lock namespace (first key of pg_advisory_xact_lock) for one person's identity:
# a name and date of birth.
PATIENT_IDENTITY = 0x636C01


def _identity(first_name: str, last_name: str) -> tuple[str, str]:
    """A name as it is compared for duplicates: trimmed, case-folded."""
    return first_name.strip().lower(), last_name.strip().lower()


def _lock_identity(first_name: str, last_name: str, date_of_birth: date) -> None:
    """Take this name and date of birth for the rest of the transaction, so that two
    registrations of the same person check and insert one at a time (PostgreSQL: an
    advisory lock on a hash of the identity; SQLite writes one transaction at a time)."""
    if connection.vendor != "postgresql":
        return
    first, last = _identity(first_name, last_name)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s, hashtext(%s))",
            [PATIENT_IDENTITY, f"{first}\x1f{last}\x1f{date_of_birth.isoformat()}"],
        )


def check_not_a_duplicate(
    *,
    first_name: str,
    last_name: str,
    date_of_birth: date,
    confirm_new: bool,
    exclude: Patient | None = None,
) -> bool:
    """The one gate against a second record for the same person: another patient, at any
    location, with the same first and last name (trimmed, any case) and date of birth is
    refused with ``possible_duplicate``, naming the existing records (id and location
    only), unless the caller confirms that this is a new person. Takes the identity's lock
    first; returns whether a confirmation is to be recorded."""
    _lock_identity(first_name, last_name, date_of_birth)
    first, last = _identity(first_name, last_name)
    same = (
        Patient.objects.annotate(_first=Lower(Trim("first_name")), _last=Lower(Trim("last_name")))
        .filter(_first=first, _last=last, date_of_birth=date_of_birth)
        .select_related("location")
        .order_by("id")
    )
    if exclude is not None and exclude.pk is not None:
        same = same.exclude(pk=exclude.pk)
    matches = list(same[:10])
    if not matches:
        return False
    if confirm_new:
        return True
    first_match = matches[0]
    existing = [{"id": patient.pk, "location": patient.location.slug} for patient in matches]
    raise Conflict(
        gettext(
            "A patient with this name and date of birth is already registered (patient "
            "%(id)s, %(location)s). If this is a different person, confirm that it is a "
            "new patient."
        )
        % {"id": first_match.pk, "location": first_match.location.name},
        code=ClinicErrorCode.POSSIBLE_DUPLICATE,
        extra={"existing": existing[0], "duplicates": existing},
    )


@transaction.atomic
def patient_register(
    *,
    registered_by: User,
    first_name: str,
    last_name: str,
    date_of_birth: date,
    location: Location,
    email: str = "",
    phone: str = "",
    language: str = Language.DUTCH,
    primary_clinician: Clinician | None = None,
    user: User | None = None,
    confirm_new: bool = False,
) -> Patient:
    """A new patient. Another patient with the same name and date of birth is refused
    (``possible_duplicate``) unless ``confirm_new``; then who confirmed it, and when, is
    kept on the new record."""
    check_works_at(registered_by, location, refusal=NOT_YOUR_PATIENTS)
    _check_clinician_at(primary_clinician, location)
    confirmed = check_not_a_duplicate(
        first_name=first_name,
        last_name=last_name,
        date_of_birth=date_of_birth,
        confirm_new=confirm_new,
    )
    patient = Patient(
        first_name=first_name,
        last_name=last_name,
        date_of_birth=date_of_birth,
        location=location,
        email=email,
        phone=phone,
        language=language,
        primary_clinician=primary_clinician,
        user=user,
    )
    if confirmed:
        patient.duplicate_confirmed_by = registered_by
        patient.duplicate_confirmed_at = timezone.now()
    patient.full_clean()
    patient.save()
    return patient


@transaction.atomic
def patient_update(
    *, patient: Patient, updated_by: User, confirm_new: bool = False, **changes
) -> Patient:
    """Change a patient's administrative data. A new name or date of birth that makes the
    record match another patient is refused (``possible_duplicate``) unless
    ``confirm_new``; then the confirmation is kept on the record."""
    unknown = set(changes).difference(PATIENT_EDITABLE_FIELDS)
    if unknown:
        raise InvalidInput(
            gettext("Cannot change %(fields)s.") % {"fields": ", ".join(sorted(unknown))},
            field=min(unknown),
        )
    if "location" in changes and changes["location"] != patient.location:
        check_works_at(updated_by, changes["location"], refusal=NOT_YOUR_PATIENTS)
    identity_before = (*_identity(patient.first_name, patient.last_name), patient.date_of_birth)
    for field, value in changes.items():
        setattr(patient, field, value)
    if "location" in changes or "primary_clinician" in changes:
        _check_clinician_at(patient.primary_clinician, patient.location)
    saved = [*changes, "updated_at"]
    identity = (*_identity(patient.first_name, patient.last_name), patient.date_of_birth)
    if identity != identity_before and check_not_a_duplicate(
        first_name=patient.first_name,
        last_name=patient.last_name,
        date_of_birth=patient.date_of_birth,
        confirm_new=confirm_new,
        exclude=patient,
    ):
        patient.duplicate_confirmed_by = updated_by
        patient.duplicate_confirmed_at = timezone.now()
        saved += ["duplicate_confirmed_by", "duplicate_confirmed_at"]
    patient.full_clean()
    patient.save(update_fields=saved)
    return patient


@transaction.atomic
def staff_user_create(
    *,
    username: str,
    password: str,
    role: str,
    locations: Iterable[Location],
    first_name: str = "",
    last_name: str = "",
    email: str = "",
) -> User:
    """A front-desk, clinician or manager account; clinicians get their profile too."""
    if role == Role.PATIENT:
        raise InvalidInput(gettext("Staff accounts cannot have the patient role."), field="role")
    user = User.objects.create_user(
        username=username,
        password=password,
        role=role,
        first_name=first_name,
        last_name=last_name,
        email=email,
        # Every staff role signs in to the staff site; what it may do there is its group's.
        is_staff=True,
    )
    user.locations.set(locations)
    role_group_assign(user=user)
    if role == Role.CLINICIAN:
        Clinician.objects.create(user=user)
    return user


__all__ = [
    "AccessAction",
    "access_log_record",
    "check_not_a_duplicate",
    "patient_register",
    "patient_update",
    "staff_user_create",
]
