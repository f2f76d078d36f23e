"""The admin writes to the access log too, and production settings pass Django's checks."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

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
