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
from schemathesis.checks import CheckContext
from schemathesis.specs.openapi.checks import positive_data_acceptance

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


# Schema-valid requests the service still refuses with a 400, each for a business rule that
# an OpenAPI schema cannot state. A 400 to a schema-valid request must name one of these,
# as its problem ``code`` or as a field in ``errors``; any other is a schema to tighten.
ALLOWED_REJECTIONS = {
    "does_not_exist": "An id or slug in a body must name an existing object the caller may "
    "see; one that is not yours is refused as if it did not exist (API.md).",
    "cursor": "A cursor is opaque: only the ones the service wrote in next/previous are valid.",
    "page": "A page number past the last page.",
    "parse_error": "Text may not contain NUL characters: no person writes one, and PostgreSQL "
    "cannot store them.",
    "location": "A location is one of the clinic's own, named by its slug.",
    "paused_until": "A pause of reminders ends on a date still to come.",
    "phone": "A phone number must exist in the numbering plan (a Dutch number unless it "
    "starts with +); no pattern can say which numbers are issued.",
    "token": "An invitation or reset token must be one the service sent, and still open.",
    "old_password": "Changing a password needs the current one.",
    "email": "A password reset names an e-mail address or a username: one of the two.",
    "password": "A new password passes Django's password validators.",
    "new_password": "A new password passes Django's password validators.",
    "severity_below_default": "A location may raise a red flag's severity, never lower it below "
    "its DOMAIN.md default; the floor differs per rule, which no schema enum can say.",
    "rule_unknown": "A rule setting names a rule the clinic has.",
    "exit_criteria_empty": "A step keeps at least one exit criterion.",
}


@schemathesis.check
def schema_valid_requests_accepted_unless_a_rule_says_no(
    ctx: CheckContext, response, case
) -> bool | None:
    """schemathesis's positive_data_acceptance, with ALLOWED_REJECTIONS as the exceptions."""
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive or response.status_code != 400:
        return True
    body = response.json()
    reasons = {body.get("code"), body.get("error_code"), *body.get("errors", {})}
    assert reasons & ALLOWED_REJECTIONS.keys(), f"Schema-valid request rejected: {body}"
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
        # Every check schemathesis has (``--checks all``), plus problem details on 4xx;
        # positive_data_acceptance with the allow-list above.
        case.validate_response(
            response,
            headers=role_headers[role],
            additional_checks=[
                problem_details_on_4xx,
                schema_valid_requests_accepted_unless_a_rule_says_no,
            ],
            excluded_checks=[positive_data_acceptance],
        )
