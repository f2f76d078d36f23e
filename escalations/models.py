"""Escalations: a rule asked a clinician to look at a patient."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from clinic.models import Patient


class Severity(models.TextChoices):
    URGENT = "urgent", "Urgent"
    HIGH = "high", "High"
    NORMAL = "normal", "Normal"


class EscalationStatus(models.TextChoices):
    OPEN = "open", "Open"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    RESOLVED = "resolved", "Resolved"


# Waiting for a clinician: not resolved yet.
UNRESOLVED = (EscalationStatus.OPEN, EscalationStatus.ACKNOWLEDGED)


class Escalation(models.Model):
    """A rule asked for a clinician's attention. A repeat of the same rule while this one
    is unresolved adds an occurrence instead of opening a second escalation."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="escalations")
    rule = models.CharField(max_length=50)
    severity = models.CharField(max_length=10, choices=Severity.choices)
    status = models.CharField(
        max_length=15, choices=EscalationStatus.choices, default=EscalationStatus.OPEN
    )
    reason = models.TextField()
    source_check_in = models.ForeignKey(
        "programs.CheckIn", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    source_assessment = models.ForeignKey(
        "assessments.Assessment",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    occurrences = models.PositiveIntegerField(default=1)
    last_occurred_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(default=timezone.now)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resolution_note = models.TextField(blank=True)

    class Meta:
        # The table kept its name when escalations left the programs app.
        db_table = "programs_escalation"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["patient", "status"], name="programs_es_patient_46931b_idx")
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "rule"],
                condition=Q(status__in=UNRESOLVED),
                name="one_unresolved_escalation_per_patient_rule",
            ),
            models.CheckConstraint(
                condition=Q(severity__in=Severity.values), name="escalation_severity_known"
            ),
            models.CheckConstraint(
                condition=Q(status__in=EscalationStatus.values), name="escalation_status_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rule} for {self.patient} ({self.status})"
