"""Domain errors with stable codes; the API turns them into problem details."""

from __future__ import annotations


class DomainError(Exception):
    """A rule of the clinic refused the change. ``code`` is what clients switch on."""

    status_code = 409
    code = "conflict"
    title = "Conflict"

    def __init__(
        self,
        detail: str,
        *,
        code: str | None = None,
        status_code: int | None = None,
        extra: dict | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        if code is not None:
            # An app's enum member (e.g. BookingErrorCode.SLOT_TAKEN) goes out as its value.
            self.code = str(code)
        if status_code is not None:
            self.status_code = status_code
        # Machine-readable context added to the problem document (e.g. {"unmet": [...]}).
        self.extra = extra or {}


class Conflict(DomainError):
    """409: the current state does not allow it (slot taken, criteria unmet, too late)."""


class InvalidInput(DomainError):
    """400: input that passes the serializer but breaks a domain rule."""

    status_code = 400
    code = "invalid"
    title = "Invalid input"

    def __init__(self, detail: str, *, field: str | None = None, **kwargs) -> None:
        super().__init__(detail, **kwargs)
        self.field = field


class NotAllowed(DomainError):
    """403: the caller's role or locations do not allow this."""

    status_code = 403
    code = "permission_denied"
    title = "Forbidden"
