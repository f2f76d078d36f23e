"""Shared fixtures: real PostgreSQL (a database of its own per test run) and Redis."""

from __future__ import annotations

import os

import pytest
from django.db import connection
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from clinic.models import Location, Role
from tests import factories


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """Each test run gets its own PostgreSQL database, so runs side by side never meet."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.sqlite3":
        db.setdefault("TEST", {})["NAME"] = f"test_{db['NAME']}_{os.getpid()}"


def pytest_collection_modifyitems(config, items):
    """On SQLite, skip what only PostgreSQL can do, and say so."""
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
        return
    skip = pytest.mark.skip(
        reason="needs PostgreSQL (exclusion constraints, SKIP LOCKED or real concurrency)"
    )
    for item in items:
        if "postgres_only" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def is_postgres() -> bool:
    return connection.vendor == "postgresql"


@pytest.fixture
def rotterdam(db) -> Location:
    return Location.objects.get(slug="rotterdam")


@pytest.fixture
def zoetermeer(db) -> Location:
    return Location.objects.get(slug="zoetermeer")


def bearer_client(user) -> APIClient:
    """An API client signed in the way the apps do it: a JWT access token."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(user).access_token}")
    client.user = user
    return client


@pytest.fixture
def api():
    """``api(user)`` → an APIClient with that user's bearer token; ``api()`` → anonymous."""

    def make(user=None) -> APIClient:
        return bearer_client(user) if user is not None else APIClient()

    return make


@pytest.fixture
def clinician(rotterdam):
    return factories.ClinicianFactory(user__locations=[rotterdam])


@pytest.fixture
def other_clinician(zoetermeer):
    return factories.ClinicianFactory(user__locations=[zoetermeer])


@pytest.fixture
def front_desk(rotterdam):
    return factories.UserFactory(role=Role.FRONT_DESK, locations=[rotterdam])


@pytest.fixture
def front_desk_zoetermeer(zoetermeer):
    return factories.UserFactory(role=Role.FRONT_DESK, locations=[zoetermeer])


@pytest.fixture
def manager(rotterdam):
    return factories.UserFactory(role=Role.MANAGER, locations=[rotterdam])


@pytest.fixture
def patient(rotterdam, clinician):
    """A Rotterdam patient with an app account, treated by ``clinician``."""
    return factories.PatientFactory(location=rotterdam, primary_clinician=clinician, with_user=True)


@pytest.fixture
def other_patient(rotterdam, clinician):
    return factories.PatientFactory(location=rotterdam, primary_clinician=clinician, with_user=True)
