"""Staff sessions end when idle or when the browser closes; API answers are never stored."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_api_answers_with_patient_data_say_no_store(api, manager, patient):
    answer = api(manager).get(f"/api/v1/patients/{patient.pk}/")
    assert answer.status_code == 200
    assert answer["Cache-Control"] == "no-store"
    assert api().get("/api/v1/me/")["Cache-Control"] == "no-store"  # refusals too


def test_a_staff_session_ends_after_thirty_idle_minutes_and_with_the_browser(settings, manager):
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    manager.is_staff = True
    manager.save(update_fields=["is_staff"])
    client = Client()
    client.force_login(manager)
    page = client.get("/admin/")
    assert page.status_code == 200
    cookie = page.cookies[settings.SESSION_COOKIE_NAME]
    assert not cookie["expires"] and not cookie["max-age"]  # a browser-session cookie
    # Each request moves the idle deadline on: the session is saved again.
    assert client.session.get_expiry_age() == 30 * 60
