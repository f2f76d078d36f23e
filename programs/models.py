"""The five-step program: exercises, programs, prescriptions and check-ins."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clinic.models import Clinician, Location, Patient
from clinical_rules.models import LocationRuleValue


class Step(models.IntegerChoices):
    ANALYSIS = 1, "analysis"
    PAIN_REDUCTION = 2, "pain_reduction"
    MOVEMENT_OPTIMISATION = 3, "movement_optimisation"
    STRENGTH_BUILDING = 4, "strength_building"
    SELF_SUFFICIENCY = 5, "self_sufficiency"


class ExerciseCategory(models.TextChoices):
    ISOMETRIC = "isometric", _("Isometric")
    ECCENTRIC = "eccentric", _("Eccentric")
    MOBILITY = "mobility", _("Mobility")
    STRENGTH = "strength", _("Strength")
    CONDITIONING = "conditioning", _("Conditioning")


class Exercise(models.Model):
    """An exercise of the clinic's library, in Dutch and English."""

    code = models.SlugField(unique=True, verbose_name=_("code"))
    name_nl = models.CharField(max_length=100, verbose_name=_("name nl"))
    name_en = models.CharField(max_length=100, verbose_name=_("name en"))
    category = models.CharField(
        max_length=20, choices=ExerciseCategory.choices, verbose_name=_("category")
    )
    steps = models.JSONField(
        default=list, help_text="Steps (1–5) the exercise suits.", verbose_name=_("steps")
    )
    description_nl = models.TextField(blank=True, verbose_name=_("description nl"))
    description_en = models.TextField(blank=True, verbose_name=_("description en"))
    default_sets = models.PositiveSmallIntegerField(
        null=True, blank=True, verbose_name=_("default sets")
    )
    default_reps = models.PositiveSmallIntegerField(
        null=True, blank=True, verbose_name=_("default reps")
    )
    default_hold_seconds = models.PositiveSmallIntegerField(
        null=True, blank=True, verbose_name=_("default hold seconds")
    )
    default_minutes = models.PositiveSmallIntegerField(
        null=True, blank=True, verbose_name=_("default minutes")
    )
    default_times_per_week = models.PositiveSmallIntegerField(
        null=True, blank=True, verbose_name=_("default times per week")
    )
    is_active = models.BooleanField(default=True, verbose_name=_("is active"))

    class Meta:
        verbose_name = _("exercise")
        verbose_name_plural = _("exercises")
        ordering = ["name_en"]
        constraints = [
            models.CheckConstraint(
                condition=Q(category__in=ExerciseCategory.values), name="exercise_category_known"
            ),
        ]

    def __str__(self) -> str:
        return self.name_en

    def name_in(self, language: str) -> str:
        return self.name_nl if language == "nl" else self.name_en


class ProgramStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    PAUSED = "paused", _("Paused")
    COMPLETED = "completed", _("Completed")
    REFERRED = "referred", _("Referred")


OPEN_PROGRAM_STATUSES = (ProgramStatus.ACTIVE, ProgramStatus.PAUSED)


class ReferredTo(models.TextChoices):
    """Where a referred program sent the patient; empty when the clinician did not say."""

    SPECIALIST = "specialist", _("a specialist")
    GP = "gp", _("the GP")


class Program(models.Model):
    """A patient's way through the five steps, led by one clinician."""

    patient = models.ForeignKey(
        Patient, on_delete=models.PROTECT, related_name="programs", verbose_name=_("patient")
    )
    episode = models.ForeignKey(
        "assessments.InjuryEpisode",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="programs",
        verbose_name=_("episode"),
    )
    clinician = models.ForeignKey(
        Clinician, on_delete=models.PROTECT, related_name="programs", verbose_name=_("clinician")
    )
    step = models.PositiveSmallIntegerField(
        choices=Step.choices, default=Step.ANALYSIS, verbose_name=_("step")
    )
    status = models.CharField(
        max_length=10,
        choices=ProgramStatus.choices,
        default=ProgramStatus.ACTIVE,
        verbose_name=_("status"),
    )
    check_in_every_days = models.PositiveSmallIntegerField(
        default=2,
        help_text="How often the patient is asked to check in, in days.",
        verbose_name=_("check in every days"),
    )
    check_in_every_days_set = models.BooleanField(
        default=False,
        help_text="Set by the clinician; otherwise the rhythm follows the step.",
        verbose_name=_("check in every days set"),
    )
    follow_up = models.CharField(
        max_length=20,
        blank=True,
        help_text="After step 5: personal_training or group_training.",
        verbose_name=_("follow up"),
    )
    started_at = models.DateTimeField(default=timezone.now, verbose_name=_("started at"))
    closed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("closed at"))
    closed_reason = models.TextField(
        blank=True,
        help_text="Why the program was closed, e.g. the referral.",
        verbose_name=_("closed reason"),
    )
    referred_to = models.CharField(
        max_length=20,
        blank=True,
        default="",
        choices=ReferredTo.choices,
        help_text="A referred program: specialist or gp (empty: not said).",
        verbose_name=_("referred to"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("program")
        verbose_name_plural = _("programs")
        ordering = ["-started_at", "-id"]
        indexes = [
            models.Index(fields=["clinician", "status"]),
            # A clinician's open programs with their patients, few of all (the caseload).
            models.Index(
                fields=["clinician", "patient"],
                condition=Q(status__in=["active", "paused"]),
                name="program_open_by_clinician",
            ),
        ]
        constraints = [
            # One open (active or paused) program per patient.
            models.UniqueConstraint(
                fields=["patient"],
                condition=Q(status__in=["active", "paused"]),
                name="one_open_program_per_patient",
            ),
            models.CheckConstraint(
                condition=Q(step__gte=1, step__lte=5), name="program_step_1_to_5"
            ),
            models.CheckConstraint(
                condition=Q(status__in=ProgramStatus.values), name="program_status_known"
            ),
            models.CheckConstraint(
                condition=Q(check_in_every_days__gte=1), name="program_check_in_every_day_or_more"
            ),
            # Only a referred program names where it referred to, and only a known place.
            models.CheckConstraint(
                condition=Q(referred_to="")
                | Q(status="referred", referred_to__in=["specialist", "gp"]),
                name="program_referred_to_only_when_referred",
            ),
        ]

    def __str__(self) -> str:
        return f"Program of {self.patient} (step {self.step}, {self.status})"

    @property
    def step_name(self) -> str:
        return Step(self.step).label

    @property
    def status_words(self) -> str:
        """The key of the status's plain words: a referral names where to when it is known
        (``referred_gp``, ``referred_specialist``)."""
        if self.status == ProgramStatus.REFERRED and self.referred_to:
            return f"referred_{self.referred_to}"
        return self.status


class TransitionKind(models.TextChoices):
    ADVANCE = "advance", _("Advance")
    # Put on the patient's new episode after a reinjury (possibly back to an earlier step).
    REBASE = "rebase", _("Re-base")
    # Completed over an open urgent or high escalation, on an override with a reason.
    COMPLETE = "complete", _("Complete")


class StepTransition(models.Model):
    """A move between steps: who, when, which criteria held, and why if overridden; also a
    re-basing on a new episode and a completion that set an escalation aside."""

    program = models.ForeignKey(
        Program, on_delete=models.CASCADE, related_name="transitions", verbose_name=_("program")
    )
    kind = models.CharField(
        max_length=10,
        choices=TransitionKind.choices,
        default=TransitionKind.ADVANCE,
        verbose_name=_("kind"),
    )
    from_step = models.PositiveSmallIntegerField(choices=Step.choices, verbose_name=_("from step"))
    to_step = models.PositiveSmallIntegerField(choices=Step.choices, verbose_name=_("to step"))
    at = models.DateTimeField(default=timezone.now, verbose_name=_("at"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    criteria_met = models.JSONField(default=list, blank=True, verbose_name=_("criteria met"))
    criteria_unmet = models.JSONField(default=list, blank=True, verbose_name=_("criteria unmet"))
    override = models.BooleanField(default=False, verbose_name=_("override"))
    reason = models.TextField(blank=True, verbose_name=_("reason"))
    # What an override set aside: unmet criteria and urgent/high escalations still open.
    rules_overridden = models.JSONField(
        default=list, blank=True, verbose_name=_("rules overridden")
    )
    escalations_open = models.JSONField(
        default=list,
        blank=True,
        help_text="Urgent or high escalations open at the move: ids.",
        verbose_name=_("escalations open"),
    )
    decided_by = models.JSONField(
        default=dict,
        blank=True,
        help_text="Criterion → the observation that decided it.",
        verbose_name=_("decided by"),
    )
    settings_in_force = models.JSONField(
        default=dict,
        blank=True,
        help_text="The clinic's thresholds at the move.",
        verbose_name=_("settings in force"),
    )

    class Meta:
        verbose_name = _("step transition")
        verbose_name_plural = _("step transitions")
        ordering = ["at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(override=False) | ~Q(reason=""), name="override_needs_a_reason"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=TransitionKind.values), name="step_transition_kind_known"
            ),
            # An advance moves one step forward; a re-basing stays or goes back.
            models.CheckConstraint(
                condition=~Q(kind="advance") | Q(to_step=models.F("from_step") + 1),
                name="advance_moves_one_step",
            ),
            models.CheckConstraint(
                condition=Q(to_step__lte=models.F("from_step")) | Q(kind="advance"),
                name="only_an_advance_moves_forward",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.program_id}: {self.from_step} → {self.to_step}"


class Prescription(models.Model):
    """An exercise with its dosage for a step of a program."""

    program = models.ForeignKey(
        Program, on_delete=models.CASCADE, related_name="prescriptions", verbose_name=_("program")
    )
    exercise = models.ForeignKey(
        Exercise, on_delete=models.PROTECT, related_name="+", verbose_name=_("exercise")
    )
    step = models.PositiveSmallIntegerField(choices=Step.choices, verbose_name=_("step"))
    sets = models.PositiveSmallIntegerField(null=True, blank=True, verbose_name=_("sets"))
    reps = models.PositiveSmallIntegerField(null=True, blank=True, verbose_name=_("reps"))
    hold_seconds = models.PositiveSmallIntegerField(
        null=True, blank=True, verbose_name=_("hold seconds")
    )
    minutes = models.PositiveSmallIntegerField(null=True, blank=True, verbose_name=_("minutes"))
    times_per_week = models.PositiveSmallIntegerField(default=3, verbose_name=_("times per week"))
    load_kg = models.DecimalField(
        max_digits=6, decimal_places=2, null=True, blank=True, verbose_name=_("load kg")
    )
    notes = models.TextField(blank=True, verbose_name=_("notes"))
    is_active = models.BooleanField(default=True, verbose_name=_("is active"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("prescription")
        verbose_name_plural = _("prescriptions")
        ordering = ["step", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(step__gte=1, step__lte=5), name="prescription_step_1_to_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.exercise} for program {self.program_id}"


class PrescriptionLoadChange(models.Model):
    """Each change of a prescription's load, for the at-most-10%-a-week rule."""

    prescription = models.ForeignKey(
        Prescription,
        on_delete=models.CASCADE,
        related_name="load_changes",
        verbose_name=_("prescription"),
    )
    at = models.DateTimeField(default=timezone.now, verbose_name=_("at"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    load_before = models.JSONField(
        help_text="sets, reps, hold_seconds, minutes, times_per_week, load_kg, is_active before.",
        verbose_name=_("load before"),
    )
    load_after = models.JSONField(verbose_name=_("load after"))
    override = models.BooleanField(default=False, verbose_name=_("override"))
    reason = models.TextField(blank=True, verbose_name=_("reason"))
    rules_overridden = models.JSONField(
        default=list, blank=True, verbose_name=_("rules overridden")
    )

    class Meta:
        verbose_name = _("prescription load change")
        verbose_name_plural = _("prescription load changes")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"Load change of prescription {self.prescription_id} at {self.at}"


class PainCharacter(models.TextChoices):
    SHARP = "sharp", _("Sharp / stabbing")
    DULL = "dull", _("Dull / pulling")


class PainCourse(models.TextChoices):
    INCREASING = "increasing", _("Increasing")
    STABLE = "stable", _("Stable")
    DECREASING = "decreasing", _("Decreasing")


class CheckIn(models.Model):
    """A patient's short self-report from the mobile app."""

    patient = models.ForeignKey(
        Patient, on_delete=models.PROTECT, related_name="check_ins", verbose_name=_("patient")
    )
    program = models.ForeignKey(
        Program,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="check_ins",
        verbose_name=_("program"),
    )
    submitted_at = models.DateTimeField(default=timezone.now, verbose_name=_("submitted at"))
    pain_now = models.PositiveSmallIntegerField(verbose_name=_("pain now"))
    pain_activity = models.PositiveSmallIntegerField(verbose_name=_("pain activity"))
    pain_character = models.CharField(
        max_length=5, choices=PainCharacter.choices, verbose_name=_("pain character")
    )
    pain_course = models.CharField(
        max_length=10, choices=PainCourse.choices, verbose_name=_("pain course")
    )
    # Null is "not answered": the rules that read it say so instead of guessing.
    next_day_pain = models.BooleanField(null=True, blank=True, verbose_name=_("next day pain"))
    exercise_pain_over_hour = models.BooleanField(
        null=True, blank=True, verbose_name=_("exercise pain over hour")
    )
    exercises_done = models.BooleanField(default=False, verbose_name=_("exercises done"))
    walking_minutes = models.PositiveSmallIntegerField(
        null=True, blank=True, verbose_name=_("walking minutes")
    )
    walks_without_limp = models.BooleanField(
        null=True, blank=True, verbose_name=_("walks without limp")
    )
    complaints_elsewhere = models.JSONField(
        default=list, blank=True, verbose_name=_("complaints elsewhere")
    )
    note = models.TextField(blank=True, verbose_name=_("note"))
    alerts = models.JSONField(
        default=list, blank=True, help_text="Rule codes that fired.", verbose_name=_("alerts")
    )
    advice_codes = models.JSONField(
        default=list,
        blank=True,
        help_text="The advice the patient was given, by code.",
        verbose_name=_("advice codes"),
    )

    class Meta:
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")
        ordering = ["-submitted_at", "-id"]
        indexes = [
            models.Index(fields=["patient", "-submitted_at"]),
            # Clinicians' lists are "the newest check-ins I may see": walk this and stop.
            models.Index(fields=["-submitted_at", "-id"], name="check_in_list_order"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(pain_now__lte=10), name="check_in_pain_now_0_to_10"),
            models.CheckConstraint(
                condition=Q(pain_activity__lte=10), name="check_in_pain_activity_0_to_10"
            ),
            models.CheckConstraint(
                condition=Q(pain_character__in=PainCharacter.values),
                name="check_in_pain_character_known",
            ),
            models.CheckConstraint(
                condition=Q(pain_course__in=PainCourse.values), name="check_in_pain_course_known"
            ),
        ]

    def __str__(self) -> str:
        return f"Check-in of {self.patient} at {self.submitted_at:%Y-%m-%d %H:%M}"


class ExitCriteriaSetting(LocationRuleValue):
    """The exit criteria a location asks of a step instead of DOMAIN.md's suggestion
    (``programs.rules.EXIT_CRITERIA``)."""

    location = models.ForeignKey(
        Location, on_delete=models.CASCADE, related_name="exit_criteria", verbose_name=_("location")
    )
    step = models.PositiveSmallIntegerField(verbose_name=_("step"))
    criteria = models.JSONField(
        help_text="Criterion codes that must hold to leave the step.", verbose_name=_("criteria")
    )

    class Meta:
        verbose_name = _("exit criteria setting")
        verbose_name_plural = _("exit criteria settings")
        ordering = ["location", "step"]
        constraints = [
            models.UniqueConstraint(fields=["location", "step"], name="one_exit_setting_per_step"),
            models.CheckConstraint(
                condition=models.Q(step__gte=1, step__lte=4), name="exit_setting_step_1_to_4"
            ),
        ]

    def __str__(self) -> str:
        return f"Exit of step {self.step} at {self.location}: {', '.join(self.criteria)}"
