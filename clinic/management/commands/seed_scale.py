"""``python manage.py seed_scale --patients 20000``: clinic-scale data for load tests."""

from __future__ import annotations

import random
import time
from importlib import import_module

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone
from tqdm import tqdm

from clinic.models import Patient
from clinic.scale.core import ScaleContext, seed_patients, seed_staff


class Command(BaseCommand):
    help = "Create clinic-scale data (patients, appointments, check-ins, ...) with bulk inserts."

    def add_arguments(self, parser):
        parser.add_argument("--patients", type=int, default=20000)
        parser.add_argument("--clinicians", type=int, default=40)
        parser.add_argument("--check-ins", type=int, default=None, help="Default: 50 per patient.")
        parser.add_argument(
            "--appointments", type=int, default=None, help="Default: 25 per patient."
        )
        parser.add_argument("--accounts", type=int, default=500, help="Patients with an app login.")
        parser.add_argument("--seed", type=int, default=7)
        parser.add_argument("--batch-size", type=int, default=5000)
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, **options):
        if Patient.objects.filter(email__startswith="scale.patient.").exists():
            raise CommandError("Scale data is already here; use a fresh database.")
        call_command("seed_demo", verbosity=0)
        patients = options["patients"]
        check_ins = options["check_ins"] if options["check_ins"] is not None else 50 * patients
        appointments = (
            options["appointments"] if options["appointments"] is not None else 25 * patients
        )
        started = time.monotonic()
        with (
            tqdm(unit="rows", disable=options["no_progress"], smoothing=0.1) as progress,
            transaction.atomic(),
        ):
            ctx = ScaleContext(
                rng=random.Random(options["seed"]),
                today=timezone.localdate(),
                batch_size=options["batch_size"],
                progress=progress,
            )
            counts = {"staff": seed_staff(ctx, clinicians=options["clinicians"])}
            counts["patients"] = seed_patients(
                ctx, patients=patients, with_accounts=min(options["accounts"], patients)
            )
            counts.update(_seed_apps(ctx, check_ins_target=check_ins, appointments=appointments))
        if connection.vendor == "postgresql":
            # Fresh statistics, or the planner guesses from an empty database after a bulk
            # load and sorts whole tables where an index would do.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        elapsed = time.monotonic() - started
        for name, count in counts.items():
            self.stdout.write(f"{name:>16}: {count:,}")
        self.stdout.write(self.style.SUCCESS(f"Scale data created in {elapsed:.0f} s."))


def _seed_apps(ctx: ScaleContext, *, check_ins_target: int, appointments: int) -> dict[str, int]:
    """Each app's part, from its ``scale`` module, in this order: each builds on the ones
    before (episodes, then programs, then their escalations)."""
    counts: dict[str, int] = {}
    for module_name, kwargs in (
        ("assessments.scale", {}),
        ("programs.scale", {"check_ins_target": check_ins_target}),
        ("escalations.scale", {}),
        ("bookings.scale", {"appointments": appointments}),
    ):
        counts.update(import_module(module_name).seed(ctx, **kwargs))
    return counts
