"""What a patient may read of their own record, listed once.

``/me/record/``'s serializers take their fields from here, and the tests check that
nothing else leaves the building. Left out on purpose, because they are the staff's
working notes or internal reasoning: assessment ``notes`` and ``alert_details``,
mobility and movement findings in clinical shorthand, escalation ``reason`` and
``resolution_note``, who acknowledged or resolved an escalation, step-criteria details
and override reasons. The full record, notes included, is what the FHIR/PDF copy gives
(the right to a copy covers the whole file).
"""

from __future__ import annotations

from programs.api.check_ins import ANSWER_FIELDS

ASSESSMENT = (
    "id",
    "kind",
    "kind_text",
    "assessed_at",
    "side",
    "side_text",
    "grade",
    "grade_text",
    "phase",
    "phase_text",
    "return_to_jog",
    "return_to_jog_text",
    "red_flags",
)
PROGRAM = (
    "id",
    "step",
    "step_text",
    "status",
    "status_text",
    "started_at",
    "closed_at",
    "history",
)
STEP_CHANGE = ("from_step", "to_step", "to_step_text", "at")
CHECK_IN = ("id", "submitted_at", *ANSWER_FIELDS, "alerts", "advice")
ESCALATION = (
    "id",
    "rule",
    "rule_text",
    "status",
    "status_text",
    "created_at",
    "resolved_at",
    "outcome",
    "outcome_text",
)

# Fields of the clinical models a patient never reads through ``/me/record/``.
STAFF_ONLY = {
    "assessment": ("notes", "alert_details", "mobility_findings", "movement_patterns"),
    "step_change": ("criteria_met", "criteria_unmet", "override", "reason", "by"),
    "escalation": ("reason", "resolution_note", "acknowledged_by", "resolved_by", "severity"),
}

# How many check-ins the record shows; the rest are in /api/v1/check-ins/ (paged).
RECENT_CHECK_INS = 100
