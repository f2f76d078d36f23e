"""The patient's own record in the OpenAPI document: every operation, with examples."""

from __future__ import annotations

import pytest
import yaml
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

OPERATIONS = [
    ("get", "/api/v1/me/preferences/"),
    ("patch", "/api/v1/me/preferences/"),
    ("get", "/api/v1/patients/{id}/preferences/"),
    ("patch", "/api/v1/patients/{id}/preferences/"),
    ("get", "/api/v1/me/record/"),
    ("get", "/api/v1/me/access-log/"),
    ("get", "/api/v1/me/export/"),
    ("get", "/api/v1/patients/{id}/export/"),
]


@pytest.fixture(scope="module")
def document(django_db_blocker):
    with django_db_blocker.unblock():
        return yaml.safe_load(APIClient().get("/api/schema/").content)


@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_every_operation_is_documented_with_an_example(document, method, path):
    operation = document["paths"][path][method]
    answer = operation["responses"]["200"]["content"]
    assert any("examples" in content for content in answer.values()), answer.keys()


def test_the_export_offers_fhir_json_and_pdf(document):
    for path in ("/api/v1/me/export/", "/api/v1/patients/{id}/export/"):
        operation = document["paths"][path]["get"]
        assert set(operation["responses"]["200"]["content"]) == {
            "application/fhir+json",
            "application/pdf",
        }
        (param,) = [p for p in operation["parameters"] if p["name"] == "format"]
        assert param["schema"]["enum"] == ["json", "pdf"]
