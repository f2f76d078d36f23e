"""Fuzzing every operation of the OpenAPI document with schemathesis, as each role.

No answer may be a 500, every answer must match the schema, and every 4xx must be
problem details. ``make fuzz`` runs more examples than the suite does.
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis import checks as st_checks
from schemathesis.checks import CheckContext

from config.wsgi import application
from tests.world import World

MAX_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "8"))

schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)


@schemathesis.check
def problem_details_on_4xx(ctx: CheckContext, response, case) -> bool | None:
    """Every 4xx is RFC 9457 problem details with type, title, status and detail."""
    if 400 <= response.status_code < 500:
        headers = {name.lower(): value for name, value in response.headers.items()}
        content_type = headers.get("content-type", [""])
        content_type = content_type[0] if isinstance(content_type, list) else content_type
        assert content_type.startswith("application/problem+json"), (
            f"{response.status_code} answered as {content_type}"
        )
        body = response.json()
        for field in ("type", "title", "status", "detail"):
            assert field in body, f"problem without {field}: {body}"
        assert body["status"] == response.status_code
    return True


ROLES = ("patient", "front_desk", "clinician", "manager")


@pytest.fixture
def role_headers(db):
    # Like Django's test client: the test's connection must survive the end of a request.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    world = World.build()
    yield {role: {"Authorization": world.headers(role)["HTTP_AUTHORIZATION"]} for role in ROLES}
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_no_operation_fails_for_any_role(case, role_headers):
    for role in ROLES:
        response = case.call(headers=role_headers[role])
        case.validate_response(
            response,
            checks=[
                st_checks.not_a_server_error,
                st_checks.status_code_conformance,
                st_checks.content_type_conformance,
                st_checks.response_schema_conformance,
                problem_details_on_4xx,
            ],
        )
