"""The catalogue of escalation rules: every rule code that may open an escalation, with
its default severity, and the order in which severities ask for attention."""

from escalations.models import Severity

# Default severity per escalation rule (API.md, "Codes"). Advisory alerts
# (exercise_pain_over_hour, next_day_pain) are not here: they open no escalation.
DEFAULT_SEVERITY: dict[str, str] = {
    "suspected_grade_3": Severity.URGENT,
    "stop_signal": Severity.HIGH,
    "persistent_pain_after_rest": Severity.NORMAL,
    "chronic_no_improvement": Severity.NORMAL,
    "pain_increasing_with_activity": Severity.NORMAL,
    "recurrence": Severity.NORMAL,
    "compensation_complaints": Severity.NORMAL,
    "no_progress": Severity.NORMAL,
    "pain_trend_rising": Severity.NORMAL,
    "missed_check_ins": Severity.NORMAL,
}
ESCALATION_RULES = frozenset(DEFAULT_SEVERITY)

# Most pressing first.
SEVERITY_ORDER = (Severity.URGENT, Severity.HIGH, Severity.NORMAL)
