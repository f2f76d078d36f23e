"""The OpenAPI document: every operation documents the problem details it can answer,
the headers of the API's conventions, and a summary."""

from __future__ import annotations

import re
from http import HTTPStatus

from django.conf import settings
from django.db import models
from django.utils.module_loading import import_string
from drf_spectacular.authentication import SessionScheme
from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.settings import spectacular_settings
from rest_framework.permissions import IsAuthenticated
from rest_framework_simplejwt.views import TokenViewBase

from clinic.api.authentication import AUTHENTICATION_CODES
from clinic.api.permissions import RoleAllowed
from clinic.codes import error_code_labels, registered_error_codes
from clinic.models import Role

PROBLEM_SCHEMA = {
    "type": "object",
    "description": "RFC 9457 problem details.",
    "properties": {
        "type": {"type": "string", "description": "URI ending in the error code."},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "code": {"$ref": "#/components/schemas/ErrorCode"},
        "retry_after": {"type": "integer", "description": "429: seconds until allowed again."},
        "retry_safe": {
            "type": "boolean",
            "description": "503: nothing was committed, so sending the request again is safe.",
        },
        "errors": {
            "type": "object",
            "description": "Validation errors per field.",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
    },
    "required": ["type", "title", "status", "detail"],
    "additionalProperties": True,
}

DESCRIPTIONS = {
    "400": "Bad input (malformed JSON, invalid fields).",
    "401": "Not signed in.",
    "403": "Your role may not do this.",
    "404": "Not found, or not yours.",
    "409": "The current state does not allow it.",
    "413": "The request body is too large.",
    "429": "Too many requests; see Retry-After.",
    "503": "Temporarily unavailable; see Retry-After.",
}
PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
WRITE_METHODS = {"post", "put", "patch"}
# The detail of the general codes' examples (the others take their status's description).
PROBLEM_DETAILS = {
    "invalid": "The request has invalid fields; see errors.",
    "not_authenticated": "Authentication credentials were not provided.",
    "authentication_failed": "No active account found with the given credentials.",
    "token_not_valid": "Given token not valid for any token type.",
    "token_expired": "Token is expired.",
    "token_blacklisted": "Token is blacklisted.",
    "permission_denied": "You do not have permission to perform this action.",
    "throttled": "Request was throttled. Expected available in 60 seconds.",
    "database_unavailable": (
        "The database is briefly unavailable; nothing was saved. Send the request again."
    ),
    "broker_unavailable": "The message broker is briefly unavailable. Send the request again.",
}

# The codes any operation may answer per status (DRF's and the API's own). A view adds the
# codes of its own refusals per action with ``problem_codes = {"cancel": {409: [...]}}``.
GENERAL_PROBLEM_CODES = {
    400: ["invalid"],
    401: sorted(AUTHENTICATION_CODES),
    403: ["permission_denied"],
    404: ["not_found"],
    409: ["conflict"],
    413: ["request_too_large"],
    429: ["throttled"],
    # clinic.api.outages: the database (or the broker) is briefly away.
    503: ["database_unavailable", "broker_unavailable"],
}


def add_problem_schema(result, generator, request, public):
    """drf-spectacular POSTPROCESSING_HOOKS entry: the Problem component every error uses,
    the catalogue of the apps' error codes, and per write operation the codes of its app."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["Problem"] = PROBLEM_SCHEMA
    schemas["ErrorCode"] = error_code_schema()
    codes_of = _error_codes_per_operation(generator)
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if codes_of.get((path, method)):
                operation["x-error-codes"] = codes_of[(path, method)]
    return result


# --- The schema class: what every operation really answers -------------------------------

STANDARD_ACTIONS = {"list", "retrieve", "create", "update", "partial_update", "destroy"}
SUMMARY_VERBS = {
    "list": "List",
    "retrieve": "Read",
    "create": "Create",
    "update": "Replace",
    "partial_update": "Update",
    "destroy": "Delete",
}
IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": (
        "Any unique string of up to 255 characters. The same key from the same user within "
        "24 hours answers the first response again and creates nothing new."
    ),
    "schema": {"type": "string", "maxLength": 255},
}
HEADERS = {
    "Idempotent-Replayed": {
        "description": "`true` when this is the stored answer to an earlier request with the "
        "same Idempotency-Key.",
        "schema": {"type": "string", "enum": ["true"]},
    },
    "Retry-After": {
        "description": "Seconds to wait before trying again.",
        "schema": {"type": "integer", "minimum": 0},
    },
    "WWW-Authenticate": {
        "description": 'RFC 6750 challenge, e.g. `Bearer error="invalid_token"`.',
        "schema": {"type": "string"},
    },
}


class ClinicAutoSchema(AutoSchema):
    """drf-spectacular's AutoSchema, told what the clinic's conventions add to every
    operation: the problem statuses it can answer, the headers, and summaries."""

    def _map_basic_serializer(self, serializer, direction):
        schema = super()._map_basic_serializer(serializer, direction)
        if direction == "response" and not getattr(serializer, "sparse_document", False):
            # A serializer writes every field it has: in an answer nothing is optional
            # (nullable says which may be null). A sparse document holds only what was
            # recorded, so its keys stay optional.
            schema["required"] = list(schema.get("properties", {}))
        return schema

    @property
    def _action(self) -> str:
        return getattr(self.view, "action", None) or self.method.lower()

    def get_operation_id(self) -> str:
        operation_id = super().get_operation_id()
        if self.method == "POST" and self._action not in STANDARD_ACTIONS:
            # ``appointments_cancel`` and ``auth_logout``, not ``..._create``: only a POST
            # to a collection creates something.
            operation_id = operation_id.removesuffix("_create")
        return re.sub(r"_+", "_", re.sub(r"\W", "_", operation_id)).strip("_")

    def get_summary(self) -> str | None:
        description = self.get_description() or ""
        first = description.strip().split("\n\n")[0].replace("\n", " ").strip()
        if first:
            return first.split(". ")[0].rstrip(".")
        verb = SUMMARY_VERBS.get(self._action, self._action.replace("_", " ").capitalize())
        return f"{verb} {' '.join(self.get_tags()).replace('-', ' ')}"

    def _roles(self):
        if not any(isinstance(p, RoleAllowed) for p in self.view.get_permissions()):
            return None
        return getattr(self.view, "roles_for", {}).get(
            self._action, getattr(self.view, "roles", None)
        )

    def _needs_sign_in(self) -> bool:
        return any(
            isinstance(p, (IsAuthenticated, RoleAllowed)) for p in self.view.get_permissions()
        )

    def problem_statuses(self, operation: dict) -> list[int]:
        statuses = []
        has_input = (
            "requestBody" in operation
            or any(p["in"] in {"query", "header"} for p in operation.get("parameters", []))
            or (self.method == "POST" and self._needs_sign_in())  # Idempotency-Key
        )
        if has_input:
            statuses.append(400)
        signs_in = isinstance(self.view, TokenViewBase)  # checks a password or a token itself
        if self._needs_sign_in() or signs_in:
            statuses.append(401)
            roles = self._roles()
            if roles is not None and set(roles) != set(Role.values):
                statuses.append(403)
        if "{" in self.path:
            statuses.append(404)
        if self.method in {"POST", "PUT", "PATCH", "DELETE"} and not signs_in:
            statuses.append(409)
        if "requestBody" in operation:
            statuses.append(413)
        statuses.extend([429, 503])  # rate limits, and a database that is briefly away
        declared = getattr(self.view, "problem_codes", {}).get(self._action, {})
        return sorted({*statuses, *declared})

    def problem_codes(self, status: int) -> list[str]:
        """The problem ``code`` values this operation may answer with ``status``: the
        view's own for its action first, then the general ones."""
        declared = getattr(self.view, "problem_codes", {}).get(self._action, {})
        own = [str(code) for code in declared.get(status, [])]
        return own + [c for c in GENERAL_PROBLEM_CODES.get(status, []) if c not in own]

    def problem_examples(self, status: int, operation: dict) -> dict:
        """One example problem per code, as the exception handler writes it."""
        examples = {}
        for code in self.problem_codes(status):
            value = {
                "type": f"{settings.PROBLEM_TYPE_BASE}{code}",
                "title": HTTPStatus(status).phrase,
                "status": status,
                "detail": PROBLEM_DETAILS.get(code)
                or error_code_labels().get(code, DESCRIPTIONS[str(status)]),
                "code": code,
            }
            if code == "invalid":
                value["errors"] = {self._first_input(operation): ["This field is required."]}
            if status == 429:
                value["retry_after"] = 60
            if status == 503:
                value["retry_safe"] = True
            examples[code] = {"summary": code.replace("_", " ").capitalize(), "value": value}
        return examples

    def _first_input(self, operation: dict) -> str:
        """The name of a field or query parameter of this operation, for a 400 example."""
        for parameter in operation.get("parameters", []):
            if parameter["in"] == "query":
                return parameter["name"]
        for media in operation.get("requestBody", {}).get("content", {}).values():
            name = media.get("schema", {}).get("$ref", "").rsplit("/", 1)[-1]
            component = self.registry._components.get((name, "schemas"))
            properties = (component.schema or {}).get("properties", {}) if component else {}
            if properties:
                return next(iter(properties))
        return "non_field_errors"

    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        for parameter in operation.get("parameters", []):
            schema = parameter.get("schema", {})
            if parameter["in"] == "query" and schema.get("type") == "string":
                # ClinicFilterSet refuses an empty value (400) rather than ignoring it.
                schema.setdefault("minLength", 1)
        responses = operation.setdefault("responses", {})
        for status in self.problem_statuses(operation):
            responses.setdefault(str(status), {"description": DESCRIPTIONS[str(status)]})
        for code, response in responses.items():
            if code.startswith("4") or code.startswith("5"):
                # Whatever a view declared, its errors go out as problem details.
                response["content"] = {
                    "application/problem+json": {
                        "schema": PROBLEM_REF,
                        "examples": self.problem_examples(int(code), operation),
                    }
                }
                codes = self.problem_codes(int(code))
                response["x-problem-codes"] = codes
                response["description"] = (
                    response["description"].rstrip(".")
                    + ". Codes: "
                    + ", ".join(f"`{c}`" for c in codes)
                    + "."
                )
        headers = {"429": "Retry-After", "503": "Retry-After", "401": "WWW-Authenticate"}
        for code, header in headers.items():
            if code in responses:
                responses[code].setdefault("headers", {})[header] = HEADERS[header]
        if self.method == "POST" and self._needs_sign_in():
            operation.setdefault("parameters", []).append(IDEMPOTENCY_KEY)
            for code, response in responses.items():
                if code.startswith("2"):
                    response.setdefault("headers", {})["Idempotent-Replayed"] = HEADERS[
                        "Idempotent-Replayed"
                    ]
        return operation


def name_integer_enums(result, generator, request, public):
    """drf-spectacular POSTPROCESSING_HOOKS entry: integer enums carry their names
    (``x-enum-varnames``), so a generated client says ``Step.ANALYSIS``, not ``VALUE_1``."""
    schemas = result.get("components", {}).get("schemas", {})
    for name, path in spectacular_settings.ENUM_NAME_OVERRIDES.items():
        choices = import_string(path)
        if name in schemas and issubclass(choices, models.IntegerChoices):
            schemas[name]["x-enum-varnames"] = [member.name for member in choices]
    return result


# --- Codes that grow: strings with the values known today ---------------------------------

# Components whose values grow with the clinic's rules and messages (API.md, "Codes that
# grow"): in answers they are strings, the values known today listed, so a client built
# today still reads a code added tomorrow. Old component name → the name the document uses.
GROWING_CODES = {
    "Alerts": "AlertCode",
    "Code": "AdviceCode",
    "NotificationKind": "NotificationKind",
}


def open_growing_codes(result, generator, request, public):
    """drf-spectacular POSTPROCESSING_HOOKS entry: growing codes are open strings."""
    schemas = result.get("components", {}).get("schemas", {})
    for old, new in GROWING_CODES.items():
        if old not in schemas:
            continue
        schemas[new] = open_code_schema(schemas.pop(old)["enum"], what=new)
    renamed = {
        f"#/components/schemas/{old}": f"#/components/schemas/{new}"
        for old, new in GROWING_CODES.items()
    }

    def follow(node):
        if isinstance(node, dict):
            if node.get("$ref") in renamed:
                node["$ref"] = renamed[node["$ref"]]
            for value in node.values():
                follow(value)
        elif isinstance(node, list):
            for value in node:
                follow(value)

    follow(result)
    return result


def open_code_schema(values, *, what: str) -> dict:
    known = [value for value in values if value not in ("", None)]
    return {
        "type": "string",
        "description": f"{what}: a code that grows. Known today: "
        + ", ".join(f"`{value}`" for value in known)
        + ". Clients must accept codes they do not know yet.",
        "x-known-values": known,
        "example": known[0],
    }


# --- Examples: every request body and every success answer has one -------------------------

# Values of the seeded demo data (``manage.py seed_demo``), by field name, so the examples
# read like the clinic's own data. Anything else falls back to its type.
SEEDED_VALUES = {
    "username": "patient.1",
    "first_name": "Sanne",
    "last_name": "de Vries",
    "name": "Sanne de Vries",
    "email": "patient.1@example.nl",
    "phone": "+31612345678",
    "location": "rotterdam",
    "locations": ["rotterdam"],
    "slug": "rotterdam",
    "timezone": "Europe/Amsterdam",
    "language": "nl",
    "recipient": "patient.1@example.nl",
    "reason": "Pain-free walking and a symmetric single-leg hop.",
    "note": "Walked to the station without limping.",
    "notes": "Grade 2 strain of the left biceps femoris, two weeks ago.",
    "subject": "Reminder: your appointment tomorrow at 10:00",
    "body": "See you tomorrow at 10:00 at the clinic in Rotterdam.",
    "text": "Keep going: do your exercises as planned.",
    "detail": "See errors.",
    "code": "treatment",
    "password": "a-long-password",
    "old_password": "a-long-password",
    "new_password": "another-long-password",
    "token": "eyJhbGciOiJIUzI1NiJ9.eyJ0b2tlbl90eXBlIjoicmVmcmVzaCJ9.c2lnbmF0dXJl",
    "access": "eyJhbGciOiJIUzI1NiJ9.eyJ0b2tlbl90eXBlIjoiYWNjZXNzIn0.c2lnbmF0dXJl",
    "refresh": "eyJhbGciOiJIUzI1NiJ9.eyJ0b2tlbl90eXBlIjoicmVmcmVzaCJ9.c2lnbmF0dXJl",
    "duration_minutes": 30,
    "pain_now": 2,
    "pain_activity": 3,
    "pain_rest": 1,
    "pain_walking": 3,
    "walking_minutes": 20,
    "sets": 3,
    "reps": 10,
    "times_per_week": 3,
    "check_in_every_days": 2,
    "occurrences": 3,
    "grade": 2,
    "step": 2,
}
EXAMPLE_TIME = "2027-03-29T10:00:00+02:00"
EXAMPLE_DATE = "2027-03-29"
EXAMPLE_PAGE = "http://127.0.0.1:8000/api/v1/appointments/?cursor=cD0yMDI3LTAzLTI5"


def example_of(schema: dict, components: dict, name: str = "", depth: int = 0):
    """A value valid for ``schema``: the seeded value of a field by that name if it fits,
    otherwise the simplest value of its type within its limits."""
    if depth > 30:
        return None
    if "$ref" in schema:
        return example_of(components[schema["$ref"].rsplit("/", 1)[1]], components, name, depth + 1)
    for combined in ("allOf", "oneOf", "anyOf"):
        if schema.get(combined):
            return example_of(schema[combined][0], components, name, depth + 1)
    if "example" in schema:
        return schema["example"]
    if schema.get("enum"):
        return next(value for value in schema["enum"] if value is not None)
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        properties = schema.get("properties", {})
        value = {
            key: example_of(field, components, key, depth + 1) for key, field in properties.items()
        }
        extra = schema.get("additionalProperties")
        if not properties and isinstance(extra, dict):
            value["walks_without_limp"] = example_of(extra, components, "", depth + 1)
        return value
    if kind == "array":
        item = example_of(schema.get("items", {}), components, name, depth + 1)
        seeded = SEEDED_VALUES.get(name)
        if isinstance(seeded, list) and schema.get("items", {}).get("type") == "string":
            return seeded
        return [item] * max(1, schema.get("minItems", 1))
    seeded = SEEDED_VALUES.get(name)
    if kind == "string":
        formats = {
            "date-time": EXAMPLE_TIME,
            "date": EXAMPLE_DATE,
            "time": "19:00",
            "uri": EXAMPLE_PAGE,
            "email": SEEDED_VALUES["email"],
            "uuid": "3f2b8c1e-5d6a-4b7c-9e0f-1a2b3c4d5e6f",
            "decimal": "12.50",
            "binary": "",
        }
        if schema.get("format") in formats:
            return formats[schema["format"]]
        value = seeded if isinstance(seeded, str) else name.replace("_", " ") or "text"
        if "pattern" in schema and not re.search(schema["pattern"], value):
            value = "rotterdam"
        return value[: schema.get("maxLength", len(value))].ljust(schema.get("minLength", 0), "x")
    if kind in ("integer", "number"):
        value = seeded if isinstance(seeded, int) and not isinstance(seeded, bool) else 7
        low, high = schema.get("minimum", value), schema.get("maximum", value)
        return min(max(value, low), high)
    if kind == "boolean":
        return True
    return None


def add_examples(result, generator, request, public):
    """drf-spectacular POSTPROCESSING_HOOKS entry: a request body or success answer that
    declares no example (``OpenApiExample``) gets one built from its schema and the seeded
    values, so every operation shows what goes in and what comes out."""
    components = result.get("components", {}).get("schemas", {})
    for component in components.values():
        for field in component.get("properties", {}).values():
            if field.get("nullable") and "allOf" in field and "type" not in field:
                # A nullable nested object: say its type, or ``nullable`` means nothing
                # to a validator (OpenAPI 3.0) and a null example is refused.
                field["type"] = "object"
    for methods in result.get("paths", {}).values():
        for operation in methods.values():
            bodies = [operation.get("requestBody", {})]
            bodies += [
                r for status, r in operation.get("responses", {}).items() if status[0] in "23"
            ]
            for body in bodies:
                for media in body.get("content", {}).values():
                    if "schema" in media and not media.get("examples") and "example" not in media:
                        media["examples"] = {
                            "example": {"value": example_of(media["schema"], components)}
                        }
    return result


class ClinicJWTScheme(SimpleJWTScheme):
    target_class = "clinic.api.authentication.ClinicJWTAuthentication"


class ClinicSessionScheme(SessionScheme):
    target_class = "clinic.api.authentication.ClinicSessionAuthentication"


def error_code_schema() -> dict:
    """Every code of the apps' refusals (``clinic.codes``), with the app that owns it, and
    the API's general ones: an open string, since codes grow (README, API evolution)."""
    per_app = registered_error_codes()
    general = {code for codes in GENERAL_PROBLEM_CODES.values() for code in codes}
    schema = open_code_schema(
        sorted(general | {code for codes in per_app.values() for code in codes}),
        what="ErrorCode",
    )
    schema["x-codes-per-app"] = per_app
    return schema


def _error_codes_per_operation(generator) -> dict[tuple[str, str], list[str]]:
    """(path, method) → the codes a write operation may answer with: those of the app its
    view belongs to, and the clinic's own (every app checks the staff member's location)."""
    per_app = registered_error_codes()
    codes_of = {}
    for path, _regex, method, view in generator._get_paths_and_endpoints():
        if method.lower() not in WRITE_METHODS | {"delete"}:
            continue
        app = view.__class__.__module__.split(".")[0]
        if app in per_app:
            codes = {*per_app[app], *per_app.get("clinic", [])}
            codes_of[(path, method.lower())] = sorted(codes)
    return codes_of
