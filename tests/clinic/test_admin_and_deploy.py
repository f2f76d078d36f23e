"""The admin writes to the access log too; production settings pass Django's checks and hash
passwords with Argon2id."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher

from clinic.hashers import ClinicArgon2PasswordHasher
from clinic.models import AccessLogEntry
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db


def test_opening_a_patient_in_the_admin_is_logged(client, manager):
    manager.is_staff = True
    manager.is_superuser = True
    manager.save()
    patient = PatientFactory()
    client.force_login(manager)
    response = client.get(f"/admin/clinic/patient/{patient.id}/change/")
    assert response.status_code == 200
    entry = AccessLogEntry.objects.get(patient=patient)
    assert (entry.actor, entry.action, entry.resource) == (manager, "read", "patient")


def test_production_settings_pass_the_deploy_checks():
    root = Path(__file__).resolve().parents[2]
    env = {
        "PATH": os.environ.get("PATH", ""),
        "SECRET_KEY": "x" * 64 + "production-like-secret-key-for-this-check",
        "HTTPS": "true",
        "ALLOWED_HOSTS": "clinic.example",
        "DATABASE_URL": os.environ.get("DATABASE_URL", "sqlite:///var/deploy-check.sqlite3"),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_passwords_are_hashed_with_argon2id_at_the_owasp_parameters():
    hasher = ClinicArgon2PasswordHasher()
    encoded = hasher.encode("hamstring-2026", hasher.salt())
    assert encoded.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
    assert hasher.verify("hamstring-2026", encoded)
    assert not hasher.verify("hamstring-2027", encoded)


def test_a_password_stored_with_django_default_argon2_still_works_and_is_upgraded():
    default = Argon2PasswordHasher()
    stored = default.encode("hamstring-2026", default.salt())
    hasher = ClinicArgon2PasswordHasher()
    assert hasher.verify("hamstring-2026", stored)
    assert hasher.must_update(stored)
    assert not hasher.must_update(hasher.encode("hamstring-2026", hasher.salt()))


def test_production_settings_use_the_clinic_hasher_first():
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings; "
            "print(settings.PASSWORD_HASHERS[0])",
        ],
        cwd=root,
        env={
            "PATH": os.environ.get("PATH", ""),
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "SECRET_KEY": "x" * 64,
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.strip() == "clinic.hashers.ClinicArgon2PasswordHasher", result.stderr
