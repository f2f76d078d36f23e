"""Injury episodes and the clinicians' assessments of them."""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clinic.models import Clinician, Patient


class Side(models.TextChoices):
    LEFT = "left", _("Left")
    RIGHT = "right", _("Right")


class InjuryEpisode(models.Model):
    """One hamstring injury of one leg, from onset until the clinician closes it."""

    patient = models.ForeignKey(
        Patient, on_delete=models.PROTECT, related_name="episodes", verbose_name=_("patient")
    )
    side = models.CharField(max_length=5, choices=Side.choices, verbose_name=_("side"))
    onset_date = models.DateField(verbose_name=_("onset date"))
    mechanism = models.CharField(
        max_length=200,
        blank=True,
        help_text="How it happened, e.g. 'sprint', 'overstretch'.",
        verbose_name=_("mechanism"),
    )
    previous_injuries = models.PositiveSmallIntegerField(
        default=0,
        help_text="Earlier hamstring injuries (recurrence when > 0).",
        verbose_name=_("previous injuries"),
    )
    closed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("closed at"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("injury episode")
        verbose_name_plural = _("injury episodes")
        ordering = ["-onset_date", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "side"],
                condition=Q(closed_at__isnull=True),
                name="one_open_episode_per_patient_side",
            ),
            models.CheckConstraint(condition=Q(side__in=Side.values), name="episode_side_known"),
        ]

    def __str__(self) -> str:
        return f"{self.patient} {self.side} since {self.onset_date}"


class AssessmentKind(models.TextChoices):
    INTAKE = "intake", _("Intake")
    REASSESSMENT = "reassessment", _("Re-assessment")


class Assessment(models.Model):
    """What a clinician observed at one moment. Rule outcomes are stored with it so every
    alert stays explainable later, even if the rules change."""

    episode = models.ForeignKey(
        InjuryEpisode,
        on_delete=models.PROTECT,
        related_name="assessments",
        verbose_name=_("episode"),
    )
    # Denormalised from the episode so visibility filters need no join.
    patient = models.ForeignKey(
        Patient, on_delete=models.PROTECT, related_name="assessments", verbose_name=_("patient")
    )
    clinician = models.ForeignKey(
        Clinician, on_delete=models.PROTECT, related_name="assessments", verbose_name=_("clinician")
    )
    kind = models.CharField(
        max_length=20,
        choices=AssessmentKind.choices,
        default=AssessmentKind.INTAKE,
        verbose_name=_("kind"),
    )
    assessed_at = models.DateTimeField(default=timezone.now, verbose_name=_("assessed at"))
    grade = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="1–3, or unknown.", verbose_name=_("grade")
    )
    pain_rest = models.PositiveSmallIntegerField(null=True, blank=True, verbose_name=_("pain rest"))
    pain_walking = models.PositiveSmallIntegerField(
        null=True, blank=True, verbose_name=_("pain walking")
    )
    red_flags = models.JSONField(
        default=list, blank=True, help_text="Red-flag codes observed.", verbose_name=_("red flags")
    )
    readiness = models.JSONField(
        default=dict,
        blank=True,
        help_text="Readiness test → passed; strength_symmetry_percent.",
        verbose_name=_("readiness"),
    )
    mobility_findings = models.JSONField(
        default=list,
        blank=True,
        help_text="e.g. stiff_ankles, limited_hip_extension.",
        verbose_name=_("mobility findings"),
    )
    movement_patterns = models.JSONField(
        default=list,
        blank=True,
        help_text="e.g. hip_hinge_from_low_back, overstriding.",
        verbose_name=_("movement patterns"),
    )
    notes = models.TextField(blank=True, verbose_name=_("notes"))
    alerts = models.JSONField(
        default=list, blank=True, help_text="Rule codes that fired.", verbose_name=_("alerts")
    )
    alert_details = models.JSONField(
        default=list,
        blank=True,
        help_text="Per alert: code, severity, reason and the inputs the rule looked at.",
        verbose_name=_("alert details"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        ordering = ["-assessed_at", "-id"]
        indexes = [
            models.Index(fields=["patient", "-assessed_at"]),
            # The recent ones of all patients (the caseload's intakes waiting for a program).
            models.Index(fields=["assessed_at"], name="assessment_assessed_at"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(grade__isnull=True) | Q(grade__gte=1, grade__lte=3),
                name="assessment_grade_1_to_3",
            ),
            models.CheckConstraint(
                condition=Q(pain_rest__isnull=True) | Q(pain_rest__lte=10),
                name="assessment_pain_rest_0_to_10",
            ),
            models.CheckConstraint(
                condition=Q(pain_walking__isnull=True) | Q(pain_walking__lte=10),
                name="assessment_pain_walking_0_to_10",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.patient} on {self.assessed_at:%Y-%m-%d}"
