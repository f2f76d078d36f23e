"""A real browser for the staff site: Debian's Chromium driven by Playwright, against the
app served by pytest-django's live_server on the test database."""

from __future__ import annotations

import os
import shutil
import time
from base64 import b32decode
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connections
from django_otp.oath import TOTP

from tests.staff.clinic import PASSWORD

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SNAPSHOT = "_test_serialized_contents"  # set by Django's test database setup
SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"


def chromium_path() -> str | None:
    for candidate in (os.environ.get("CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


@pytest.fixture(scope="session")
def browser():
    path = chromium_path()
    if path is None:
        pytest.skip("Chromium not found (apt-get install chromium, or set CHROMIUM)")
    sync_api = pytest.importorskip("playwright.sync_api")
    # Playwright's sync API keeps an event loop in this thread; the test's own database
    # calls (setting up, checking) are plain synchronous code all the same.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    saved = {alias: getattr(connections[alias], SNAPSHOT, None) for alias in connections}
    playwright = sync_api.sync_playwright().start()
    # Starting Playwright leaves this thread with new database connection objects; give
    # them the snapshot that serialized_rollback restores the migrated data from.
    for alias, snapshot in saved.items():
        if snapshot is not None and not hasattr(connections[alias], SNAPSHOT):
            setattr(connections[alias], SNAPSHOT, snapshot)
    chromium = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
    yield chromium
    chromium.close()
    playwright.stop()
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def open_page(browser, live_server):
    """``open_page(locale="en-GB")`` → a fresh browser page speaking that language."""
    contexts = []

    def make(locale: str = "en-GB"):
        context = browser.new_context(
            locale=locale, base_url=live_server.url, viewport={"width": 1280, "height": 900}
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def sign_in(page, user, next_url: str = "/staff/"):
    page.goto(f"/admin/login/?next={next_url}")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_load_state()
    if "/admin/login/two-factor/" in page.url:
        _second_step(page)


def _second_step(page) -> None:
    """Managers sign in with two factors (accounts): the first time the staff site shows
    the authenticator's key; enter its code, then continue past the recovery codes."""
    key = b32decode(page.inner_text("#totp-secret").strip())
    totp = TOTP(key, step=30, t0=0, digits=6)
    totp.time = time.time()
    page.fill("#id_code", f"{totp.token():06d}")
    page.click("#two-factor-form input[type=submit]")
    page.click("#continue")
    page.wait_for_load_state()


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / name
    page.screenshot(path=str(path), full_page=True)
    return path
