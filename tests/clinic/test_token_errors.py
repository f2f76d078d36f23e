"""Every refused sign-in or token says why with a stable code an app can switch on."""

import datetime

import pytest
from django.utils import timezone
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ME = "/api/v1/me/"
REFRESH = "/api/v1/auth/token/refresh/"
LOGOUT = "/api/v1/auth/logout/"
INVALID_TOKEN = 'Bearer error="invalid_token"'


def with_bearer(api, token, **headers):
    client = api()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}", **headers)
    return client


def expired(token_class, user):
    """A real token whose lifetime ended long ago."""
    token = token_class.for_user(user)
    token.set_exp(from_time=timezone.now() - datetime.timedelta(days=60))
    return str(token)


def assert_problem(response, code, challenge):
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["code"] == code
    assert body["type"].endswith(f"/{code}")
    assert body["status"] == 401
    # A readable sentence, never a Python repr of simplejwt's nested detail.
    assert "ErrorDetail" not in response.content.decode()
    assert not body["detail"].startswith(("{", "["))
    assert response["WWW-Authenticate"] == challenge
    return body


def test_no_token_is_not_authenticated_with_a_plain_bearer_challenge(api):
    assert_problem(api().get(ME), "not_authenticated", "Bearer")


def test_a_garbled_access_token_is_not_valid(api):
    response = with_bearer(api, "not.a.token").get(ME)
    assert_problem(response, "token_not_valid", INVALID_TOKEN)


def test_an_access_token_signed_with_another_key_is_not_valid(api):
    user = UserFactory()
    token = str(AccessToken.for_user(user))
    head, payload, _signature = token.split(".")
    response = with_bearer(api, f"{head}.{payload}.c2lnbmF0dXJl").get(ME)
    assert_problem(response, "token_not_valid", INVALID_TOKEN)


def test_an_expired_access_token_says_expired(api):
    user = UserFactory()
    response = with_bearer(api, expired(AccessToken, user)).get(ME)
    body = assert_problem(response, "token_expired", INVALID_TOKEN)
    assert "expired" in body["detail"]


def test_a_refresh_token_is_no_access_token(api):
    user = UserFactory()
    response = with_bearer(api, str(RefreshToken.for_user(user))).get(ME)
    assert_problem(response, "token_not_valid", INVALID_TOKEN)


def test_a_token_of_a_removed_account_fails_authentication(api):
    user = UserFactory()
    token = str(AccessToken.for_user(user))
    user.is_active = False
    user.save(update_fields=["is_active"])
    response = with_bearer(api, token).get(ME)
    assert_problem(response, "authentication_failed", INVALID_TOKEN)


def test_a_wrong_password_fails_authentication(api):
    UserFactory(username="someone")
    response = api().post(
        "/api/v1/auth/token/", {"username": "someone", "password": "wrong"}, format="json"
    )
    assert_problem(response, "authentication_failed", "Bearer")


def test_refreshing_with_an_expired_refresh_token_says_expired(api):
    user = UserFactory()
    response = api().post(REFRESH, {"refresh": expired(RefreshToken, user)}, format="json")
    assert_problem(response, "token_expired", INVALID_TOKEN)


def test_refreshing_after_logout_says_blacklisted(api):
    refresh = str(RefreshToken.for_user(UserFactory()))
    assert api().post(LOGOUT, {"refresh": refresh}, format="json").status_code == 200
    response = api().post(REFRESH, {"refresh": refresh}, format="json")
    assert_problem(response, "token_blacklisted", INVALID_TOKEN)


def test_a_rotated_refresh_token_is_blacklisted(api):
    refresh = str(RefreshToken.for_user(UserFactory()))
    assert api().post(REFRESH, {"refresh": refresh}, format="json").status_code == 200
    response = api().post(REFRESH, {"refresh": refresh}, format="json")
    assert_problem(response, "token_blacklisted", INVALID_TOKEN)


def test_refreshing_for_a_deleted_account_is_not_valid(api):
    user = UserFactory()
    refresh = str(RefreshToken.for_user(user))
    user.delete()
    response = api().post(REFRESH, {"refresh": refresh}, format="json")
    assert_problem(response, "token_not_valid", INVALID_TOKEN)


def test_refreshing_with_garbage_is_not_valid(api):
    response = api().post(REFRESH, {"refresh": "garbage"}, format="json")
    assert_problem(response, "token_not_valid", INVALID_TOKEN)


@pytest.mark.parametrize(
    ("token", "code"),
    [
        (lambda user: "garbage", "token_not_valid"),
        (lambda user: expired(RefreshToken, user), "token_expired"),
    ],
)
def test_logout_with_a_bad_token_says_why(api, token, code):
    response = api().post(LOGOUT, {"refresh": token(UserFactory())}, format="json")
    assert_problem(response, code, INVALID_TOKEN)


def test_logging_out_twice_says_blacklisted(api):
    refresh = str(RefreshToken.for_user(UserFactory()))
    assert api().post(LOGOUT, {"refresh": refresh}, format="json").status_code == 200
    response = api().post(LOGOUT, {"refresh": refresh}, format="json")
    assert_problem(response, "token_blacklisted", INVALID_TOKEN)


def test_token_errors_are_read_in_the_readers_language(api):
    user = UserFactory()
    token = expired(AccessToken, user)
    dutch = with_bearer(api, token, HTTP_ACCEPT_LANGUAGE="nl").get(ME)
    english = with_bearer(api, token, HTTP_ACCEPT_LANGUAGE="en").get(ME)
    assert dutch.json()["code"] == english.json()["code"] == "token_expired"
    assert dutch.json()["detail"] == "Het token is verlopen; vernieuw het of meld je opnieuw aan."
    assert dutch.json()["title"] == "Niet geautoriseerd"
    assert english.json()["detail"] == "The token has expired; refresh it or sign in again."
    assert english.json()["title"] == "Unauthorized"
    assert dutch["Content-Language"] == "nl"
