"""``python manage.py seed_demo``: the demo clinic of API.md. Idempotent."""

from importlib import import_module

from django.apps import apps
from django.core.management.base import BaseCommand

# Order matters: the clinic's accounts first, then what refers to them.
DEMO_APPS = ["clinic", "programs", "bookings", "assessments", "notifications", "accounts"]


class Command(BaseCommand):
    help = "Create the demo locations, accounts, appointment types, hours and exercises."

    def add_arguments(self, parser):
        parser.add_argument(
            "--with-2fa",
            action="store_true",
            help="Enrol the demo staff in two-factor sign-in with the known key DEMO_TOTP_KEY.",
        )

    def handle(self, *args, **options):
        for label in DEMO_APPS:
            if not apps.is_installed(label):
                continue
            try:
                module = import_module(f"{label}.demo")
            except ModuleNotFoundError as exc:
                if exc.name != f"{label}.demo":
                    raise
                continue
            if label == "accounts":
                result = module.seed(with_2fa=options["with_2fa"])
            else:
                result = module.seed()
            if options["verbosity"]:
                self.stdout.write(f"{label}: {result}")
        if options["verbosity"]:
            self.stdout.write(self.style.SUCCESS("Demo data is in place."))
