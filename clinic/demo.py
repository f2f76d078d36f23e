"""Demo accounts of API.md: managers, front desk, clinicians and patients per location."""

from __future__ import annotations

import os
from datetime import date

from django.db import transaction

from clinic.models import STAFF_ROLES, Clinician, Location, Patient, Role, User
from clinic.roles import role_group_assign

STAFF = [
    ("manager.rotterdam", Role.MANAGER, "rotterdam", "Marieke", "de Vries"),
    ("manager.zoetermeer", Role.MANAGER, "zoetermeer", "Johan", "Bakker"),
    ("desk.rotterdam", Role.FRONT_DESK, "rotterdam", "Sanne", "Jansen"),
    ("desk.zoetermeer", Role.FRONT_DESK, "zoetermeer", "Ingrid", "Visser"),
    ("physio.rotterdam.1", Role.CLINICIAN, "rotterdam", "Pieter", "van Dijk"),
    ("physio.rotterdam.2", Role.CLINICIAN, "rotterdam", "Anouk", "Smit"),
    ("physio.zoetermeer.1", Role.CLINICIAN, "zoetermeer", "Daan", "Meijer"),
    ("physio.zoetermeer.2", Role.CLINICIAN, "zoetermeer", "Lotte", "de Boer"),
]

PATIENTS = [
    ("Thijs", "Mulder", date(1994, 3, 12), "nl"),
    ("Emma", "de Groot", date(1988, 7, 2), "nl"),
    ("Lucas", "Bos", date(2001, 11, 23), "en"),
    ("Sophie", "Vos", date(1979, 5, 30), "nl"),
    ("Noah", "Peters", date(1996, 1, 17), "nl"),
    ("Julia", "Hendriks", date(1985, 9, 8), "en"),
    ("Milan", "van Leeuwen", date(1999, 4, 4), "nl"),
    ("Tess", "Dekker", date(1992, 12, 19), "nl"),
    ("Sem", "Brouwer", date(1975, 6, 27), "nl"),
    ("Fleur", "de Wit", date(2003, 2, 14), "en"),
]


def _account(username: str, role: str, password: str, first: str, last: str) -> User:
    user, _ = User.objects.update_or_create(
        username=username,
        defaults={
            "role": role,
            "first_name": first,
            "last_name": last,
            "email": f"{username}@clinic.example",
            # Staff sign in to the staff site with their role's group; nobody is a superuser.
            "is_staff": role in STAFF_ROLES,
            "is_superuser": False,
        },
    )
    role_group_assign(user=user)
    if not user.check_password(password):
        user.set_password(password)
        user.save(update_fields=["password"])
    return user


@transaction.atomic
def seed() -> dict[str, int]:
    """Create or update the demo accounts; running it again changes no counts."""
    password = os.environ.get("DEMO_PASSWORD", "demo")
    locations = {loc.slug: loc for loc in Location.objects.all()}
    clinicians: dict[str, list[Clinician]] = {"rotterdam": [], "zoetermeer": []}
    for username, role, slug, first, last in STAFF:
        user = _account(username, role, password, first, last)
        user.locations.set([locations[slug]])
        # What a role may do is its group's (clinic.roles), not permissions of its own.
        user.user_permissions.clear()
        if role == Role.CLINICIAN:
            clinician, _ = Clinician.objects.get_or_create(user=user)
            clinicians[slug].append(clinician)

    for number, (first, last, born, language) in enumerate(PATIENTS, start=1):
        slug = "rotterdam" if number <= 5 else "zoetermeer"
        user = _account(f"patient.{number}", Role.PATIENT, password, first, last)
        Patient.objects.update_or_create(
            user=user,
            defaults={
                "first_name": first,
                "last_name": last,
                "date_of_birth": born,
                "email": f"patient.{number}@example.nl",
                "phone": f"+3161234{number:04d}",
                "language": language,
                "location": locations[slug],
                "primary_clinician": clinicians[slug][(number - 1) % 2],
            },
        )
    return {"staff": len(STAFF), "patients": len(PATIENTS)}
