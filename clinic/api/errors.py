"""RFC 9457 problem details for every error the API returns."""

from __future__ import annotations

import logging
from http import HTTPStatus

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from clinic.api.authentication import (
    AUTHENTICATION_CODES,
    AUTHENTICATION_FAILED,
    NOT_AUTHENTICATED,
    TOKEN_CODES,
)
from clinic.errors import DomainError, InvalidInput

logger = logging.getLogger(__name__)

PROBLEM_CONTENT_TYPE = "application/problem+json"

# Problem titles in the reader's language; other statuses keep the English phrase.
TITLES = {
    400: _("Bad Request"),
    401: _("Unauthorized"),
    403: _("Forbidden"),
    404: _("Not Found"),
    405: _("Method Not Allowed"),
    406: _("Not Acceptable"),
    409: _("Conflict"),
    412: _("Precondition Failed"),
    413: _("Content Too Large"),
    415: _("Unsupported Media Type"),
    422: _("Unprocessable Content"),
    428: _("Precondition Required"),
    429: _("Too Many Requests"),
    500: _("Internal Server Error"),
    503: _("Service Unavailable"),
}


# RFC 9457's own members (and our ``code``): an extension member must never reuse them.
PROBLEM_MEMBERS = frozenset({"type", "title", "status", "detail", "instance", "code"})


def problem(status_code: int, code: str, detail: str, **extra) -> dict:
    """The problem-details document; ``type`` ends in the stable error code."""
    if clash := PROBLEM_MEMBERS & extra.keys():
        raise ValueError(f"Problem extension members reuse RFC 9457 names: {sorted(clash)}")
    return {
        "type": f"{settings.PROBLEM_TYPE_BASE}{code}",
        "title": str(TITLES.get(status_code, HTTPStatus(status_code).phrase)),
        "status": status_code,
        "detail": str(detail),
        "code": code,
        **extra,
    }


def problem_response(status_code: int, code: str, detail: str, **extra) -> JsonResponse:
    """A plain Django response, for errors raised outside DRF views."""
    return JsonResponse(
        problem(status_code, code, detail, **extra),
        status=status_code,
        content_type=PROBLEM_CONTENT_TYPE,
    )


def _flatten(detail, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested validation detail as {"field": [...], "items.0.field": [...]}."""
    errors: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            errors.update(_flatten(value, name))
    elif isinstance(detail, list) and detail and not all(isinstance(d, str) for d in detail):
        for index, value in enumerate(detail):
            if value:
                errors.update(_flatten(value, f"{prefix}.{index}" if prefix else str(index)))
    else:
        items = detail if isinstance(detail, list) else [detail]
        errors[prefix or "non_field_errors"] = [str(item) for item in items]
    return errors


def _detail_and_errors(detail) -> tuple[str, dict[str, list[str]]]:
    """A readable sentence for ``detail``; anything nested goes to ``errors``, never a repr."""
    if isinstance(detail, str):
        return detail, {}
    rest = detail
    text = ""
    if isinstance(detail, dict):
        text = str(detail.get("detail", ""))
        rest = {k: v for k, v in detail.items() if k not in ("detail", "code")}
    errors = _flatten(rest) if rest else {}
    if not text:
        text = gettext("The request could not be processed; see errors.")
    return text, errors


def _authentication_problem(exc, response, context) -> Response:
    """401 with a stable code and an RFC 6750 challenge: ``invalid_token`` when a token was
    presented and refused, a plain ``Bearer`` when none was sent."""
    codes = exc.get_codes()
    code = (
        codes if isinstance(codes, str) else codes.get("code") if isinstance(codes, dict) else None
    )
    if isinstance(exc, exceptions.NotAuthenticated):
        code = NOT_AUTHENTICATED
    elif code not in AUTHENTICATION_CODES:
        code = AUTHENTICATION_FAILED
    detail, errors = _detail_and_errors(exc.detail)
    body = problem(response.status_code, code, detail, **({"errors": errors} if errors else {}))
    request = context.get("request")
    presented = request is not None and "HTTP_AUTHORIZATION" in request.META
    if response.status_code == status.HTTP_401_UNAUTHORIZED:
        if code in TOKEN_CODES or (presented and code != NOT_AUTHENTICATED):
            response["WWW-Authenticate"] = 'Bearer error="invalid_token"'
        else:
            response["WWW-Authenticate"] = "Bearer"
    response.data = body
    response.content_type = PROBLEM_CONTENT_TYPE
    return response


def _first_code(detail) -> str | None:
    if isinstance(detail, dict):
        for value in detail.values():
            return _first_code(value)
    if isinstance(detail, list) and detail:
        return _first_code(detail[0])
    return getattr(detail, "code", None)


def problem_exception_handler(exc, context):
    """DRF's EXCEPTION_HANDLER: every error as problem details with a stable ``code``."""
    if isinstance(exc, DomainError):
        extra = dict(exc.extra)
        if isinstance(exc, InvalidInput):
            extra["errors"] = {exc.field or "non_field_errors": [exc.detail]}
        return Response(
            problem(exc.status_code, exc.code, exc.detail, **extra),
            status=exc.status_code,
            content_type=PROBLEM_CONTENT_TYPE,
        )
    if isinstance(exc, RequestDataTooBig):
        return Response(
            problem(413, "request_too_large", gettext("The request body is too large.")),
            status=413,
            content_type=PROBLEM_CONTENT_TYPE,
        )
    if isinstance(exc, IntegrityError):
        # A database constraint caught what the service's own checks did not (a race).
        logger.info("Constraint violation answered as 409: %s", exc)
        return Response(
            problem(
                409,
                "conflict",
                gettext("The change conflicts with the current state; try again."),
            ),
            status=409,
            content_type=PROBLEM_CONTENT_TYPE,
        )
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
        return _authentication_problem(exc, response, context)

    if isinstance(exc, exceptions.ValidationError):
        errors = _flatten(exc.detail)
        body = problem(
            status.HTTP_400_BAD_REQUEST,
            "invalid",
            gettext("The request has invalid fields; see errors."),
            errors=errors,
        )
        # A single domain-specific code (e.g. "outside_working_hours") is kept as a hint.
        first = _first_code(exc.detail)
        if first and first not in {"invalid", "required", "null", "blank"}:
            body["error_code"] = first
    else:
        detail, errors = _detail_and_errors(exc.detail)
        codes = exc.get_codes()
        if isinstance(codes, dict) and isinstance(codes.get("code"), str):
            codes = codes["code"]
        code = codes if isinstance(codes, str) else "error"
        body = problem(response.status_code, code, detail, **({"errors": errors} if errors else {}))
        if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
            body["retry_after"] = int(exc.wait)
    response.data = body
    response.content_type = PROBLEM_CONTENT_TYPE
    return response


@csrf_exempt  # a POST to a wrong path is a 404, not a CSRF failure page
def api_not_found(request, *args, **kwargs):
    """Unknown paths under /api/ answer a problem, not Django's HTML page."""
    return problem_response(
        404, "not_found", gettext("No API endpoint at %(path)s.") % {"path": request.path}
    )


def handler404(request, exception=None):
    if request.path.startswith("/api/"):
        return api_not_found(request)
    from django.views.defaults import page_not_found

    return page_not_found(request, exception)


def handler500(request):
    if request.path.startswith("/api/"):
        return problem_response(500, "server_error", gettext("An unexpected error occurred."))
    from django.views.defaults import server_error

    return server_error(request)
