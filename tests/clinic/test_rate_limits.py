"""Rate limits of the whole API: per signed-in user and per client address, in the shared
cache; over the limit is 429 problem details with Retry-After."""

from __future__ import annotations

import pytest
from django.core.cache import caches

pytestmark = pytest.mark.django_db


@pytest.fixture
def rates(settings):
    """``rates(user=..., address=...)`` sets the limits for this test, from a clean count."""

    def set_rates(*, user: str = "1000/hour", address: str = "1000/hour") -> None:
        settings.REST_FRAMEWORK = {
            **settings.REST_FRAMEWORK,
            "DEFAULT_THROTTLE_RATES": {
                **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
                "user": user,
                "address": address,
            },
        }
        caches["rate_limits"].clear()

    return set_rates


def assert_throttled(response) -> None:
    assert response.status_code == 429, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert 1 <= int(response["Retry-After"]) <= 3600
    body = response.json()
    assert body["code"] == "throttled"
    assert body["status"] == 429
    assert body["retry_after"] == int(response["Retry-After"])


def test_a_user_over_the_limit_gets_429_and_other_users_do_not(rates, api, patient, front_desk):
    rates(user="3/hour")
    app = api(patient.user)
    assert [app.get("/api/v1/me/").status_code for _ in range(3)] == [200, 200, 200]
    assert_throttled(app.get("/api/v1/me/"))
    # The limit counts requests of every kind, writes too.
    assert_throttled(app.post("/api/v1/check-ins/", {}, format="json"))
    assert api(front_desk).get("/api/v1/me/").status_code == 200


def test_an_address_over_the_limit_gets_429_whoever_signs_in_from_it(
    rates, api, patient, front_desk
):
    rates(address="4/hour")
    for user in (patient.user, front_desk, patient.user, front_desk):
        assert api(user).get("/api/v1/me/").status_code == 200
    assert_throttled(api(front_desk).get("/api/v1/me/"))
    # Requests without a signed-in user from that address count too (sign-in itself has
    # its own limit per address, LOGIN_THROTTLE_RATE).
    assert_throttled(api().post("/api/v1/auth/token/refresh/", {"refresh": "x"}, format="json"))
    other_address = api(front_desk).get("/api/v1/me/", REMOTE_ADDR="192.0.2.7")
    assert other_address.status_code == 200


def test_a_client_cannot_pick_its_address_with_x_forwarded_for(rates, api, front_desk):
    rates(address="2/hour")
    client = api(front_desk)
    answers = [
        client.get("/api/v1/me/", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}").status_code
        for n in range(3)
    ]
    assert answers == [200, 200, 429]


def test_behind_a_trusted_proxy_the_forwarded_address_is_counted(rates, settings, api, front_desk):
    rates(address="1/hour")
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    client = api(front_desk)
    first = client.get("/api/v1/me/", HTTP_X_FORWARDED_FOR="198.51.100.1")
    second = client.get("/api/v1/me/", HTTP_X_FORWARDED_FOR="198.51.100.2")
    again = client.get("/api/v1/me/", HTTP_X_FORWARDED_FOR="198.51.100.1")
    assert (first.status_code, second.status_code, again.status_code) == (200, 200, 429)
