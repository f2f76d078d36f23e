"""The error codes of the programs' refusals (API.md, "Codes")."""

from django.db import models

from clinic.codes import error_codes


@error_codes("programs")
class ProgramErrorCode(models.TextChoices):
    PROGRAM_ALREADY_ACTIVE = "program_already_active", "The patient has an open program"
    PROGRAM_PAUSED = "program_paused", "The program is paused"
    PROGRAM_NOT_PAUSED = "program_not_paused", "The program is not paused"
    PROGRAM_CLOSED = "program_closed", "The program is completed or referred"
    PROGRAM_ON_HOLD = "program_on_hold", "The program is on hold after a reinjury"
    PROGRAM_AT_LAST_STEP = "program_at_last_step", "The program is at its last step"
    PROGRAM_NOT_AT_LAST_STEP = "program_not_at_last_step", "The program is not at its last step"
    STEP_CRITERIA_UNMET = "step_criteria_unmet", "The criteria of the next step are not met"
    LOAD_INCREASE_TOO_LARGE = "load_increase_too_large", "The load rises too fast"
    ESCALATION_OPEN = "escalation_open", "An urgent or high escalation of the patient is open"
    EXERCISE_NOT_FOR_STEP = "exercise_not_for_step", "The exercise does not suit the step"
    SESSIONS_OUTSIDE_STEP_RANGE = (
        "sessions_outside_step_range",
        "Sessions a week outside the step's range",
    )
