"""A lost database connection is a 503 "try again" with Retry-After, never a 500; a read is
retried once without the client noticing; an Idempotency-Key stays exact across the loss.

The connection is really lost: another connection terminates this one's server process, or
a trigger terminates it halfway through the request's transaction."""

from __future__ import annotations

import logging
import threading
import time
from contextlib import contextmanager

import psycopg
import pytest
from django.db import connection, connections

from clinic.models import IdempotencyRecord
from programs.models import CheckIn
from tests.conftest import bearer_client
from tests.programs.factories import ProgramFactory

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

CHECK_IN = {
    "pain_now": 2,
    "pain_activity": 3,
    "pain_character": "dull",
    "pain_course": "stable",
    "exercises_done": True,
    "walking_minutes": 15,
}


def _admin_connection() -> psycopg.Connection:
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    return psycopg.connect(**params, autocommit=True)


def lose_the_connection() -> None:
    """The server ends this process's database connection, as a restart does."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    with _admin_connection() as admin:
        admin.execute("SELECT pg_terminate_backend(%s, 5000)", [pid])


@contextmanager
def connection_lost_on_update_of(table: str):
    """Any UPDATE of ``table`` ends the connection that makes it, inside its transaction."""
    with _admin_connection() as admin:
        admin.execute(
            "CREATE FUNCTION test_lose_connection() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN PERFORM pg_terminate_backend(pg_backend_pid()); RETURN NEW; END $$"
        )
        admin.execute(
            f"CREATE TRIGGER test_lose_connection BEFORE UPDATE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION test_lose_connection()"
        )
        try:
            yield
        finally:
            admin.execute(f"DROP TRIGGER test_lose_connection ON {table}")
            admin.execute("DROP FUNCTION test_lose_connection()")


@contextmanager
def connection_lost_at_commit_of_a_write_to(table: str):
    """A deferred trigger: the connection ends during COMMIT of any insert into ``table``,
    so the client cannot know whether the change was saved."""
    with _admin_connection() as admin:
        admin.execute(
            "CREATE FUNCTION test_lose_connection() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN PERFORM pg_terminate_backend(pg_backend_pid()); RETURN NEW; END $$"
        )
        admin.execute(
            f"CREATE CONSTRAINT TRIGGER test_lose_connection AFTER INSERT ON {table} "
            "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION test_lose_connection()"
        )
        try:
            yield
        finally:
            admin.execute(f"DROP TRIGGER test_lose_connection ON {table}")
            admin.execute("DROP FUNCTION test_lose_connection()")


@pytest.fixture
def app(api, patient, clinician):
    ProgramFactory(patient=patient, clinician=clinician)
    client = api(patient.user)
    # The outage must reach us as the client sees it, not as a re-raised exception.
    client.raise_request_exception = False
    assert client.get("/api/v1/me/").status_code == 200  # the connection is open
    return client


def assert_database_unavailable(response, *, retry_safe: bool) -> dict:
    assert response.status_code == 503, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert int(response["Retry-After"]) > 0
    body = response.json()
    assert body["code"] == "database_unavailable"
    assert body["type"].endswith("/database_unavailable")
    assert body["retry_safe"] is retry_safe
    return body


def test_a_read_whose_connection_died_is_retried_once_and_answers_200(app, patient, caplog):
    lose_the_connection()
    with caplog.at_level(logging.INFO, logger="clinic.api.outages"):
        response = app.get("/api/v1/check-ins/")
    assert response.status_code == 200, response.content
    assert any("Retrying GET /api/v1/check-ins/" in r.message for r in caplog.records)


def test_a_write_whose_connection_died_is_503_safe_to_retry_and_saves_nothing(app, patient):
    lose_the_connection()
    response = app.post("/api/v1/check-ins/", CHECK_IN, format="json")
    assert_database_unavailable(response, retry_safe=True)
    assert CheckIn.objects.count() == 0

    again = app.post("/api/v1/check-ins/", CHECK_IN, format="json")
    assert again.status_code == 201, again.content
    assert CheckIn.objects.count() == 1


def test_a_connection_lost_after_the_change_but_before_commit_keeps_the_key_exact(app, patient):
    """The check-in is written, then the connection dies while its answer is being kept for
    the key: nothing commits, so the retry with the same key creates exactly one."""
    with connection_lost_on_update_of(IdempotencyRecord._meta.db_table):
        lost = app.post(
            "/api/v1/check-ins/", CHECK_IN, format="json", HTTP_IDEMPOTENCY_KEY="evening-1"
        )
    assert_database_unavailable(lost, retry_safe=True)
    assert CheckIn.objects.count() == 0
    assert not IdempotencyRecord.objects.filter(key="evening-1").exists()

    retried = app.post(
        "/api/v1/check-ins/", CHECK_IN, format="json", HTTP_IDEMPOTENCY_KEY="evening-1"
    )
    replayed = app.post(
        "/api/v1/check-ins/", CHECK_IN, format="json", HTTP_IDEMPOTENCY_KEY="evening-1"
    )
    assert retried.status_code == replayed.status_code == 201, retried.content
    assert replayed["Idempotent-Replayed"] == "true"
    assert retried.json()["id"] == replayed.json()["id"]
    assert CheckIn.objects.count() == 1


def test_a_refused_keyed_request_keeps_its_answer_but_none_of_its_changes(app, patient):
    response = app.post(
        "/api/v1/check-ins/", {**CHECK_IN, "pain_now": 11}, format="json", HTTP_IDEMPOTENCY_KEY="k"
    )
    assert response.status_code == 400
    replay = app.post(
        "/api/v1/check-ins/", {**CHECK_IN, "pain_now": 11}, format="json", HTTP_IDEMPOTENCY_KEY="k"
    )
    assert replay.status_code == 400
    assert replay["Idempotent-Replayed"] == "true"
    assert CheckIn.objects.count() == 0


def test_a_connection_lost_during_commit_says_the_change_may_have_been_saved(app, patient):
    with connection_lost_at_commit_of_a_write_to(CheckIn._meta.db_table):
        response = app.post("/api/v1/check-ins/", CHECK_IN, format="json")
    body = assert_database_unavailable(response, retry_safe=False)
    assert "mogelijk opgeslagen" in body["detail"]  # "may have been saved", in her Dutch
    assert CheckIn.objects.count() == 0  # here it was not; the client could not know


def test_the_same_key_sent_twice_at_once_waits_for_the_first_and_replays_its_answer(app, patient):
    """The first request holds its key until it commits; the second waits, then replays."""
    with _admin_connection() as admin:
        admin.execute(
            "CREATE FUNCTION test_slow_insert() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN PERFORM pg_sleep(1); RETURN NEW; END $$"
        )
        admin.execute(
            f"CREATE TRIGGER test_slow_insert BEFORE INSERT ON {CheckIn._meta.db_table} "
            "FOR EACH ROW EXECUTE FUNCTION test_slow_insert()"
        )
        answers = {}

        def send(name: str) -> None:
            try:
                client = bearer_client(patient.user)  # one client per phone
                answers[name] = client.post(
                    "/api/v1/check-ins/", CHECK_IN, format="json", HTTP_IDEMPOTENCY_KEY="twice"
                )
            finally:
                connections.close_all()

        try:
            first = threading.Thread(target=send, args=("first",))
            second = threading.Thread(target=send, args=("second",))
            first.start()
            time.sleep(0.3)
            second.start()
            first.join(30)
            second.join(30)
        finally:
            admin.execute(f"DROP TRIGGER test_slow_insert ON {CheckIn._meta.db_table}")
            admin.execute("DROP FUNCTION test_slow_insert()")

    assert answers["first"].status_code == answers["second"].status_code == 201
    assert answers["second"]["Idempotent-Replayed"] == "true"
    assert answers["first"].json()["id"] == answers["second"].json()["id"]
    assert CheckIn.objects.count() == 1
