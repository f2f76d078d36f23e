"""The error codes of escalations' refusals (API.md, "Codes")."""

from django.db import models

from clinic.codes import error_codes


@error_codes("escalations")
class EscalationErrorCode(models.TextChoices):
    ESCALATION_NOT_OPEN = "escalation_not_open", "Only an open escalation can be acknowledged"
    ESCALATION_RESOLVED = "escalation_resolved", "The escalation is already resolved"
    ESCALATION_OUTCOME_REQUIRED = (
        "escalation_outcome_required",
        "Closing an urgent or high escalation needs an outcome",
    )
    ESCALATION_NOTE_REQUIRED = (
        "escalation_note_required",
        "Closing an urgent or high escalation needs a note",
    )
