"""Who may do what: every operation of the OpenAPI document × every role, on patient P's
objects (see tests/world.py). One table, read across a row:

- ``pat`` is P themselves, ``oth`` another patient; ``desk``/``clin``/``mgr`` work in
  P's location (Rotterdam), ``deskZ``/``clinZ``/``mgrZ`` in Zoetermeer.
- a number is the exact status; ``ok`` means the caller got through to the clinic's rules
  (2xx, or a 400/409 from the rules themselves) — never 401, 403 or 404.
- "not yours" is 404 (the object is not revealed), "your role may not" is 403; a patient
  you may not see, named in a body, is a 400 on that field, as if it did not exist.

A new operation in the schema that is not in the table fails the test: decide who may use
it and add its row. ``MATRIX_PRINT=1`` prints what the service answers now.
"""

from __future__ import annotations

import json
import os
import re

import pytest
import yaml
from django.db import transaction
from rest_framework.test import APIClient

from tests.factories import PASSWORD
from tests.world import ROLES, World

COLUMNS = ("anon", "pat", "oth", "desk", "deskZ", "clin", "clinZ", "mgr", "mgrZ")

MATRIX = """
operation                                        anon pat oth desk deskZ clin clinZ mgr mgrZ
GET    /api/v1/me/                                401 200 200 200  200   200  200  200  200
GET    /api/v1/locations/                         401 200 200 200  200   200  200  200  200
GET    /api/v1/locations/{id}/                    401 200 200 200  200   200  200  200  200
GET    /api/v1/clinicians/                        401 200 200 200  200   200  200  200  200
GET    /api/v1/clinicians/{id}/                   401 200 200 200  200   200  200  200  200
GET    /api/v1/patients/                          401 403 403 200  200   200  200  200  200
POST   /api/v1/patients/                          401 403 403 ok   403   ok   403  ok   403
GET    /api/v1/patients/{id}/                     401 200 404 200  404   200  404  200  404
PATCH  /api/v1/patients/{id}/                     401 403 403 ok   404   ok   404  ok   404
GET    /api/v1/access-log/                        401 403 403 403  403   403  403  200  404
GET    /api/v1/me/preferences/                    401 200 200 403  403   403  403  403  403
PATCH  /api/v1/me/preferences/                    401 ok  ok  403  403   403  403  403  403
GET    /api/v1/patients/{id}/preferences/         401 403 403 200  404   200  404  200  404
PATCH  /api/v1/patients/{id}/preferences/         401 403 403 ok   404   403  403  ok   404
GET    /api/v1/me/record/                         401 200 200 403  403   403  403  403  403
GET    /api/v1/me/access-log/                     401 200 200 403  403   403  403  403  403
GET    /api/v1/me/export/                         401 200 200 403  403   403  403  403  403
GET    /api/v1/patients/{id}/export/              401 403 403 403  403   200  404  200  404
GET    /api/v1/exercises/                         401 200 200 200  200   200  200  200  200
GET    /api/v1/exercises/{id}/                    401 200 200 200  200   200  200  200  200
GET    /api/v1/assessments/                       401 403 403 403  403   200  200  200  200
POST   /api/v1/assessments/                       401 403 403 403  403   ok   400  403  403
GET    /api/v1/assessments/{id}/                  401 403 403 403  403   200  404  200  404
GET    /api/v1/programs/                          401 200 200 403  403   200  200  200  200
POST   /api/v1/programs/                          401 403 403 403  403   ok   400  ok   400
GET    /api/v1/programs/{id}/                     401 200 404 403  403   200  404  200  404
PATCH  /api/v1/programs/{id}/                     401 403 403 403  403   ok   404  ok   404
POST   /api/v1/programs/{id}/advance/             401 403 403 403  403   ok   404  ok   404
GET    /api/v1/programs/{id}/readiness/           401 200 404 403  403   200  404  200  404
POST   /api/v1/programs/{id}/pause/               401 403 403 403  403   ok   404  ok   404
POST   /api/v1/programs/{id}/resume/              401 403 403 403  403   ok   404  ok   404
POST   /api/v1/programs/{id}/complete/            401 403 403 403  403   ok   404  ok   404
POST   /api/v1/programs/{id}/refer/               401 403 403 403  403   ok   404  ok   404
POST   /api/v1/programs/{id}/rebase/              401 403 403 403  403   ok   404  ok   404
POST   /api/v1/programs/{id}/prescriptions/       401 403 403 403  403   ok   404  ok   404
PATCH  /api/v1/programs/{id}/prescriptions/{prescription_id}/ 401 403 403 403 403 ok 404 ok 404
GET    /api/v1/caseload/                          401 403 403 403  403   200  200  403  403
GET    /api/v1/check-ins/                         401 200 200 403  403   200  200  200  200
POST   /api/v1/check-ins/                         401 ok  ok  403  403   403  403  403  403
GET    /api/v1/check-ins/{id}/                    401 200 404 403  403   200  404  200  404
GET    /api/v1/escalations/                       401 403 403 403  403   200  200  200  200
GET    /api/v1/escalations/{id}/                  401 403 403 403  403   200  404  200  404
POST   /api/v1/escalations/{id}/acknowledge/      401 403 403 403  403   ok   404  ok   404
POST   /api/v1/escalations/{id}/resolve/          401 403 403 403  403   ok   404  ok   404
GET    /api/v1/appointment-types/                 401 200 200 200  200   200  200  200  200
GET    /api/v1/appointment-types/{id}/            401 200 200 200  200   200  200  200  200
GET    /api/v1/availability/                      401 200 200 200  200   200  200  200  200
GET    /api/v1/appointments/                      401 200 200 200  200   200  200  200  200
POST   /api/v1/appointments/                      401 ok  403 ok   403   ok   403  ok   403
GET    /api/v1/appointments/{id}/                 401 200 404 200  404   200  404  200  404
POST   /api/v1/appointments/{id}/cancel/          401 ok  404 ok   404   ok   404  ok   404
POST   /api/v1/appointments/{id}/reschedule/      401 ok  404 ok   404   ok   404  ok   404
POST   /api/v1/appointments/{id}/complete/        401 403 403 403  403   ok   404  ok   404
POST   /api/v1/appointments/{id}/no-show/         401 403 403 ok   404   ok   404  ok   404
GET    /api/v1/appointments/attendance/           401 403 403 200  404   200  404  200  404
POST   /api/v1/appointments/series/               401 403 403 ok   403   ok   403  ok   403
GET    /api/v1/calendar-feed/                     401 403 403 403  403   200  200  403  403
DELETE /api/v1/calendar-feed/                     401 403 403 403  403   ok   ok   403  403
POST   /api/v1/calendar-feed/regenerate/          401 403 403 403  403   ok   ok   403  403
GET    /api/v1/calendar/{token}.ics               200 200 200 200  200   200  200  200  200
GET    /api/v1/notifications/                     401 200 200 200  200   200  200  200  200
GET    /api/v1/notifications/{id}/                401 200 404 200  404   200  404  200  404
POST   /api/v1/auth/token/                        200 200 200 200  200   200  200  200  200
POST   /api/v1/auth/token/refresh/                ok  ok  ok  ok   ok    ok   ok   ok   ok
POST   /api/v1/auth/logout/                       ok  ok  ok  ok   ok    ok   ok   ok   ok
POST   /api/v1/auth/token/mfa/                    ok  ok  ok  ok   ok    ok   ok   ok   ok
POST   /api/v1/auth/activate/                     ok  ok  ok  ok   ok    ok   ok   ok   ok
POST   /api/v1/auth/password-reset/               202 202 202 202  202   202  202  202  202
POST   /api/v1/auth/password-reset/confirm/       ok  ok  ok  ok   ok    ok   ok   ok   ok
POST   /api/v1/auth/password/                     401 ok  ok  ok   ok    ok   ok   ok   ok
POST   /api/v1/patients/{id}/invite/              401 403 403 ok   404   ok   404  ok   404
POST   /api/v1/patients/{id}/app-access/deactivate/ 401 403 403 ok 404   ok   404  ok   404
GET    /api/v1/auth-events/                       401 403 403 403  403   403  403  200  200
GET    /api/v1/auth-events/{id}/                  401 403 403 403  403   403  403  200  404
GET    /api/v1/rules/                             401 200 200 200  200   200  200  200  200
GET    /api/v1/rule-settings/                     401 403 403 403  403   200  200  200  200
GET    /api/v1/rule-settings/{location}/          401 403 403 403  403   200  404  200  404
PATCH  /api/v1/rule-settings/{location}/          401 403 403 403  403   403  403  ok   404
"""

RESOURCE_OF_SEGMENT = {
    "locations": "location",
    "clinicians": "clinician",
    "patients": "patient",
    "exercises": "exercise",
    "assessments": "assessment",
    "programs": "program",
    "check-ins": "check_in",
    "escalations": "escalation",
    "appointment-types": "appointment_type",
    "appointments": "appointment",
    "notifications": "notification",
    "auth-events": "auth_event",
}


def parse_matrix() -> dict[str, dict[str, str]]:
    rows = {}
    for line in MATRIX.strip().splitlines()[1:]:
        method, path, *cells = line.split()
        assert len(cells) == len(COLUMNS), line
        rows[f"{method} {path}"] = dict(zip(ROLES, cells, strict=True))
    return rows


def schema_operations(client) -> list[str]:
    document = yaml.safe_load(client.get("/api/schema/").content)
    return sorted(
        f"{method.upper()} {path}"
        for path, operations in document["paths"].items()
        for method in operations
        if method in {"get", "post", "put", "patch", "delete"}
    )


def request_for(operation: str, world: World, role: str) -> tuple[str, str, dict | None]:
    method, template = operation.split(" ", 1)
    ids = world.ids
    segment = template.split("/")[3]

    def fill(match: re.Match) -> str:
        name = match.group(1)
        if name == "token":
            return ids["calendar_token"]
        if name == "prescription_id":
            return str(ids["prescription"])
        if name == "location":
            return "rotterdam"
        return str(ids[RESOURCE_OF_SEGMENT[segment]])

    path = re.sub(r"\{(\w+)\}", fill, template)
    query = {
        "/api/v1/access-log/": f"?patient={ids['patient']}",
        "/api/v1/appointments/attendance/": f"?patient={ids['patient']}",
        "/api/v1/availability/": (
            f"?location=rotterdam&appointment_type={ids['appointment_type']}"
            f"&start={ids['free_start'][:10]}&end={ids['free_start'][:10]}"
        ),
    }.get(template, "")
    bodies = {
        "POST /api/v1/patients/": {
            "first_name": "Nina",
            "last_name": "Kok",
            "date_of_birth": "1991-02-03",
            "location": "rotterdam",
        },
        "PATCH /api/v1/patients/{id}/": {"phone": "+31612345678"},
        "PATCH /api/v1/me/preferences/": {"channels": {"sms": True}, "check_in_time": "19:00"},
        "PATCH /api/v1/patients/{id}/preferences/": {"channels": {"sms": True}},
        "POST /api/v1/assessments/": {
            "patient": ids["patient"],
            "side": "right",
            "onset_date": ids["free_start"][:10],
        },
        "POST /api/v1/programs/": {"patient": ids["other_patient"], "clinician": ids["clinician"]},
        "PATCH /api/v1/programs/{id}/": {"check_in_every_days": 3},
        "POST /api/v1/programs/{id}/advance/": {"override": True, "reason": "Clinical judgement"},
        "POST /api/v1/programs/{id}/refer/": {"reason": "Specialist referral"},
        "POST /api/v1/programs/{id}/complete/": {"follow_up": "group_training"},
        "POST /api/v1/programs/{id}/prescriptions/": {
            "exercise": ids["exercise"],
            "step": 1,
            "sets": 2,
            "reps": 8,
        },
        "PATCH /api/v1/programs/{id}/prescriptions/{prescription_id}/": {"notes": "Slowly"},
        "PATCH /api/v1/rule-settings/{location}/": {"values": {"high_pain_during_activity": 8}},
        "POST /api/v1/check-ins/": {
            "pain_now": 1,
            "pain_activity": 2,
            "pain_character": "dull",
            "pain_course": "decreasing",
            "next_day_pain": False,
            "exercise_pain_over_hour": False,
            "exercises_done": True,
            "walking_minutes": 20,
            "walks_without_limp": True,
            "complaints_elsewhere": [],
            "note": "",
        },
        "POST /api/v1/appointments/": {
            "patient": ids["patient"],
            "clinician": ids["clinician"],
            "location": "rotterdam",
            "appointment_type": ids["appointment_type"],
            "start": ids["free_start"],
        },
        "POST /api/v1/appointments/{id}/reschedule/": {"start": ids["free_start"]},
        "POST /api/v1/appointments/{id}/cancel/": {"reason": "illness"},
        "POST /api/v1/appointments/series/": {
            "patient": ids["patient"],
            "clinician": ids["clinician"],
            "location": "rotterdam",
            "appointment_type": ids["appointment_type"],
            "start": ids["free_start"],
            "occurrences": 2,
            "interval_days": 7,
        },
        "POST /api/v1/auth/token/refresh/": {"refresh": world.refresh_token()},
        "POST /api/v1/auth/logout/": {"refresh": world.refresh_token()},
        "POST /api/v1/auth/password-reset/": {"email": world.users["patient"].email},
    }
    if operation == "POST /api/v1/auth/token/":
        # Everyone signs in with their own account (anonymous: as the patient).
        user = world.users[role] or world.users["patient"]
        bodies[operation] = {"username": user.username, "password": PASSWORD}
    body = bodies.get(operation, {} if method in {"POST", "PATCH"} else None)
    return method, path + query, body


def matches(expected: str, status: int) -> bool:
    if expected == "ok":
        return status < 300 or status in (400, 409)
    return status == int(expected)


@pytest.mark.django_db
def test_every_operation_and_role_gets_the_expected_answer():
    world = World.build()
    client = APIClient()
    operations = schema_operations(client)
    table = parse_matrix()

    missing = [op for op in operations if op not in table]
    stale = [op for op in table if op not in operations]
    observed: dict[str, dict[str, int]] = {}
    wrong = []
    for operation in operations:
        observed[operation] = {}
        for role in ROLES:
            method, path, body = request_for(operation, world, role)
            # Each request runs against the same world: its changes are rolled back.
            with transaction.atomic():
                response = client.generic(
                    method,
                    path,
                    data=None if body is None else json.dumps(body),
                    content_type="application/json",
                    **world.headers(role),
                )
                transaction.set_rollback(True)
            observed[operation][role] = response.status_code
            expected = table.get(operation, {}).get(role)
            if expected is not None and not matches(expected, response.status_code):
                wrong.append(
                    f"{operation} as {role}: expected {expected}, got "
                    f"{response.status_code} {response.content[:200]!r}"
                )
    if os.environ.get("MATRIX_PRINT"):
        print()
        for operation in operations:
            print(f"{operation:<48} " + " ".join(f"{observed[operation][r]:>4}" for r in ROLES))
    assert not missing, f"operations with no row in the matrix: {missing}"
    assert not stale, f"rows for operations the schema no longer has: {stale}"
    assert not wrong, "\n".join(wrong)
    # The table covers every role on every operation.
    assert len(observed) * len(ROLES) == len(operations) * len(COLUMNS)
