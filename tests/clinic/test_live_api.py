"""The API as gunicorn serves it: sign-in lockout across workers, closing after a 413."""

from __future__ import annotations

import http.client
import json
import uuid

import pytest

from tests.factories import UserFactory

pytestmark = pytest.mark.postgres_only

# The per-address rate has tests of its own (test_auth.py); here it must not interfere,
# as the Redis database is shared with other runs that sign in from 127.0.0.1.
ADDRESS_RATE = "1000/min"


def _sign_in(live, username: str, password: str) -> http.client.HTTPResponse:
    # A new connection per attempt, so the attempts spread over gunicorn's workers.
    connection = http.client.HTTPConnection("127.0.0.1", live.port, timeout=10)
    connection.request(
        "POST",
        "/api/v1/auth/token/",
        json.dumps({"username": username, "password": password}),
        {"Content-Type": "application/json"},
    )
    response = connection.getresponse()
    response.body = response.read()
    connection.close()
    return response


@pytest.mark.parametrize(
    "cache_url",
    ["rediscache://127.0.0.1:6379/14", "locmemcache://"],
    ids=["redis", "database-when-the-cache-is-per-process"],
)
def test_five_wrong_passwords_lock_the_account_out_in_every_worker(live_api, cache_url):
    username = f"patient.{uuid.uuid4().hex[:10]}"  # Redis is shared with other test runs
    UserFactory(username=username)
    live_api.start(CACHE_URL=cache_url, LOGIN_MAX_FAILURES="5", LOGIN_THROTTLE_RATE=ADDRESS_RATE)

    answers = [_sign_in(live_api, username, "wrong-guess") for _ in range(30)]

    assert [a.status for a in answers] == [401] * 5 + [429] * 25
    for locked in answers[5:]:
        assert locked.getheader("Content-Type") == "application/problem+json"
        assert json.loads(locked.body)["code"] == "throttled"
        assert 0 < int(locked.getheader("Retry-After")) <= 900
    # Even the right password waits out the lockout.
    assert _sign_in(live_api, username, "secret-pass-1").status == 429


def test_a_413_closes_the_connection_and_the_next_request_succeeds(live_api):
    live_api.start(MAX_REQUEST_BYTES="1000")
    connection = http.client.HTTPConnection("127.0.0.1", live_api.port, timeout=10)
    connection.request(
        "POST",
        "/api/v1/patients/",
        json.dumps({"first_name": "x" * 200_000}),
        {"Content-Type": "application/json"},
    )
    too_large = connection.getresponse()
    body = json.loads(too_large.read())

    assert too_large.status == 413
    assert body["code"] == "request_too_large"
    assert too_large.getheader("Connection") == "close"
    assert too_large.will_close  # the client will not send its next request on it

    # http.client opens a new connection for the next request.
    connection.request("GET", "/healthz")
    again = connection.getresponse()
    assert again.status == 200
    assert json.loads(again.read())
    connection.close()
