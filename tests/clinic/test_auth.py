"""Signing in from the mobile apps: tokens, refresh, logout, wrong passwords."""

import pytest

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
    from django.core.cache import cache

    cache.clear()
    UserFactory(username="target")
    UserFactory(username="bystander")
    for _ in range(3):
        assert sign_in(api, "target", "guess").status_code == 401
    blocked = sign_in(api, "target")  # even the right password waits out the lockout
    assert blocked.status_code == 429
    assert blocked.json()["code"] == "throttled"
    assert sign_in(api, "bystander").status_code == 200
    cache.clear()


def test_without_a_token_the_api_says_401(api):
    response = api().get("/api/v1/me/")
    assert response.status_code == 401
    assert response.json()["type"].endswith("/not_authenticated")


def test_an_odd_username_is_counted_under_a_key_any_cache_accepts(api, settings):
    import warnings

    from django.core.cache import cache
    from django.core.cache.backends.base import CacheKeyWarning

    cache.clear()
    odd = "Piet de Vries " + "x" * 300  # spaces, and longer than memcached's 250
    with warnings.catch_warnings():
        warnings.simplefilter("error", CacheKeyWarning)
        assert sign_in(api, odd, "guess").status_code == 401
        assert sign_in(api, odd.upper(), "guess").status_code == 401
    settings.LOGIN_MAX_FAILURES = 2
    assert sign_in(api, f"  {odd}  ", "guess").status_code == 429  # same account, any case
    cache.clear()
