"""Signing in from the mobile apps: tokens, refresh, logout, wrong passwords."""

import pytest

from accounts.signin import address_rate
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

TOKEN = "/api/v1/auth/token/"


def sign_in(api, username, password="secret-pass-1"):
    return api().post(TOKEN, {"username": username, "password": password}, format="json")


def test_token_is_issued_and_opens_the_api(api):
    user = UserFactory(username="desk.test", role="front_desk")
    response = sign_in(api, "desk.test")
    assert response.status_code == 200
    assert set(response.json()) >= {"access", "refresh"}

    client = api()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {response.json()['access']}")
    me = client.get("/api/v1/me/")
    assert me.status_code == 200
    assert me.json()["username"] == user.username


def test_wrong_password_is_401_problem(api):
    UserFactory(username="someone")
    response = sign_in(api, "someone", "not-the-password")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == 401


def test_refresh_gives_a_new_access_token(api):
    UserFactory(username="refresher")
    tokens = sign_in(api, "refresher").json()
    response = api().post(
        "/api/v1/auth/token/refresh/", {"refresh": tokens["refresh"]}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["access"]


def test_logout_revokes_the_refresh_token(api):
    UserFactory(username="lost.phone")
    tokens = sign_in(api, "lost.phone").json()
    logout = api().post("/api/v1/auth/logout/", {"refresh": tokens["refresh"]}, format="json")
    assert logout.status_code == 200
    again = api().post("/api/v1/auth/token/refresh/", {"refresh": tokens["refresh"]}, format="json")
    assert again.status_code == 401
    assert again["Content-Type"] == "application/problem+json"


def test_repeated_wrong_passwords_are_throttled_but_not_other_accounts(api, settings):
    settings.LOGIN_MAX_FAILURES = 3
    UserFactory(username="target")
    UserFactory(username="bystander")
    for _ in range(3):
        assert sign_in(api, "target", "guess").status_code == 401
    blocked = sign_in(api, "target")  # even the right password waits out the lockout
    assert blocked.status_code == 429
    assert blocked.json()["code"] == "throttled"
    assert 0 < int(blocked["Retry-After"]) <= settings.LOGIN_LOCKOUT_SECONDS
    assert sign_in(api, "bystander").status_code == 200


def test_the_sign_in_counts_live_in_a_store_every_worker_shares(settings):
    from django.core.cache import caches
    from django.core.cache.backends.locmem import LocMemCache

    # make test runs with CACHE_URL=locmemcache://, a cache of one process.
    assert isinstance(caches["default"], LocMemCache)
    assert not isinstance(caches["login"], LocMemCache)
    assert settings.CACHES["login"]["BACKEND"] == "clinic.cache.AtomicDatabaseCache"


def test_failures_from_one_address_do_not_lock_the_account_elsewhere(api, settings):
    UserFactory(username="patient.home")
    for _ in range(settings.LOGIN_MAX_FAILURES):
        wrong = api().post(
            TOKEN,
            {"username": "patient.home", "password": "guess"},
            format="json",
            REMOTE_ADDR="203.0.113.7",
        )
        assert wrong.status_code == 401
    locked = api().post(
        TOKEN,
        {"username": "patient.home", "password": "guess"},
        format="json",
        REMOTE_ADDR="203.0.113.7",
    )
    assert locked.status_code == 429

    from_home = api().post(
        TOKEN,
        {"username": "patient.home", "password": "secret-pass-1"},
        format="json",
        REMOTE_ADDR="198.51.100.20",
    )
    assert from_home.status_code == 200


def test_one_address_gets_only_so_many_sign_ins_over_all_usernames(api):

    allowed, _period = address_rate()
    for n in range(allowed):
        response = api().post(
            TOKEN,
            {"username": f"someone.{n}", "password": "guess"},
            format="json",
            REMOTE_ADDR="192.0.2.50",
        )
        assert response.status_code == 401
    throttled = api().post(
        TOKEN,
        {"username": "someone.else", "password": "guess"},
        format="json",
        REMOTE_ADDR="192.0.2.50",
    )
    assert throttled.status_code == 429
    assert int(throttled["Retry-After"]) > 0
    # Another address is not affected.
    other = api().post(
        TOKEN,
        {"username": "someone.else", "password": "guess"},
        format="json",
        REMOTE_ADDR="192.0.2.51",
    )
    assert other.status_code == 401


def test_without_a_token_the_api_says_401(api):
    response = api().get("/api/v1/me/")
    assert response.status_code == 401
    assert response.json()["type"].endswith("/not_authenticated")


def test_an_odd_username_is_counted_under_a_key_any_cache_accepts(api, settings):
    import warnings

    from django.core.cache.backends.base import CacheKeyWarning

    odd = "Piet de Vries " + "x" * 300  # spaces, and longer than memcached's 250
    with warnings.catch_warnings():
        warnings.simplefilter("error", CacheKeyWarning)
        assert sign_in(api, odd, "guess").status_code == 401
        assert sign_in(api, odd.upper(), "guess").status_code == 401
        # An attempt is counted before its password is checked: the third is the last one.
        settings.LOGIN_MAX_FAILURES = 3
        assert sign_in(api, f"  {odd}  ", "guess").status_code == 401
    assert sign_in(api, f"  {odd}  ", "guess").status_code == 429  # same account, any case
