"""Error codes: each app keeps an enum of the codes its refusals carry (the ``code`` of a
problem-details answer, which clients switch on), and registers it here, so the OpenAPI
document lists every code in one place (``clinic.api.schema``)."""

from __future__ import annotations

from django.db import models

_registered: dict[str, type[models.TextChoices]] = {}


def error_codes(app: str):
    """Class decorator: register ``app``'s enum of error codes."""

    def register(codes: type[models.TextChoices]) -> type[models.TextChoices]:
        _registered[app] = codes
        return codes

    return register


def error_code_labels() -> dict[str, str]:
    """What each registered code means, in English (the OpenAPI document's examples)."""
    return {code.value: str(code.label) for codes in _registered.values() for code in codes}


def registered_error_codes() -> dict[str, list[str]]:
    """Every registered code, per app, in a stable order."""
    return {app: sorted(codes.values) for app, codes in sorted(_registered.items())}


@error_codes("clinic")
class ClinicErrorCode(models.TextChoices):
    LOCATION_NOT_ALLOWED = "location_not_allowed", "The user does not work at that location"
    POSSIBLE_DUPLICATE = (
        "possible_duplicate",
        "A patient with the same name and date of birth exists; confirm_new registers anyway",
    )
    RULE_SETTINGS_INCONSISTENT = (
        "rule_settings_inconsistent",
        "A location's thresholds would contradict each other",
    )
    RULE_UNKNOWN = "rule_unknown", "No such rule (threshold, escalating rule or step)"
    SEVERITY_BELOW_DEFAULT = (
        "severity_below_default",
        "A red flag's severity may be raised at a location, never lowered below its default",
    )
    EXIT_CRITERIA_EMPTY = "exit_criteria_empty", "A step cannot be left without any criterion"
