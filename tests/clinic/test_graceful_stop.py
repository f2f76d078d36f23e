"""SIGTERM to gunicorn while patients post check-ins: requests in flight finish, new ones are
refused before they start, and no check-in is left half-written or written unanswered."""

from __future__ import annotations

import os
import signal
import time

import pytest
from rest_framework_simplejwt.tokens import RefreshToken

from clinic.models import IdempotencyRecord
from programs.models import CheckIn
from tests.clinic.load import CheckInLoad
from tests.factories import PatientFactory
from tests.programs.factories import ProgramFactory

pytestmark = [
    pytest.mark.fault_live,
    pytest.mark.postgres_only,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_sigterm_to_gunicorn_lets_requests_in_flight_finish_and_cuts_none_in_half(
    gunicorn, test_database_url, throwaway_redis, rotterdam, clinician
):
    tokens = []
    for _ in range(6):
        patient = PatientFactory(location=rotterdam, primary_clinician=clinician, with_user=True)
        ProgramFactory(patient=patient, clinician=clinician)
        tokens.append(str(RefreshToken.for_user(patient.user).access_token))
    server = gunicorn(
        database_url=test_database_url,
        broker_url=throwaway_redis.url,
        API_RATE_USER="100000/min",
        API_RATE_ADDRESS="100000/min",
    )
    load = CheckInLoad(server.url, tokens).start()
    time.sleep(3)

    terminated_at = time.monotonic()
    os.kill(server.process.pid, signal.SIGTERM)  # what docker stop and systemd send
    server.process.wait(timeout=40)
    stopped_at = time.monotonic()
    time.sleep(0.5)
    load.stop()

    in_flight = [a for a in load.answers if a.sent_at < terminated_at < a.answered_at]
    print(
        f"\ngunicorn stopped {stopped_at - terminated_at:.2f} s after SIGTERM; "
        f"answers before: {dict(load.statuses(until=terminated_at))}; "
        f"in flight at SIGTERM: {[a.status for a in in_flight]}; "
        f"after: {dict(load.statuses(since=terminated_at))}"
    )
    assert server.process.returncode == 0
    assert {a.status for a in load.answers} <= {0, 200, 201, 503}
    # Requests that were running when the signal came were answered, not cut off.
    assert in_flight
    assert {a.status for a in in_flight} <= {200, 201}
    # Every stored check-in was acknowledged; a check-in whose request got no answer was
    # never started (its key holds nothing), so sending it again creates it once.
    assert CheckIn.objects.count() == len(load.acknowledged)
    assert set(CheckIn.objects.values_list("id", flat=True)) == set(load.acknowledged.values())
    assert not IdempotencyRecord.objects.filter(key__in=load.unanswered_keys).exists()
