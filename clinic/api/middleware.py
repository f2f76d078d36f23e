"""Request-level API conventions: body size limit and Idempotency-Key replay."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.utils import timezone
from rest_framework.request import Request
from rest_framework.settings import api_settings

from clinic.api.errors import problem_response
from clinic.api.outages import DATABASE_ERRORS
from clinic.models import IdempotencyRecord

IDEMPOTENCY_WINDOW = timedelta(hours=24)
# A pending record older than this belongs to a request that died; a retry may take over.
# (Records are now saved with their answer in the request's transaction, so only records
# kept before that can be pending.)
ABANDONED_AFTER = timedelta(minutes=2)


class BodySizeLimitMiddleware:
    """413 for API bodies over DATA_UPLOAD_MAX_MEMORY_SIZE, before anything reads them.

    DRF reads the request stream itself, so Django's own limit on ``request.body`` does not
    apply to JSON bodies. An error answered before the body was read says
    ``Connection: close``: the unread bytes would otherwise be taken for the client's next
    request on that connection (config.wsgi makes gunicorn close it).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self._limited(request)
        if response.status_code >= 400 and _body_left_unread(request):
            response["Connection"] = "close"
        return response

    def _limited(self, request):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit and request.path.startswith("/api/"):
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                return problem_response(400, "invalid_content_length", "Bad Content-Length.")
            if length > limit:
                return problem_response(
                    413, "request_too_large", f"The request body is larger than {limit} bytes."
                )
        return self.get_response(request)


def _body_left_unread(request) -> bool:
    has_body = request.META.get("CONTENT_LENGTH") not in (None, "", "0") or (
        "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower()
    )
    # Django sets _read_started as soon as anything reads the request stream.
    return has_body and not getattr(request, "_read_started", False)


def _api_user(request):
    """The user the API will see, using DRF's authenticators (JWT or session)."""
    drf_request = Request(
        request, authenticators=[auth() for auth in api_settings.DEFAULT_AUTHENTICATION_CLASSES]
    )
    try:
        user = drf_request.user
    except DATABASE_ERRORS:
        raise  # unknown, not anonymous: a keyed request must not run without its key
    except Exception:  # noqa: BLE001 - a failed login is the view's to report (401)
        return None
    return user if user is not None and user.is_authenticated else None


class NoStoreMiddleware:
    """``Cache-Control: no-store`` on every API answer: they carry patient data, and no
    browser, shared desk PC or proxy may keep a copy."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith("/api/"):
            response["Cache-Control"] = "no-store"
        return response


class IdempotencyMiddleware:
    """POSTs with an ``Idempotency-Key`` header run once per user and key within 24 hours;
    a retry gets the first answer again (mobile networks retry)."""

    header = "HTTP_IDEMPOTENCY_KEY"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        key = request.META.get(self.header, "").strip()
        if request.method != "POST" or not key or not request.path.startswith("/api/"):
            return self.get_response(request)
        if len(key) > 255:
            return problem_response(400, "invalid_idempotency_key", "Idempotency-Key is too long.")
        user = _api_user(request)
        if user is None:
            return self.get_response(request)

        fingerprint = hashlib.sha256(
            b"%s %s\n%s" % (request.method.encode(), request.get_full_path().encode(), request.body)
        ).hexdigest()
        # The key, the request's changes and the answer kept for a retry commit together or
        # not at all: a connection lost halfway (a database restart) leaves no half-claimed
        # key behind, and a request that committed always has its answer to replay. A second
        # request with the same key waits for the first one's transaction, then replays it.
        request.idempotency_key_held = True
        with transaction.atomic():
            record, replay = self._claim(user, key, fingerprint)
            if replay is not None:
                return replay
            before_view = transaction.savepoint()
            response = self.get_response(request)
            if (
                200 <= response.status_code < 500
                and response.status_code != 429
                and not getattr(response, "streaming", False)
            ):
                if response.status_code >= 400:
                    # A refused request leaves nothing behind but its answer.
                    transaction.savepoint_rollback(before_view)
                record.status_code = response.status_code
                record.content_type = response.get("Content-Type", "")
                record.body = response.content
                record.save(update_fields=["status_code", "content_type", "body"])
            else:
                # Server errors, outages and throttling are not the answer to keep: nothing of
                # this request stays, so a retry runs again.
                transaction.set_rollback(True)
        return response

    def _claim(self, user, key, fingerprint):
        now = timezone.now()
        try:
            with transaction.atomic():
                return IdempotencyRecord.objects.create(
                    user=user, key=key, fingerprint=fingerprint
                ), None
        except IntegrityError:
            pass
        existing = IdempotencyRecord.objects.get(user=user, key=key)
        expired = existing.created_at < now - IDEMPOTENCY_WINDOW
        abandoned = existing.status_code is None and existing.created_at < now - ABANDONED_AFTER
        if expired or abandoned:
            taken = IdempotencyRecord.objects.filter(
                pk=existing.pk, created_at=existing.created_at
            ).update(created_at=now, fingerprint=fingerprint, status_code=None, body=b"")
            if taken:
                existing.refresh_from_db()
                return existing, None
        if existing.fingerprint != fingerprint:
            return None, problem_response(
                409,
                "idempotency_key_reused",
                "This Idempotency-Key was already used for a different request.",
            )
        if existing.status_code is None:
            return None, problem_response(
                409,
                "request_in_progress",
                "A request with this Idempotency-Key is still being processed; retry shortly.",
            )
        response = HttpResponse(
            bytes(existing.body), status=existing.status_code, content_type=existing.content_type
        )
        response["Idempotent-Replayed"] = "true"
        return None, response
