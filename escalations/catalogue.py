"""The catalogue of escalation rules: every rule code that may open an escalation, with
its default severity, and the order in which severities ask for attention."""

from django.db import models

from escalations.models import Severity


class EscalationRule(models.TextChoices):
    """The rules that ask a clinician to look (API.md, "Codes"): from an assessment, from a
    check-in, from the nightly trend review, or from missed check-ins."""

    SUSPECTED_GRADE_3 = "suspected_grade_3", "Suspected grade 3 injury"
    STOP_SIGNAL = "stop_signal", "Stop signal"
    HIGH_PAIN_DURING_ACTIVITY = "high_pain_during_activity", "High pain during activity"
    PERSISTENT_PAIN_AFTER_REST = "persistent_pain_after_rest", "Persistent pain after rest"
    CHRONIC_NO_IMPROVEMENT = "chronic_no_improvement", "Chronic, no improvement"
    PAIN_INCREASING_WITH_ACTIVITY = "pain_increasing_with_activity", "Pain rises with activity"
    RECURRENCE = "recurrence", "Recurrence"
    COMPENSATION_COMPLAINTS = "compensation_complaints", "Compensation complaints"
    NO_PROGRESS = "no_progress", "No progress"
    PAIN_TREND_RISING = "pain_trend_rising", "Pain trend rising"
    MISSED_CHECK_INS = "missed_check_ins", "Missed check-ins"
    SEVERE_PAIN_NOW = "severe_pain_now", "Severe pain now"
    LIMP_WITH_PAIN = "limp_with_pain", "Limping with pain"
    WALKING_LOAD_JUMP = "walking_load_jump", "Sudden jump in walking"


# Default severity per escalation rule (API.md, "Codes"). Advisory alerts
# (exercise_pain_over_hour, next_day_pain) are not here: they open no escalation.
DEFAULT_SEVERITY: dict[str, str] = {
    EscalationRule.SUSPECTED_GRADE_3: Severity.URGENT,
    EscalationRule.STOP_SIGNAL: Severity.HIGH,
    EscalationRule.HIGH_PAIN_DURING_ACTIVITY: Severity.HIGH,
    EscalationRule.PERSISTENT_PAIN_AFTER_REST: Severity.NORMAL,
    EscalationRule.CHRONIC_NO_IMPROVEMENT: Severity.NORMAL,
    EscalationRule.PAIN_INCREASING_WITH_ACTIVITY: Severity.NORMAL,
    EscalationRule.RECURRENCE: Severity.NORMAL,
    EscalationRule.COMPENSATION_COMPLAINTS: Severity.NORMAL,
    EscalationRule.NO_PROGRESS: Severity.NORMAL,
    EscalationRule.PAIN_TREND_RISING: Severity.NORMAL,
    EscalationRule.MISSED_CHECK_INS: Severity.NORMAL,
    EscalationRule.SEVERE_PAIN_NOW: Severity.HIGH,
    EscalationRule.LIMP_WITH_PAIN: Severity.NORMAL,
    EscalationRule.WALKING_LOAD_JUMP: Severity.NORMAL,
}
ESCALATION_RULES = frozenset(DEFAULT_SEVERITY)

# Most pressing first.
SEVERITY_ORDER = (Severity.URGENT, Severity.HIGH, Severity.NORMAL)
