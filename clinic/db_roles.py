"""The database role the running service connects as: it does not own the tables, so it can
neither drop nor disable the append-only triggers, and on the audit logs (the access log and
the authentication events) it may only add and read rows.

Migrations run as the owner; ``python manage.py grant_app_role`` (run as the owner, after
``migrate``) creates or updates the application's role and its grants."""

from __future__ import annotations

from django.db import connection

# The logs that only grow: INSERT and SELECT, nothing else.
AUDIT_TABLES = ("clinic_accesslogentry", "accounts_authevent")


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def grant_app_role(role: str, password: str | None = None, *, login: bool = True) -> None:
    """Create ``role`` when missing (it never owns anything) and grant it what the service
    needs on every table that exists now: read and write, except on the audit logs."""
    if connection.vendor != "postgresql":
        raise RuntimeError("database roles exist on PostgreSQL only")
    quoted = _quote(role)
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
        if cursor.fetchone() is None:
            cursor.execute(f"CREATE ROLE {quoted} {'LOGIN' if login else 'NOLOGIN'}")
        cursor.execute(f"ALTER ROLE {quoted} NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS")
        if password:
            cursor.execute(f"ALTER ROLE {quoted} PASSWORD %s", [password])
        cursor.execute(
            f"GRANT CONNECT ON DATABASE {_quote(connection.settings_dict['NAME'])} TO {quoted}"
        )
        cursor.execute(f"GRANT USAGE ON SCHEMA public TO {quoted}")
        cursor.execute(
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {quoted}"
        )
        cursor.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {quoted}")
        for table in AUDIT_TABLES:
            cursor.execute(f"REVOKE ALL ON {_quote(table)} FROM {quoted}")
            cursor.execute(f"GRANT SELECT, INSERT ON {_quote(table)} TO {quoted}")
