"""The restore drill: fill a database through the API, back it up with ``manage.py backup``
(pg_dump -Fc), restore it into a new database with ``manage.py restore`` and compare every
table's row count and a checksum of the access log."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid

import psycopg
import pytest
from psycopg import sql

from clinic.models import AccessLogEntry
from notifications.models import ScheduleMark
from notifications.services import RESTORED_MARK
from tests.clinic.load import CHECK_IN
from tests.factories import PatientFactory
from tests.notifications.conftest import REPO, _database_url
from tests.programs.factories import ProgramFactory

pytestmark = [
    pytest.mark.fault_live,
    pytest.mark.postgres_only,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

ACCESS_LOG = AccessLogEntry._meta.db_table


def manage(*args: str, database_url: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=REPO,
        env={**os.environ, "DATABASE_URL": database_url},
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


def table_counts(url: str) -> dict[str, int]:
    with psycopg.connect(url) as db:
        tables = [
            row[0]
            for row in db.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
            )
        ]
        return {
            table: db.execute(
                sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))
            ).fetchone()[0]
            for table in tables
        }


def access_log_checksum(url: str) -> str:
    with psycopg.connect(url) as db:
        query = sql.SQL("SELECT md5(string_agg(t::text, E'\\n' ORDER BY t.id)) FROM {} t")
        return db.execute(query.format(sql.Identifier(ACCESS_LOG))).fetchone()[0]


@pytest.fixture
def new_database_url():
    source = _database_url()
    name = f"restore_drill_{uuid.uuid4().hex[:8]}"
    url = source.rsplit("/", 1)[0] + f"/{name}"
    yield url
    with psycopg.connect(source.rsplit("/", 1)[0] + "/postgres", autocommit=True) as admin:
        admin.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def fill_through_the_api(api, front_desk, clinician, rotterdam) -> None:
    desk = api(front_desk)
    for n in range(5):
        created = desk.post(
            "/api/v1/patients/",
            {
                "first_name": f"Drill{n}",
                "last_name": "Patient",
                "date_of_birth": "1980-05-01",
                "location": "rotterdam",
            },
            format="json",
        )
        assert created.status_code == 201, created.content
        read = api(clinician.user).get(f"/api/v1/patients/{created.json()['id']}/")
        assert read.status_code == 200, read.content
    for _ in range(3):
        patient = PatientFactory(location=rotterdam, primary_clinician=clinician, with_user=True)
        ProgramFactory(patient=patient, clinician=clinician)
        app = api(patient.user)
        for pain in (2, 7):  # a calm check-in, then one that escalates and sends notices
            response = app.post(
                "/api/v1/check-ins/",
                {**CHECK_IN, "pain_now": pain, "pain_activity": pain + 1},
                format="json",
            )
            assert response.status_code == 201, response.content
        assert (
            api(clinician.user).get(f"/api/v1/check-ins/?patient={patient.id}").status_code == 200
        )


def test_a_backup_restored_into_a_new_database_has_every_row_and_the_same_access_log(
    api, front_desk, clinician, rotterdam, tmp_path, new_database_url
):
    fill_through_the_api(api, front_desk, clinician, rotterdam)
    source = _database_url()
    assert AccessLogEntry.objects.count() >= 10
    backup = tmp_path / "clinic.dump"

    out = manage("backup", "--output", str(backup), database_url=source)
    assert "Backed up to" in out
    assert backup.stat().st_size > 0
    out = manage("restore", str(backup), database_url=new_database_url)
    assert "Restored" in out

    before, after = table_counts(source), table_counts(new_database_url)
    # The restore adds one mark to the outbox's bookkeeping, nothing else.
    assert after.pop("notifications_schedulemark") == before.pop("notifications_schedulemark") + 1
    assert after == before
    assert access_log_checksum(new_database_url) == access_log_checksum(source)
    assert not ScheduleMark.objects.filter(key=RESTORED_MARK).exists()  # the source is untouched

    with pytest.raises(subprocess.CalledProcessError) as refused:
        manage("restore", str(backup), database_url=new_database_url)
    assert "not empty" in refused.value.stderr
