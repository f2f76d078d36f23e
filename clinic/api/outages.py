"""A database or broker that is briefly away (a restart, a failover) answers 503, never 500.

A fast PostgreSQL restart takes well under a second; clients should hear "try again" with
``Retry-After``, and whether trying again is safe: it is when nothing was committed. A read
that met a dead connection before it wrote anything is retried once here, so the client
never notices.

``handler500`` sees every exception nothing else handled (DRF re-raises what its handler
does not know), so it is the one place that recognises an outage; the middleware, outermost
of the API's, watches what the request committed and does the retry.
"""

from __future__ import annotations

import logging
import sys
import time
import traceback

from django.db import InterfaceError, OperationalError, connections
from django.http import JsonResponse
from django.utils.translation import gettext as _
from kombu.exceptions import OperationalError as BrokerOperationalError

from clinic.api import errors

logger = logging.getLogger(__name__)

# A fast restart is back within a second; a failover within a few.
RETRY_AFTER_SECONDS = 2
# The pause before the transparent retry of a read: long enough for a fast restart.
READ_RETRY_PAUSE_SECONDS = 0.5
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
DATABASE_ERRORS = (OperationalError, InterfaceError)
_WRITES = ("INSERT", "UPDATE", "DELETE", "MERGE", "WITH")


class WriteWatch:
    """A database execute wrapper that notes whether the request committed a write: at once
    in autocommit, or when the transaction holding the write commits (``on_commit``)."""

    def __init__(self) -> None:
        self.committed = False

    def __call__(self, execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if sql.lstrip()[:6].upper().startswith(_WRITES):
            connection = context["connection"]
            if connection.in_atomic_block:
                connection.on_commit(self._mark_committed)
            else:
                self.committed = True
        return result

    def _mark_committed(self) -> None:
        self.committed = True


def _failed_at_commit(exc: BaseException) -> bool:
    """The connection died during COMMIT: the change may or may not have been saved."""
    return any(
        frame.f_code.co_name == "_commit" for frame, _ in traceback.walk_tb(exc.__traceback__)
    )


def retry_is_safe(request, exc: BaseException) -> bool:
    """Sending the same request again cannot make a change twice."""
    if request.method in SAFE_METHODS or getattr(request, "idempotency_key_held", False):
        return True
    watch = getattr(request, "write_watch", None)
    committed = watch is not None and watch.committed
    return not committed and not _failed_at_commit(exc)


def _unavailable(code: str, detail: str, *, retry_safe: bool) -> JsonResponse:
    response = errors.problem_response(503, code, detail, retry_safe=retry_safe)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def database_unavailable(request, exc: BaseException) -> JsonResponse:
    retry_safe = retry_is_safe(request, exc)
    if retry_safe:
        detail = _(
            "The database is briefly unavailable; nothing was saved. Send the request again."
        )
    else:
        detail = _(
            "The database became unavailable while saving; the change may have been saved. "
            "Check before sending it again, or send it with an Idempotency-Key."
        )
    return _unavailable("database_unavailable", detail, retry_safe=retry_safe)


def handler500(request):
    """Django's 500 handler: outages are 503 problem details, anything else a 500."""
    exc = sys.exception()
    if isinstance(exc, DATABASE_ERRORS):
        logger.warning("Database unavailable during %s %s: %s", request.method, request.path, exc)
        request.database_outage = exc
        return database_unavailable(request, exc)
    if isinstance(exc, BrokerOperationalError):
        logger.warning("Broker unavailable during %s %s: %s", request.method, request.path, exc)
        return _unavailable(
            "broker_unavailable",
            _("The message broker is briefly unavailable. Send the request again."),
            retry_safe=retry_is_safe(request, exc),
        )
    return errors.handler500(request)


def _drop_broken_connections() -> None:
    for connection in connections.all(initialized_only=True):
        if not connection.in_atomic_block:
            connection.close()


class DatabaseOutageMiddleware:
    """Outermost API middleware: watches committed writes, and retries once a read that met
    an unavailable database before it committed anything."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.write_watch = watch = WriteWatch()
        with connections["default"].execute_wrapper(watch):
            response = self.get_response(request)
            outage = getattr(request, "database_outage", None)
            if outage is not None:
                # The connection is dead; the next use opens a new one.
                _drop_broken_connections()
            if outage is not None and request.method in SAFE_METHODS and not watch.committed:
                logger.info("Retrying %s %s after: %s", request.method, request.path, outage)
                time.sleep(READ_RETRY_PAUSE_SECONDS)
                request.database_outage = None
                response = self.get_response(request)
                if getattr(request, "database_outage", None) is not None:
                    _drop_broken_connections()
        return response
