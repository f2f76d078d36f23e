"""What a patient may read through the staff-shaped API, listed once.

Every serializer a patient can be answered with names its resource here (``readable_as``);
to a patient it keeps only these fields (``clinic.api.serializers.PatientReadable``). Left
out on purpose, because they are the staff's working notes or internal reasoning: step and
load change reasons, overrides and the rules set aside, open escalation ids, the rule
settings in force, staff user ids and notes. ``/me/record/`` has its own lists in
``records.readable``; its step changes are the ones below.
"""

from __future__ import annotations

PATIENT_READS: dict[str, tuple[str, ...]] = {
    "program": (
        "id",
        "patient",
        "clinician",
        "episode",
        "step",
        "step_name",
        "status",
        "started_at",
        "closed_at",
        "closed_reason",  # to a patient: plain words, never the staff's note
        "follow_up",
        "check_in_every_days",
        "check_in_every_days_set",
        "history",
        "prescriptions",
        "load_history",
    ),
    "step_change": ("from_step", "to_step", "at"),
    "prescription": (
        "id",
        "exercise",
        "exercise_name",
        "step",
        "sets",
        "reps",
        "hold_seconds",
        "times_per_week",
        "minutes",
        "load_kg",
        "is_active",
    ),
    "load_change": ("prescription", "exercise", "at", "load_before", "load_after"),
    "appointment_change": ("action", "at", "previous_start", "previous_end", "reason"),
}

# Keys that never appear in any answer to a patient (the tests look for them everywhere).
STAFF_ONLY_KEYS = frozenset(
    {
        "overrides",
        "rules_overridden",
        "escalations_open",
        "settings_in_force",
        "criteria_met",
        "criteria_unmet",
        "decided_by",
        "by",
        "actor",
        "notes",
        "alert_details",
        "resolution_note",
    }
)
