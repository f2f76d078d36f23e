"""``python manage.py grant_app_role ROLE``: run as the tables' owner after ``migrate``. Creates
the role the service connects as (password from ``APP_DATABASE_PASSWORD``) and grants it read
and write on every table, but only INSERT and SELECT on the access log and the authentication
events. Run it again after each ``migrate`` so new tables are granted too."""

from __future__ import annotations

import os

from django.core.management.base import BaseCommand

from clinic.db_roles import AUDIT_TABLES, grant_app_role


class Command(BaseCommand):
    help = "Create or update the service's least-privilege database role (PostgreSQL)."

    def add_arguments(self, parser):
        parser.add_argument("role")

    def handle(self, *args, **options):
        grant_app_role(options["role"], os.environ.get("APP_DATABASE_PASSWORD") or None)
        self.stdout.write(
            f"Role {options['role']}: read and write, INSERT and SELECT only on "
            + ", ".join(AUDIT_TABLES)
        )
