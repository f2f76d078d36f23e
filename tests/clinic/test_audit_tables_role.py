"""The audit logs survive the application: the role the service connects as does not own the
tables, may only add and read rows of the access log and the authentication events, and can
neither empty them, change them nor switch their triggers off. PostgreSQL only."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from accounts.models import AuthEvent
from accounts.services import auth_event_record
from clinic.db_roles import AUDIT_TABLES, grant_app_role
from clinic.models import AccessLogEntry
from clinic.services import access_log_record

pytestmark = [pytest.mark.django_db, pytest.mark.postgres_only]

ROLE = "clinic_app_under_test"

TRIGGERS = {
    "clinic_accesslogentry": ["clinic_access_log_append_only", "clinic_access_log_no_truncate"],
    "accounts_authevent": ["accounts_auth_event_append_only", "accounts_auth_event_no_truncate"],
}


@pytest.fixture
def logs(clinician, patient):
    access_log_record(
        actor=clinician.user,
        patient_ids=[patient.id],
        object_ids=[patient.id],
        action="read",
        resource="patient",
    )
    auth_event_record(kind="password_changed", user=clinician.user)


@pytest.fixture
def as_app_role(logs):
    """The test's transaction creates the role and rolls it back with everything else."""
    grant_app_role(ROLE, login=False)
    with connection.cursor() as cursor:
        cursor.execute(f"SET ROLE {ROLE}")
    yield
    with connection.cursor() as cursor:
        cursor.execute("RESET ROLE")


def refused(sql: str) -> bool:
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    except DatabaseError:
        return True
    return False


@pytest.mark.parametrize("table", AUDIT_TABLES)
def test_the_application_role_adds_and_reads_but_cannot_empty_change_or_unguard(as_app_role, table):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table}")
        assert cursor.fetchone()[0] == 1
    assert refused(f"TRUNCATE {table}")
    assert refused(f"UPDATE {table} SET address = '192.0.2.1'")
    assert refused(f"DELETE FROM {table}")
    for trigger in TRIGGERS[table]:
        assert refused(f"ALTER TABLE {table} DISABLE TRIGGER {trigger}")
    assert refused(f"ALTER TABLE {table} DISABLE TRIGGER ALL")
    assert refused(f"DROP TRIGGER {TRIGGERS[table][0]} ON {table}")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table}")
        assert cursor.fetchone()[0] == 1


def test_the_application_role_still_writes_the_logs(as_app_role, clinician, patient):
    access_log_record(
        actor=clinician.user,
        patient_ids=[patient.id],
        object_ids=[patient.id],
        action="read",
        resource="patient",
    )
    auth_event_record(kind="password_changed", user=clinician.user)
    assert AccessLogEntry.objects.count() == 2
    assert AuthEvent.objects.count() == 2


@pytest.mark.parametrize("table", AUDIT_TABLES)
def test_even_a_grant_to_truncate_does_not_empty_a_log(logs, table):
    """A role that is not the owner and was (wrongly) granted TRUNCATE meets the trigger."""
    grant_app_role(ROLE, login=False)
    with connection.cursor() as cursor:
        cursor.execute(f"GRANT TRUNCATE ON {table} TO {ROLE}")
        cursor.execute(f"SET ROLE {ROLE}")
    try:
        assert refused(f"TRUNCATE {table}")
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table}")
        assert cursor.fetchone()[0] == 1


def test_the_application_role_owns_nothing(as_app_role):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner "
            "WHERE r.rolname = %s",
            [ROLE],
        )
        assert cursor.fetchone()[0] == 0
