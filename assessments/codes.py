"""The error codes of assessments' refusals (API.md, "Codes")."""

from django.db import models

from clinic.codes import error_codes


@error_codes("assessments")
class AssessmentErrorCode(models.TextChoices):
    NOT_A_CLINICIAN = "not_a_clinician", "Only a clinician records an assessment"
