"""The OpenAPI document: every operation documents the problem details it can answer,
the headers of the API's conventions, and a summary."""

from __future__ import annotations

import re

from django.db import models
from django.utils.module_loading import import_string
from drf_spectacular.authentication import SessionScheme
from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.settings import spectacular_settings
from rest_framework.permissions import IsAuthenticated
from rest_framework_simplejwt.views import TokenViewBase

from clinic.api.permissions import RoleAllowed
from clinic.models import Role

PROBLEM_SCHEMA = {
    "type": "object",
    "description": "RFC 9457 problem details.",
    "properties": {
        "type": {"type": "string", "description": "URI ending in the error code."},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "code": {"type": "string", "description": "Stable error code clients switch on."},
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


def add_problem_schema(result, generator, request, public):
    """drf-spectacular POSTPROCESSING_HOOKS entry: the Problem component every error uses."""
    result.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
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
        statuses.append(429)
        return statuses

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
                response["content"] = {"application/problem+json": {"schema": PROBLEM_REF}}
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


class ClinicJWTScheme(SimpleJWTScheme):
    target_class = "clinic.api.authentication.ClinicJWTAuthentication"


class ClinicSessionScheme(SessionScheme):
    target_class = "clinic.api.authentication.ClinicSessionAuthentication"
