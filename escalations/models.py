"""Escalations: a rule asked a clinician to look at a patient."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clinic.models import Location, Patient
from clinical_rules.models import LocationRuleValue


class Severity(models.TextChoices):
    URGENT = "urgent", _("Urgent")
    HIGH = "high", _("High")
    NORMAL = "normal", _("Normal")


class EscalationStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    RESOLVED = "resolved", _("Resolved")


# Waiting for a clinician: not resolved yet.
UNRESOLVED = (EscalationStatus.OPEN, EscalationStatus.ACKNOWLEDGED)


class ResolutionOutcome(models.TextChoices):
    REFERRED_SPECIALIST = "referred_specialist", _("Referred to a specialist")
    REFERRED_GP = "referred_gp", _("Referred to the GP")
    HANDLED_IN_CLINIC = "handled_in_clinic", _("Handled in the clinic")
    FALSE_ALARM = "false_alarm", _("False alarm")


REFERRAL_OUTCOMES = (ResolutionOutcome.REFERRED_SPECIALIST, ResolutionOutcome.REFERRED_GP)


class OccurrenceSource(models.TextChoices):
    ASSESSMENT = "assessment", _("Assessment")
    CHECK_IN = "check_in", _("Check-in")
    NIGHTLY_REVIEW = "nightly_review", _("Nightly trend review")
    SCHEDULE = "schedule", _("Check-in schedule")


class Escalation(models.Model):
    """A rule asked for a clinician's attention. A repeat of the same rule while this one
    is unresolved adds an occurrence instead of opening a second escalation."""

    patient = models.ForeignKey(
        Patient, on_delete=models.PROTECT, related_name="escalations", verbose_name=_("patient")
    )
    rule = models.CharField(max_length=50, verbose_name=_("rule"))
    severity = models.CharField(max_length=10, choices=Severity.choices, verbose_name=_("severity"))
    status = models.CharField(
        max_length=15,
        choices=EscalationStatus.choices,
        default=EscalationStatus.OPEN,
        verbose_name=_("status"),
    )
    reason = models.TextField(verbose_name=_("reason"))
    source_check_in = models.ForeignKey(
        "programs.CheckIn",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("source check in"),
    )
    source_assessment = models.ForeignKey(
        "assessments.Assessment",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("source assessment"),
    )
    occurrences = models.PositiveIntegerField(default=1, verbose_name=_("occurrences"))
    last_occurred_at = models.DateTimeField(
        default=timezone.now, verbose_name=_("last occurred at")
    )
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created at"))
    # Since when it waits for a person: when it opened, or when an urgent or high repeat
    # after acknowledgement made it open again. The managers' notice counts from here.
    needs_attention_since = models.DateTimeField(
        default=timezone.now, verbose_name=_("needs attention since")
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True, verbose_name=_("acknowledged at"))
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("acknowledged by"),
    )
    resolved_at = models.DateTimeField(null=True, blank=True, verbose_name=_("resolved at"))
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("resolved by"),
    )
    resolution_note = models.TextField(blank=True, verbose_name=_("resolution note"))
    outcome = models.CharField(
        max_length=25,
        choices=ResolutionOutcome.choices,
        null=True,
        blank=True,
        verbose_name=_("outcome"),
    )

    class Meta:
        verbose_name = _("escalation")
        verbose_name_plural = _("escalations")
        # The table kept its name when escalations left the programs app.
        db_table = "programs_escalation"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["patient", "status"], name="programs_es_patient_46931b_idx"),
            # The unresolved ones, few of all: who is flagged (the caseload's member sets).
            models.Index(
                fields=["patient"],
                condition=Q(status__in=UNRESOLVED),
                name="escalation_unresolved_patient",
            ),
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
            models.CheckConstraint(
                condition=Q(outcome__isnull=True) | Q(outcome__in=ResolutionOutcome.values),
                name="escalation_outcome_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rule} for {self.patient} ({self.status})"


class EscalationOccurrence(models.Model):
    """One time a rule fired for an escalation: where from, why, when. The first is the
    opening; nothing is overwritten by a repeat."""

    escalation = models.ForeignKey(
        Escalation,
        on_delete=models.CASCADE,
        related_name="occurrence_history",
        verbose_name=_("escalation"),
    )
    at = models.DateTimeField(default=timezone.now, verbose_name=_("at"))
    source = models.CharField(
        max_length=20, choices=OccurrenceSource.choices, verbose_name=_("source")
    )
    reason = models.TextField(verbose_name=_("reason"))
    severity = models.CharField(max_length=10, choices=Severity.choices, verbose_name=_("severity"))
    check_in = models.ForeignKey(
        "programs.CheckIn",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("check in"),
    )
    assessment = models.ForeignKey(
        "assessments.Assessment",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assessment"),
    )
    # An urgent or high repeat after acknowledgement: the escalation needed a person again.
    reopened = models.BooleanField(default=False, verbose_name=_("reopened"))

    class Meta:
        verbose_name = _("escalation occurrence")
        verbose_name_plural = _("escalation occurrences")
        ordering = ["at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(source__in=OccurrenceSource.values), name="occurrence_source_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.escalation_id} at {self.at} ({self.source})"


class RuleSeverity(LocationRuleValue):
    """The severity a location gives an escalating rule instead of the clinic's default
    (``escalations.catalogue.DEFAULT_SEVERITY``), e.g. missed check-ins as high."""

    location = models.ForeignKey(
        Location,
        on_delete=models.CASCADE,
        related_name="rule_severities",
        verbose_name=_("location"),
    )
    rule = models.CharField(
        max_length=50,
        help_text="An escalating rule (escalations.catalogue).",
        verbose_name=_("rule"),
    )
    severity = models.CharField(max_length=10, choices=Severity.choices, verbose_name=_("severity"))

    class Meta:
        verbose_name = _("rule severity")
        verbose_name_plural = _("rule severities")
        ordering = ["location", "rule"]
        constraints = [
            models.UniqueConstraint(fields=["location", "rule"], name="one_severity_per_rule"),
            models.CheckConstraint(
                condition=models.Q(severity__in=Severity.values), name="rule_severity_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rule}: {self.severity} at {self.location}"
