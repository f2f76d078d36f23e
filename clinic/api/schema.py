"""OpenAPI post-processing: every operation documents its problem-details answers."""

from __future__ import annotations

from django.utils import translation
from drf_spectacular.authentication import SessionScheme
from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView

from clinic.codes import registered_error_codes

PROBLEM_SCHEMA = {
    "type": "object",
    "description": "RFC 9457 problem details.",
    "properties": {
        "type": {"type": "string", "description": "URI ending in the error code."},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "code": {
            "type": "string",
            "description": "Stable error code clients switch on; the codes of the clinic's "
            "own refusals are listed in ErrorCode.",
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
    "429": "Too many requests.",
}
WRITE_METHODS = {"post", "put", "patch"}


def add_problem_responses(result, generator, request, public):
    """drf-spectacular POSTPROCESSING_HOOKS entry."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["Problem"] = PROBLEM_SCHEMA
    schemas["ErrorCode"] = error_code_schema()
    codes_of = _error_codes_per_operation(generator)
    ref = {"$ref": "#/components/schemas/Problem"}
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            codes = ["400", "401", "403", "404"]
            if method in WRITE_METHODS:
                codes += ["409", "413"]
            if path.endswith("/auth/token/"):
                codes.append("429")
            if codes_of.get((path, method)):
                operation["x-error-codes"] = codes_of[(path, method)]
            responses = operation.setdefault("responses", {})
            for code in codes:
                responses.setdefault(code, {"description": DESCRIPTIONS[code]})
            for code, response in responses.items():
                # Whatever a view declared, its errors go out as problem details.
                if code.startswith("4"):
                    response["content"] = {"application/problem+json": {"schema": ref}}
    return result


class EnglishSchemaView(SpectacularAPIView):
    """The OpenAPI document in English whatever the request asks: it is the contract for
    developers, and ``?lang=`` or Accept-Language would otherwise translate DRF's texts."""

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def dispatch(self, request, *args, **kwargs):
        with translation.override("en"):
            response = super().dispatch(request, *args, **kwargs)
            # Render now: help texts are lazy and would otherwise follow the request later.
            response.render()
        response["Content-Language"] = "en"
        return response

    def _get_schema_response(self, request):
        # drf-spectacular switches to ``?lang=`` around this; English wins.
        with translation.override("en"):
            return super()._get_schema_response(request)


class ClinicJWTScheme(SimpleJWTScheme):
    target_class = "clinic.api.authentication.ClinicJWTAuthentication"


class ClinicSessionScheme(SessionScheme):
    target_class = "clinic.api.authentication.ClinicSessionAuthentication"


def error_code_schema() -> dict:
    """Every code of the apps' refusals (``clinic.codes``), with the app that owns it."""
    per_app = registered_error_codes()
    return {
        "type": "string",
        "description": "Codes of the clinic's own refusals (409, 403, 400), per app: "
        + "; ".join(f"{app}: {', '.join(codes)}" for app, codes in per_app.items())
        + ".",
        "enum": sorted({code for codes in per_app.values() for code in codes}),
        "x-codes-per-app": per_app,
    }


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
