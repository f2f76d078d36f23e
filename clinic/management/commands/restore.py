"""``python manage.py restore FILE``: restore a backup into the configured database, which
must be new or empty (restore beside the live one, then switch ``DATABASE_URL``). Messages
that were due before the restore are checked against their channel before they go out, so
none is sent twice (README, Operations)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from clinic.backups import database_restore


class Command(BaseCommand):
    help = "Restore a backup file into the configured (new or empty) database."

    def add_arguments(self, parser):
        parser.add_argument("backup", type=Path)
        parser.add_argument("--jobs", type=int, default=2, help="pg_restore's parallel jobs.")

    def handle(self, *args, **options):
        path = options["backup"]
        if not path.is_file():
            raise CommandError(f"No backup file at {path}.")
        try:
            seconds = database_restore(path=path, jobs=options["jobs"])
        except FileExistsError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Restored {path} in {seconds:.1f} s")
