"""The OpenAPI document is what mobile and front-desk teams generate their clients from.

It must be valid OpenAPI 3, pass a linter with documented rules (Spectral's ``spectral:oas``
ruleset, see ``.spectral.yaml``), and give a generated Python client
(``openapi-python-client``) that runs the apps' real flows against a live server.
"""

from __future__ import annotations

import importlib
import json
import shutil
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
import yaml
from django.test import Client as DjangoClient
from openapi_spec_validator import validate

from clinic.api.schema import example_of
from tests.factories import PASSWORD
from tests.world import World

REPO = Path(__file__).resolve().parents[1]
GENERATOR = Path(sys.executable).with_name("openapi-python-client")
SPECTRAL = REPO / "node_modules" / ".bin" / "spectral"


@pytest.fixture(scope="module")
def document(django_db_blocker) -> dict:
    with django_db_blocker.unblock():
        response = DjangoClient().get("/api/schema/?format=json")
    assert response.status_code == 200
    return json.loads(response.content)


def operations(document):
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            yield path, method, operation


def test_the_document_is_valid_openapi_3(document):
    validate(document)


def test_every_operation_has_a_summary_a_description_and_a_clean_operation_id(document):
    missing = [
        f"{method.upper()} {path}"
        for path, method, operation in operations(document)
        if not operation.get("summary") or not operation.get("description")
    ]
    assert missing == []
    ids = [operation["operationId"] for _, _, operation in operations(document)]
    assert len(ids) == len(set(ids))
    assert all(op_id.isidentifier() for op_id in ids), ids


def test_only_signed_in_operations_answer_401_and_every_error_is_a_problem(document):
    for path, method, operation in operations(document):
        responses = operation["responses"]
        assert ("401" in responses) == (
            bool(operation.get("security")) or path.startswith("/api/v1/auth/")
        ), (method, path)
        if "401" in responses:
            assert "WWW-Authenticate" in responses["401"]["headers"]
        assert "Retry-After" in responses["429"]["headers"], (method, path)
        for status, response in responses.items():
            if status[0] in "45":
                schema = response["content"]["application/problem+json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/Problem"}


def test_every_body_and_answer_has_an_example_and_every_problem_its_codes(document):
    missing = []
    for path, method, operation in operations(document):
        bodies = {"request": operation.get("requestBody", {"content": {}})}
        bodies.update(operation["responses"])
        for status, body in bodies.items():
            for media in body.get("content", {}).values():
                if not media.get("examples"):
                    missing.append(f"{method.upper()} {path} {status}")
            if status[0] in "45":
                codes = body["x-problem-codes"]
                examples = body["content"]["application/problem+json"]["examples"]
                assert [e["value"]["code"] for e in examples.values()] == codes, (path, status)
                assert all(e["value"]["status"] == int(status) for e in examples.values())
    assert missing == []


def test_codes_that_grow_are_open_strings_with_the_known_values(document):
    schemas = document["components"]["schemas"]
    for name in ("AlertCode", "AdviceCode", "NotificationKind"):
        assert "enum" not in schemas[name], name
        assert schemas[name]["type"] == "string"
        assert schemas[name]["x-known-values"], name
    assert (
        "slot_taken"
        in document["paths"]["/api/v1/appointments/"]["post"]["responses"]["409"]["x-problem-codes"]
    )


def test_posts_of_signed_in_users_document_the_idempotency_key(document):
    for path, method, operation in operations(document):
        if method != "post" or not operation.get("security"):
            continue
        names = [parameter["name"] for parameter in operation.get("parameters", [])]
        assert "Idempotency-Key" in names, path
        success = next(r for status, r in operation["responses"].items() if status[0] == "2")
        assert "Idempotent-Replayed" in success["headers"], path


def test_ids_in_query_strings_are_positive_integers(document):
    for path, _method, operation in operations(document):
        for parameter in operation.get("parameters", []):
            if parameter["in"] == "query" and parameter["name"] in {"patient", "clinician"}:
                schema = parameter["schema"]
                assert (schema["type"], schema.get("minimum")) == ("integer", 1), (path, schema)


def test_the_document_has_servers_tags_contact_and_licence(document):
    assert document["servers"]
    declared = {tag["name"] for tag in document["tags"]}
    used = {tag for _, _, operation in operations(document) for tag in operation["tags"]}
    assert used <= declared
    assert all(tag.get("description") for tag in document["tags"])
    assert document["info"]["contact"] and document["info"]["license"]


@pytest.mark.skipif(not SPECTRAL.exists(), reason="Spectral is not installed (make test does)")
def test_spectral_finds_nothing(document, tmp_path):
    path = tmp_path / "schema.json"
    path.write_text(json.dumps(document))
    result = subprocess.run(
        [
            str(SPECTRAL),
            "lint",
            str(path),
            "--ruleset",
            str(REPO / ".spectral.yaml"),
            "--fail-severity",
            "warn",
            "--format",
            "text",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


# --- a generated client, through the apps' own flows ---------------------------------------


@pytest.fixture(scope="module")
def client_package(tmp_path_factory, document):
    """``openapi-python-client`` generates a package from the served document, warning-free."""
    folder = tmp_path_factory.mktemp("generated")
    (folder / "schema.json").write_text(json.dumps(document))
    (folder / "config.yaml").write_text(
        yaml.safe_dump(
            {
                "project_name_override": "clinic-api-client",
                "package_name_override": "clinic_api_client",
                "post_hooks": [],
            }
        )
    )
    result = subprocess.run(
        [
            str(GENERATOR),
            "generate",
            "--path",
            "schema.json",
            "--config",
            "config.yaml",
            "--output-path",
            "client",
        ],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "Warning" not in output, output
    sys.path.insert(0, str(folder / "client"))
    try:
        yield importlib.import_module("clinic_api_client")
    finally:
        sys.path.remove(str(folder / "client"))
        for name in [m for m in sys.modules if m.startswith("clinic_api_client")]:
            del sys.modules[name]
        shutil.rmtree(folder, ignore_errors=True)


def example(document, path: str, method: str, status: str) -> dict:
    content = document["paths"][path][method]["responses"][status]["content"]
    return content["application/json"]["examples"]["example"]["value"]


def test_a_generated_client_reads_codes_added_after_it_was_built(client_package, document):
    """An alert, advice or message kind the service learns tomorrow does not break today's
    app: the generated models keep the code as text. The answers are the document's own
    examples, which the models read too."""
    m = models()
    answer = example(document, "/api/v1/check-ins/", "post", "201")
    assert m.CheckIn.from_dict(answer).to_dict() == answer
    check_in = m.CheckIn.from_dict(
        {
            **answer,
            "alerts": ["hamstring_cramp"],
            "advice": [{"code": "hamstring_cramp", "text": "Stretch gently."}],
        }
    )
    assert check_in.alerts == ["hamstring_cramp"]
    assert check_in.advice[0].code == "hamstring_cramp"
    schemas = document["components"]["schemas"]
    inbox_item = example_of(schemas["InboxItem"], schemas)
    item = m.InboxItem.from_dict({**inbox_item, "kind": "program_completed"})
    assert item.kind == "program_completed"
    problem = m.Problem.from_dict(
        {"type": "x/new_rule", "title": "Conflict", "status": 409, "detail": "No.", "code": "new"}
    )
    assert problem.code == "new"


def api(operation: str):
    """``api("auth.auth_token")``: the generated module of one operation."""
    return importlib.import_module(f"clinic_api_client.api.{operation}")


def models():
    return importlib.import_module("clinic_api_client.models")


def ok(response, status: int):
    """The status expected, and a body the generated models parsed."""
    assert response.status_code == status, response.content
    assert response.parsed is not None
    assert not isinstance(response.parsed, models().Problem), response.content
    return response.parsed


def sign_in(client_package, base_url: str, username: str):
    anonymous = client_package.Client(base_url=base_url, raise_on_unexpected_status=True)
    tokens = ok(
        api("auth.auth_token").sync_detailed(
            client=anonymous,
            body=models().TokenObtainPairRequest(username=username, password=PASSWORD),
        ),
        200,
    )
    signed_in = client_package.AuthenticatedClient(
        base_url=base_url, token=tokens.access, raise_on_unexpected_status=True
    )
    return anonymous, signed_in, tokens


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_patients_app_flows_through_a_generated_client(client_package, live_server):
    world = World.build()
    m = models()
    anonymous, app, tokens = sign_in(
        client_package, live_server.url, world.users["patient"].username
    )

    me = ok(api("me.me_retrieve").sync_detailed(client=app), 200)
    assert (me.role, me.patient) == (m.Role.PATIENT, world.ids["patient"])
    programs = ok(api("programs.programs_list").sync_detailed(client=app), 200)
    assert [program.id for program in programs.results] == [world.ids["program"]]
    assert programs.results[0].step == m.Step.ANALYSIS
    exercises = ok(api("exercises.exercises_list").sync_detailed(client=app), 200)
    assert world.ids["exercise"] in [exercise.id for exercise in exercises.results]

    check_in = ok(
        api("check_ins.check_ins_create").sync_detailed(
            client=app,
            body=m.CheckInInputRequest(
                pain_now=2,
                pain_activity=3,
                pain_character=m.PainCharacter.DULL,
                pain_course=m.PainCourse.DECREASING,
                walks_without_limp=True,
                walking_minutes=15,
            ),
        ),
        201,
    )
    assert isinstance(check_in.alerts, list)

    free_day = World.next_free_day()
    slots = ok(
        api("availability.availability_retrieve").sync_detailed(
            client=app,
            location="rotterdam",
            appointment_type=world.ids["appointment_type"],
            start=free_day,
        ),
        200,
    ).results
    assert slots, "no free slot to book"
    booked = ok(
        api("appointments.appointments_create").sync_detailed(
            client=app,
            idempotency_key="book-once",
            body=m.AppointmentBookRequest(
                clinician=slots[0].clinician,
                location=slots[0].location,
                appointment_type=world.ids["appointment_type"],
                start=slots[0].start,
            ),
        ),
        201,
    )
    assert (booked.start, booked.status) == (slots[0].start, m.AppointmentStatus.BOOKED)
    cancelled = ok(
        api("appointments.appointments_cancel").sync_detailed(
            booked.id, client=app, body=m.CancelRequest(reason=m.CancelReason.FEELING_BETTER)
        ),
        200,
    )
    assert cancelled.status == m.AppointmentStatus.CANCELLED

    inbox = ok(api("notifications.notifications_list").sync_detailed(client=app), 200)
    assert all(
        item.appointment in {None, booked.id, world.ids["appointment"]} for item in inbox.results
    )

    refreshed = ok(
        api("auth.auth_token_refresh").sync_detailed(
            client=anonymous, body=m.RefreshRequest(refresh=tokens.refresh)
        ),
        200,
    )
    ok(
        api("auth.auth_logout").sync_detailed(
            client=anonymous, body=m.LogoutRequest(refresh=refreshed.refresh)
        ),
        200,
    )
    gone = api("auth.auth_token_refresh").sync_detailed(
        client=anonymous, body=m.RefreshRequest(refresh=refreshed.refresh)
    )
    assert gone.status_code == 401
    assert isinstance(gone.parsed, m.Problem)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_front_desk_flows_through_a_generated_client(client_package, live_server):
    world = World.build()
    m = models()
    _, desk, _ = sign_in(client_package, live_server.url, world.users["front_desk"].username)

    patient = ok(
        api("patients.patients_create").sync_detailed(
            client=desk,
            body=m.PatientRequest(
                first_name="Noor",
                last_name="de Vries",
                date_of_birth=World.today() - timedelta(days=30 * 365),
                location="rotterdam",
                language=m.Language.EN,
            ),
        ),
        201,
    )
    assert patient.has_app_account is False

    slots = ok(
        api("availability.availability_retrieve").sync_detailed(
            client=desk,
            location="rotterdam",
            appointment_type=world.ids["appointment_type"],
            start=World.next_free_day(),
        ),
        200,
    ).results
    series = ok(
        api("appointments.appointments_series").sync_detailed(
            client=desk,
            body=m.AppointmentSeriesBookRequest(
                patient=patient.id,
                clinician=slots[0].clinician,
                location="rotterdam",
                appointment_type=world.ids["appointment_type"],
                start=slots[0].start,
                occurrences=3,
            ),
        ),
        201,
    )
    assert len(series.appointments) == 3
    first = series.appointments[0]
    moved = ok(
        api("appointments.appointments_reschedule").sync_detailed(
            first.id,
            client=desk,
            body=m.RescheduleRequest(start=first.start + timedelta(hours=1)),
        ),
        200,
    )
    assert moved.start == first.start + timedelta(hours=1)
