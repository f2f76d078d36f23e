"""The staff site's two-factor sign-in in a real browser (Debian's Chromium driven by
Playwright, with the staff site's browser fixtures): enrolment with the QR code page and
recovery codes, then a sign-in with a code."""

from __future__ import annotations

import time
from base64 import b32decode

import pytest

from tests.accounts.conftest import PASSWORD, enrol, totp_code
from tests.factories import UserFactory

pytestmark = [
    pytest.mark.browser,
    # Locations come from a data migration: keep them across the flush of each test.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def page(open_page):
    """A page of the staff site's browser (conftest.py beside this file)."""
    return open_page()


@pytest.fixture
def staff_manager(rotterdam):
    return UserFactory(
        username="manager.browser", role="manager", locations=[rotterdam], is_staff=True
    )


def sign_in_with_password(page, username: str) -> None:
    page.goto("/admin/login/?next=/admin/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")


def test_a_manager_enrols_then_signs_in_with_a_code(live_server, page, staff_manager):
    sign_in_with_password(page, staff_manager.username)

    # Enrolment: a QR code, the key to type in, and a field for the first code.
    page.wait_for_selector("#qr-code svg")
    assert page.locator("#qr-code svg").bounding_box()["width"] > 100
    key_hex = b32decode(page.inner_text("#totp-secret").strip()).hex()
    page.fill("#id_code", "000000" if totp_code(key_hex) != "000000" else "111111")
    page.click("#two-factor-form input[type=submit]")
    assert "not right" in page.inner_text(".errornote")

    time.sleep(1.1)  # django-otp slows down the next try after a wrong code
    page.fill("#id_code", totp_code(key_hex))
    page.click("#two-factor-form input[type=submit]")
    codes = page.locator("#recovery-codes li").all_inner_texts()
    assert len(codes) == 10 and len(set(codes)) == 10
    page.click("#continue")
    page.wait_for_url(f"{live_server.url}/admin/")
    assert page.locator("#site-name").count() == 1

    # Signed out, then in again: no QR code now, a code from the app is asked for.
    page.context.clear_cookies()
    sign_in_with_password(page, staff_manager.username)
    page.wait_for_selector("#two-factor-form")
    assert page.locator("#qr-code").count() == 0
    # The code of the next 30 s window (the current one was used to enrol; each works once).
    page.fill("#id_code", totp_code(key_hex, at=time.time() + 30))
    page.click("#two-factor-form input[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")
    assert page.locator("#site-name").count() == 1


def test_a_recovery_code_signs_in_once(live_server, page, staff_manager):
    codes = enrol(staff_manager)
    sign_in_with_password(page, staff_manager.username)
    page.fill("#id_code", codes[0])
    page.click("#two-factor-form input[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")

    page.context.clear_cookies()
    sign_in_with_password(page, staff_manager.username)
    page.fill("#id_code", codes[0])
    page.click("#two-factor-form input[type=submit]")
    assert "not right" in page.inner_text(".errornote")
    page.goto(f"{live_server.url}/admin/")
    assert "/admin/login/" in page.url
