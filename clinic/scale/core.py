"""Staff and patients at scale."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from django.contrib.auth.hashers import make_password

from clinic.models import Clinician, Location, Patient, Role, User

FIRST_NAMES = [
    "Anna",
    "Bram",
    "Chris",
    "Daan",
    "Eva",
    "Fleur",
    "Gijs",
    "Hanna",
    "Isa",
    "Jesse",
    "Julia",
    "Kees",
    "Lotte",
    "Milan",
    "Noor",
    "Olivier",
    "Puck",
    "Ruben",
    "Sanne",
    "Thijs",
    "Vera",
    "Wouter",
    "Yara",
    "Zoë",
    "Sem",
    "Tess",
    "Lucas",
    "Emma",
    "Noah",
    "Mila",
]
LAST_NAMES = [
    "de Jong",
    "Jansen",
    "de Vries",
    "van den Berg",
    "van Dijk",
    "Bakker",
    "Janssen",
    "Visser",
    "Smit",
    "Meijer",
    "de Boer",
    "Mulder",
    "de Groot",
    "Bos",
    "Vos",
    "Peters",
    "Hendriks",
    "van Leeuwen",
    "Dekker",
    "Brouwer",
    "de Wit",
    "Dijkstra",
    "Smits",
    "de Graaf",
    "van der Meer",
]

SCALE_PASSWORD = "scale-test-password"


@dataclass
class ScaleContext:
    rng: random.Random
    today: date
    batch_size: int
    progress: object
    locations: list[Location] = field(default_factory=list)
    clinicians_by_location: dict[int, list[Clinician]] = field(default_factory=dict)
    patient_ids: list[int] = field(default_factory=list)
    # patient id → (location id, clinician id), for everything that follows
    patient_home: dict[int, tuple[int, int]] = field(default_factory=dict)
    # patient id → (episode id, onset date), from assessments.scale
    episodes: dict[int, tuple[int, date]] = field(default_factory=dict)
    # (program id, patient id, started at) of every program, from programs.scale
    program_rows: list[tuple[int, int, datetime]] = field(default_factory=list)

    def stage(self, name: str, total: int) -> None:
        """The progress bar follows one kind of row at a time, with its exact count: the
        counts of the later stages depend on what the earlier ones drew."""
        self.progress.reset(total=total)
        self.progress.set_description(name)


def at_hour(day: date, hour: int) -> datetime:
    """``hour`` o'clock UTC on ``day``."""
    return datetime.combine(day, time(hour, 0), tzinfo=UTC)


def seed_staff(ctx: ScaleContext, *, clinicians: int) -> int:
    """``clinicians`` physiotherapists split over the locations, plus a desk and manager."""
    ctx.locations = list(Location.objects.order_by("slug"))
    password = make_password(SCALE_PASSWORD)
    users = []
    for number in range(clinicians):
        users.append(
            User(
                username=f"scale.physio.{number}",
                first_name=ctx.rng.choice(FIRST_NAMES),
                last_name=ctx.rng.choice(LAST_NAMES),
                role=Role.CLINICIAN,
                password=password,
            )
        )
    for location in ctx.locations:
        users.append(
            User(username=f"scale.desk.{location.slug}", role=Role.FRONT_DESK, password=password)
        )
        users.append(
            User(username=f"scale.manager.{location.slug}", role=Role.MANAGER, password=password)
        )
    User.objects.bulk_create(users, batch_size=ctx.batch_size)
    users = list(User.objects.filter(username__startswith="scale.").order_by("id"))
    Membership = User.locations.through
    memberships = []
    profiles = []
    for user in users:
        if user.role == Role.CLINICIAN:
            number = int(user.username.rsplit(".", 1)[1])
            location = ctx.locations[number % len(ctx.locations)]
            profiles.append(Clinician(user=user))
        else:
            location = next(loc for loc in ctx.locations if user.username.endswith(loc.slug))
        memberships.append(Membership(user_id=user.id, location_id=location.id))
    Membership.objects.bulk_create(memberships)
    Clinician.objects.bulk_create(profiles)
    for clinician in Clinician.objects.filter(user__username__startswith="scale.physio."):
        number = int(clinician.user.username.rsplit(".", 1)[1])
        location = ctx.locations[number % len(ctx.locations)]
        ctx.clinicians_by_location.setdefault(location.id, []).append(clinician)
    return len(users)


def seed_patients(ctx: ScaleContext, *, patients: int, with_accounts: int) -> int:
    """Patients spread over the locations and their clinicians; the first ``with_accounts``
    get a mobile-app account ``scale.patient.<n>`` (password ``SCALE_PASSWORD``)."""
    password = make_password(SCALE_PASSWORD)
    accounts = [
        User(username=f"scale.patient.{n}", role=Role.PATIENT, password=password)
        for n in range(with_accounts)
    ]
    User.objects.bulk_create(accounts, batch_size=ctx.batch_size)
    account_ids = dict(
        User.objects.filter(username__startswith="scale.patient.").values_list("username", "id")
    )
    start = Patient.objects.count()
    rows = []
    for n in range(patients):
        location = ctx.locations[n % len(ctx.locations)]
        clinician = ctx.rng.choice(ctx.clinicians_by_location[location.id])
        born = date(1950, 1, 1) + timedelta(days=ctx.rng.randrange(0, 365 * 55))
        rows.append(
            Patient(
                first_name=ctx.rng.choice(FIRST_NAMES),
                last_name=ctx.rng.choice(LAST_NAMES),
                date_of_birth=born,
                email=f"scale.patient.{n}@example.nl",
                phone=f"+3162{n:07d}",
                language="nl" if n % 4 else "en",
                location=location,
                primary_clinician=clinician,
                user_id=account_ids.get(f"scale.patient.{n}"),
            )
        )
    ctx.stage("patients", len(rows))
    for offset in range(0, len(rows), ctx.batch_size):
        Patient.objects.bulk_create(rows[offset : offset + ctx.batch_size])
        ctx.progress.update(len(rows[offset : offset + ctx.batch_size]))
    for pid, location_id, clinician_id in (
        Patient.objects.filter(email__startswith="scale.patient.")
        .order_by("id")
        .values_list("id", "location_id", "primary_clinician_id")
    ):
        ctx.patient_ids.append(pid)
        ctx.patient_home[pid] = (location_id, clinician_id)
    return Patient.objects.count() - start


class BatchInsert:
    """Collects generated rows and inserts them ``ctx.batch_size`` at a time."""

    def __init__(self, ctx: ScaleContext, model, *, shows_progress: bool = True) -> None:
        self.ctx, self.model, self.shows_progress = ctx, model, shows_progress
        self.batch: list = []
        self.created = 0

    def add(self, row) -> None:
        self.batch.append(row)
        if len(self.batch) >= self.ctx.batch_size:
            self.flush()

    def flush(self) -> int:
        """Insert what is left; returns how many rows were inserted in all."""
        if self.batch:
            self.model.objects.bulk_create(self.batch)
            if self.shows_progress:
                self.ctx.progress.update(len(self.batch))
            self.created += len(self.batch)
            self.batch = []
        return self.created
