"""OpenAPI post-processing: every operation documents its problem-details answers."""

from __future__ import annotations

from django.utils import translation
from drf_spectacular.authentication import SessionScheme
from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView

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
    "429": "Too many requests.",
}
WRITE_METHODS = {"post", "put", "patch"}


def add_problem_responses(result, generator, request, public):
    """drf-spectacular POSTPROCESSING_HOOKS entry."""
    result.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
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
