"""One sign-in policy for every door into an account: the API's sign-in, the staff site's
sign-in and its second step, the password change and the reset confirm share one lockout
per username and address, one rate per address, atomic counts, and an authentication event
for each success, failure and lockout. Behind a proxy, the client is the forwarded address."""

from __future__ import annotations

import threading

import pytest
from django.core.cache import caches
from django.db import connections
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import AuthEvent, AuthEventKind
from accounts.signin import Door
from clinic.api.addresses import client_address
from tests.accounts.conftest import MFA, PASSWORD, enrol, sign_in, totp_code
from tests.factories import UserFactory

LOGIN = "/admin/login/"
STEP = "/admin/login/two-factor/"
CHANGE = "/api/v1/auth/password/"
CONFIRM = "/api/v1/auth/password-reset/confirm/"


def staff(username: str, role: str = "front_desk"):
    return UserFactory(username=username, role=role, is_staff=True)


def events(kind: str, **filters):
    return AuthEvent.objects.filter(kind=kind, **filters)


@pytest.mark.django_db
def test_the_staff_site_locks_out_after_the_limit_and_the_right_password_waits(settings):
    desk = staff("desk.zoetermeer")
    client = Client()
    answers = [
        client.post(LOGIN, {"username": "desk.zoetermeer", "password": "guess"}).status_code
        for _ in range(settings.LOGIN_MAX_FAILURES + 3)
    ]
    assert answers == [200] * settings.LOGIN_MAX_FAILURES + [429] * 3
    right = client.post(LOGIN, {"username": "desk.zoetermeer", "password": PASSWORD})
    assert right.status_code == 429 and int(right["Retry-After"]) > 0
    assert "_auth_user_id" not in client.session
    assert events(AuthEventKind.SIGN_IN_FAILED, user=desk).count() == settings.LOGIN_MAX_FAILURES
    locked = events(AuthEventKind.SIGN_IN_LOCKED_OUT, user=desk).get()
    assert locked.detail["door"] == Door.STAFF_SIGN_IN and locked.address == "127.0.0.1"


@pytest.mark.django_db
def test_a_lockout_at_the_api_holds_at_the_staff_site_too(api, settings):
    staff("desk.rotterdam")
    for _ in range(settings.LOGIN_MAX_FAILURES):
        assert sign_in(api(), "desk.rotterdam", "guess").status_code == 401
    assert sign_in(api(), "desk.rotterdam").status_code == 429
    staff_site = Client().post(LOGIN, {"username": "desk.rotterdam", "password": PASSWORD})
    assert staff_site.status_code == 429


@pytest.mark.django_db
def test_every_api_sign_in_leaves_an_event_success_failure_and_lockout(api, patient, settings):
    settings.LOGIN_MAX_FAILURES = 2
    assert sign_in(api(), patient.user.username).status_code == 200
    assert events(AuthEventKind.SIGN_IN_SUCCEEDED, user=patient.user).count() == 1
    sign_in(api(), patient.user.username, "guess")
    sign_in(api(), patient.user.username, "guess")
    assert events(AuthEventKind.SIGN_IN_FAILED, user=patient.user).count() == 2
    lockout = events(AuthEventKind.SIGN_IN_LOCKED_OUT, user=patient.user).get()
    assert lockout.detail["door"] == Door.API_SIGN_IN and lockout.patient == patient
    # Refused attempts during the lockout are not an event each.
    for _ in range(3):
        assert sign_in(api(), patient.user.username, "guess").status_code == 429
    assert events(AuthEventKind.SIGN_IN_LOCKED_OUT, user=patient.user).count() == 1
    unknown = sign_in(api(), "nobody.here", "guess")
    assert unknown.status_code == 401
    assert events(AuthEventKind.SIGN_IN_FAILED, user=None).get().detail["username"] == (
        "nobody.here"
    )


@pytest.mark.django_db
def test_a_stolen_access_token_cannot_guess_the_old_password(api, patient, settings):
    client = api(patient.user)
    body = {"old_password": "guess", "new_password": "a long new passphrase 42"}
    answers = [
        client.post(CHANGE, body, format="json").status_code
        for _ in range(settings.LOGIN_MAX_FAILURES + 1)
    ]
    assert answers == [400] * settings.LOGIN_MAX_FAILURES + [429]
    right = client.post(CHANGE, {**body, "old_password": PASSWORD}, format="json")
    assert right.status_code == 429
    assert patient.user.__class__.objects.get(pk=patient.user.pk).check_password(PASSWORD)
    assert events(AuthEventKind.SIGN_IN_FAILED, user=patient.user).filter(
        detail__door=Door.PASSWORD_CHANGE
    ).count() == (settings.LOGIN_MAX_FAILURES)
    # ... and it is the same lockout as the sign-in's.
    assert sign_in(api(), patient.user.username).status_code == 429


@pytest.mark.django_db
def test_the_reset_confirm_counts_bad_tokens_per_address(api, settings):
    settings.LOGIN_THROTTLE_RATE = None
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "login": "3/min",
        },
    }
    body = {"token": "MTI.not-a-token", "password": "a long new passphrase 42"}
    answers = [api().post(CONFIRM, body, format="json").status_code for _ in range(4)]
    assert answers == [400, 400, 400, 429]


@pytest.mark.django_db
def test_wrong_codes_at_the_staff_sites_second_step_lock_out_too(settings):
    manager = staff("manager.r", role="manager")
    enrol(manager)
    client = Client()
    step = client.post(LOGIN, {"username": "manager.r", "password": PASSWORD})
    assert step.status_code == 302
    answers = [
        client.post(STEP, {"code": "000000"}).status_code
        for _ in range(settings.LOGIN_MAX_FAILURES)
    ]
    # The password step was the first attempt, the codes the rest.
    assert answers == [200] * (settings.LOGIN_MAX_FAILURES - 1) + [429]
    assert client.post(STEP, {"code": totp_code()}).status_code == 429
    assert events(AuthEventKind.TWO_FACTOR_FAILED, user=manager).count() == 4
    assert events(AuthEventKind.SIGN_IN_LOCKED_OUT, user=manager).exists()


@pytest.mark.django_db
def test_wrong_codes_at_the_apis_second_step_share_the_lockout(api, settings):
    manager = staff("manager.api", role="manager")
    enrol(manager)
    for _ in range(settings.LOGIN_MAX_FAILURES):
        challenge = sign_in(api(), "manager.api").json()
        answer = api().post(
            MFA, {"mfa_token": challenge["mfa_token"], "code": "000000"}, format="json"
        )
        if answer.status_code == 429:
            break
    assert answer.status_code == 429
    assert sign_in(api(), "manager.api").status_code == 429


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_thirty_parallel_wrong_passwords_check_at_most_the_limit(settings):
    UserFactory(username="parallel.target")
    answers: list[int] = []
    start = threading.Barrier(30)

    def guess():
        try:
            start.wait()
            answers.append(sign_in(APIClient(), "parallel.target", "guess").status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=guess) for _ in range(30)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    caches["login"].clear()  # the counts are not rows the test database rolls back
    assert len(answers) == 30
    assert answers.count(401) <= settings.LOGIN_MAX_FAILURES
    assert answers.count(429) >= 30 - settings.LOGIN_MAX_FAILURES


# --- behind a proxy --------------------------------------------------------------------------


class Meta:
    def __init__(self, **meta):
        self.META = meta


def test_the_client_is_the_entry_the_trusted_proxies_added(settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    behind = Meta(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9")
    assert client_address(behind) == "203.0.113.9"  # what the client wrote is not believed
    assert client_address(Meta(REMOTE_ADDR="10.0.0.2")) == "10.0.0.2"
    forged = Meta(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="<script>")
    assert client_address(forged) == "10.0.0.2"
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 0}
    assert client_address(behind) == "10.0.0.2"


@pytest.mark.django_db
def test_behind_a_proxy_every_part_sees_the_forwarded_address(api, patient, manager, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    proxy = {"REMOTE_ADDR": "10.0.0.2"}

    def via(address):
        return {**proxy, "HTTP_X_FORWARDED_FOR": address}

    # The lockout: one address locked, the other not.
    for _ in range(settings.LOGIN_MAX_FAILURES):
        sign_in(api(), patient.user.username, "guess", **via("203.0.113.1"))
    assert sign_in(api(), patient.user.username, **via("203.0.113.1")).status_code == 429
    assert sign_in(api(), patient.user.username, **via("198.51.100.7")).status_code == 200
    # The auth events.
    assert set(AuthEvent.objects.filter(user=patient.user).values_list("address", flat=True)) == {
        "203.0.113.1",
        "198.51.100.7",
    }
    # The reset limit: the per-address count is the forwarded address's.
    settings.PASSWORD_RESET_PER_ADDRESS = 2
    reset = "/api/v1/auth/password-reset/"
    for n in range(3):
        first = api().post(reset, {"email": f"x{n}@example.nl"}, format="json", **via("192.0.2.1"))
    assert first.status_code == 429
    other = api().post(reset, {"email": "y@example.nl"}, format="json", **via("192.0.2.2"))
    assert other.status_code == 202
    # The access log.
    api(manager).get(f"/api/v1/patients/{patient.pk}/", **via("192.0.2.77"))
    from clinic.models import AccessLogEntry

    assert AccessLogEntry.objects.filter(address="192.0.2.77").exists()
