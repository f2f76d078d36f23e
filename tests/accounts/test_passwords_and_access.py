"""Changing a password signs out the other devices; staff can close a patient's app access."""

from __future__ import annotations

import getpass
import io

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import AuthEvent, AuthEventKind
from accounts.services import auth_event_record
from clinic.roles import role_group_assign
from tests.accounts.conftest import PASSWORD, sign_in
from tests.factories import PatientFactory, UserFactory

pytestmark = pytest.mark.django_db

REFRESH = "/api/v1/auth/token/refresh/"
NEW_PASSWORD = "hamstring-Bridge-42"


def bearer(access: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    return client


def test_a_password_change_signs_out_the_second_device(patient):
    phone = sign_in(APIClient(), patient.user.username).json()
    tablet = sign_in(APIClient(), patient.user.username).json()

    changed = bearer(phone["access"]).post(
        "/api/v1/auth/password/",
        {"old_password": PASSWORD, "new_password": NEW_PASSWORD},
        format="json",
    )
    assert changed.status_code == 200, changed.content
    fresh = changed.json()

    tablet_refresh = APIClient().post(REFRESH, {"refresh": tablet["refresh"]}, format="json")
    assert tablet_refresh.status_code == 401
    assert tablet_refresh.json()["status"] == 401
    phone_old = APIClient().post(REFRESH, {"refresh": phone["refresh"]}, format="json")
    assert phone_old.status_code == 401
    # The device that changed it goes on with the pair it got back.
    assert (
        APIClient().post(REFRESH, {"refresh": fresh["refresh"]}, format="json").status_code == 200
    )
    assert bearer(fresh["access"]).get("/api/v1/me/").status_code == 200

    assert sign_in(APIClient(), patient.user.username).status_code == 401
    assert sign_in(APIClient(), patient.user.username, NEW_PASSWORD).status_code == 200
    event = AuthEvent.objects.get(user=patient.user, kind=AuthEventKind.PASSWORD_CHANGED)
    assert event.detail == {"refresh_tokens_revoked": 2}
    assert event.patient == patient and event.location == patient.location


def assert_refresh_revoked(pair: dict) -> None:
    refresh = APIClient().post(REFRESH, {"refresh": pair["refresh"]}, format="json")
    assert (refresh.status_code, refresh.json()["code"]) == (401, "token_blacklisted")


def test_a_password_set_in_the_admin_signs_the_account_out_of_the_apps(client, patient):
    """Not only the apps' own change and reset: a superuser setting a password in the
    admin revokes every refresh token the apps hold."""
    phone = sign_in(APIClient(), patient.user.username).json()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    response = client.post(
        reverse("admin:auth_user_password_change", args=[patient.user.pk]),
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert response.status_code == 302, response.content
    assert_refresh_revoked(phone)
    assert sign_in(APIClient(), patient.user.username, NEW_PASSWORD).status_code == 200


def test_a_password_set_outside_the_apps_signs_the_account_out_of_the_apps(patient):
    """The path of ``manage.py changepassword`` and of any code calling set_password."""
    phone = sign_in(APIClient(), patient.user.username).json()
    patient.user.set_password(NEW_PASSWORD)
    patient.user.save()
    assert_refresh_revoked(phone)


def test_manage_py_changepassword_signs_the_account_out_of_the_apps(patient, monkeypatch):
    phone = sign_in(APIClient(), patient.user.username).json()
    monkeypatch.setattr(getpass, "getpass", lambda prompt="": NEW_PASSWORD)
    call_command("changepassword", patient.user.username, stdout=io.StringIO())
    assert_refresh_revoked(phone)
    assert sign_in(APIClient(), patient.user.username, NEW_PASSWORD).status_code == 200


def test_saving_an_account_without_a_new_password_keeps_its_sign_ins(patient):
    phone = sign_in(APIClient(), patient.user.username).json()
    patient.user.first_name = "Renamed"
    patient.user.save()
    refreshed = APIClient().post(REFRESH, {"refresh": phone["refresh"]}, format="json")
    assert refreshed.status_code == 200


def test_a_wrong_old_password_or_a_weak_new_one_changes_nothing(patient):
    client = bearer(sign_in(APIClient(), patient.user.username).json()["access"])
    wrong = client.post(
        "/api/v1/auth/password/",
        {"old_password": "guess", "new_password": NEW_PASSWORD},
        format="json",
    )
    assert wrong.status_code == 400
    assert wrong.json()["code"] == "wrong_password"
    assert "old_password" in wrong.json()["errors"]
    weak = client.post(
        "/api/v1/auth/password/", {"old_password": PASSWORD, "new_password": "12345"}, format="json"
    )
    assert weak.status_code == 400
    assert "new_password" in weak.json()["errors"]
    assert sign_in(APIClient(), patient.user.username).status_code == 200
    assert not AuthEvent.objects.filter(kind=AuthEventKind.PASSWORD_CHANGED).exists()


def test_the_front_desk_deactivates_app_access_and_the_record_stays(api, front_desk, patient):
    tokens = sign_in(APIClient(), patient.user.username).json()
    desk = api(front_desk)
    response = desk.post(f"/api/v1/patients/{patient.id}/app-access/deactivate/")
    assert response.status_code == 200, response.content
    assert response.json()["has_app_account"] is False

    assert (
        APIClient().post(REFRESH, {"refresh": tokens["refresh"]}, format="json").status_code == 401
    )
    assert bearer(tokens["access"]).get("/api/v1/me/").status_code == 401
    assert sign_in(APIClient(), patient.user.username).status_code == 401

    record = desk.get(f"/api/v1/patients/{patient.id}/")
    assert record.status_code == 200
    assert record.json()["has_app_account"] is False
    assert record.json()["app_access"] == "deactivated"
    event = AuthEvent.objects.get(kind=AuthEventKind.APP_ACCESS_DEACTIVATED)
    assert (event.user, event.actor, event.patient) == (patient.user, front_desk, patient)


def test_app_access_of_another_location_is_not_found(api, front_desk_zoetermeer, patient):
    response = api(front_desk_zoetermeer).post(
        f"/api/v1/patients/{patient.id}/app-access/deactivate/"
    )
    assert response.status_code == 404
    assert patient.user.__class__.objects.get(pk=patient.user_id).is_active


def test_managers_read_the_event_log_of_their_location_only(
    api, manager, front_desk, patient, zoetermeer
):
    elsewhere = PatientFactory(location=zoetermeer, with_user=True)
    mine = auth_event_record(kind=AuthEventKind.PASSWORD_CHANGED, user=patient.user)
    staff = auth_event_record(kind=AuthEventKind.TWO_FACTOR_FAILED, user=front_desk)
    auth_event_record(kind=AuthEventKind.PASSWORD_CHANGED, user=elsewhere.user)
    auth_event_record(kind=AuthEventKind.PASSWORD_RESET_REQUESTED, known=False)

    response = api(manager).get("/api/v1/auth-events/")
    assert response.status_code == 200
    assert [e["id"] for e in response.json()["results"]] == [staff.id, mine.id]
    assert api(front_desk).get("/api/v1/auth-events/").status_code == 403
    assert api(patient.user).get("/api/v1/auth-events/").status_code == 403


def test_the_event_log_is_append_only(patient, is_postgres):
    event = auth_event_record(kind=AuthEventKind.PASSWORD_CHANGED, user=patient.user)
    with pytest.raises(ValueError):
        event.save()
    with pytest.raises(ValueError):
        event.delete()
    if not is_postgres:
        pytest.skip("the trigger is PostgreSQL's")
    with (
        pytest.raises(Exception, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE accounts_authevent SET kind = 'x' WHERE id = %s", [event.id])
    with pytest.raises(Exception, match="append-only"), transaction.atomic():
        AuthEvent.objects.filter(pk=event.pk).delete()


def test_managers_read_their_locations_events_in_the_admin_and_change_nothing(
    manager, patient, zoetermeer, client
):
    manager.is_staff = True
    manager.save(update_fields=["is_staff"])
    role_group_assign(user=manager)
    mine = auth_event_record(kind=AuthEventKind.PASSWORD_CHANGED, user=patient.user)
    elsewhere = auth_event_record(
        kind=AuthEventKind.PASSWORD_CHANGED,
        user=PatientFactory(location=zoetermeer, with_user=True).user,
    )
    client.force_login(manager)
    listed = client.get("/admin/accounts/authevent/")
    assert listed.status_code == 200
    assert list(listed.context["cl"].queryset) == [mine]
    assert client.get(f"/admin/accounts/authevent/{mine.id}/change/").status_code == 200
    assert client.get(f"/admin/accounts/authevent/{elsewhere.id}/change/").status_code in (302, 404)
    client.post(f"/admin/accounts/authevent/{mine.id}/delete/", {"post": "yes"})
    assert AuthEvent.objects.filter(pk=mine.pk).exists()
