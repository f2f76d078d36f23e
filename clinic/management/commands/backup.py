"""``python manage.py backup [--output FILE]``: a consistent copy of the database, taken
while the service runs (``pg_dump -Fc`` on PostgreSQL, the online backup API on SQLite)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connection
from django.utils import timezone

from clinic.backups import database_backup


class Command(BaseCommand):
    help = "Back up the database to a file (default: var/backups/clinic-<time>.dump)."

    def add_arguments(self, parser):
        parser.add_argument("--output", type=Path, default=None)

    def handle(self, *args, **options):
        path = options["output"]
        if path is None:
            suffix = "sqlite3" if connection.vendor == "sqlite" else "dump"
            stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
            path = settings.VAR_DIR / "backups" / f"clinic-{stamp}.{suffix}"
        result = database_backup(path=path)
        self.stdout.write(
            f"Backed up to {result.path}: {result.bytes / 1e6:.1f} MB in {result.seconds:.1f} s"
        )
