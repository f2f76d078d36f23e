"""API of the programs app: programs, their steps and prescriptions.

Prescriptions are nested under their program:
``POST /programs/{id}/prescriptions/`` and ``PATCH /programs/{id}/prescriptions/{pid}/``,
so a prescription is always reached through a program the caller may see.
"""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from assessments import rules as assessment_rules
from assessments.models import Assessment, InjuryEpisode
from clinic.api.access_log import AccessLoggedMixin
from clinic.api.authentication import reader_language
from clinic.api.filters import ClinicFilterSet
from clinic.api.permissions import CLINICAL, RoleAllowed
from clinic.api.serializers import PatientReadable, reader_is_patient, validated
from clinic.models import AccessAction, Clinician, Patient, Role
from clinic.selectors import patient_filter_for, patients_visible_to
from clinical_rules.selectors import rule_settings_for
from programs import rules
from programs.codes import ProgramErrorCode
from programs.models import (
    Exercise,
    Prescription,
    PrescriptionLoadChange,
    Program,
    ProgramStatus,
    ReferredTo,
    Step,
    StepTransition,
)
from programs.selectors import pain_free_walking_weeks, programs_visible_to
from programs.services import programs as services
from programs.services.transitions import (
    HOLD_REINJURY,
    findings_since,
    hold_of,
    other_leg_assessment_for,
    other_leg_limps,
)

READERS = CLINICAL | {Role.PATIENT}


# --- Output ---------------------------------------------------------------------------------


class StepTransitionSerializer(PatientReadable, serializers.ModelSerializer):
    readable_as = "step_change"
    from_step = serializers.IntegerField(min_value=1, max_value=5)
    to_step = serializers.IntegerField(min_value=1, max_value=5)

    class Meta:
        model = StepTransition
        fields = [
            "kind",
            "from_step",
            "to_step",
            "at",
            "by",
            "criteria_met",
            "criteria_unmet",
            "override",
            "reason",
            "rules_overridden",
            "escalations_open",
            "decided_by",
            "settings_in_force",
        ]


class LoadChangeSerializer(PatientReadable, serializers.ModelSerializer):
    readable_as = "load_change"
    prescription = serializers.IntegerField(source="prescription_id")
    exercise = serializers.IntegerField(source="prescription.exercise_id")

    class Meta:
        model = PrescriptionLoadChange
        fields = [
            "prescription",
            "exercise",
            "at",
            "by",
            "load_before",
            "load_after",
            "override",
            "reason",
            "rules_overridden",
        ]


class OverrideSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["step", "prescription"])
    at = serializers.DateTimeField()
    by = serializers.IntegerField()
    reason = serializers.CharField()
    rules = serializers.ListField(child=serializers.CharField())
    prescription = serializers.IntegerField(allow_null=True)
    from_step = serializers.IntegerField(allow_null=True)
    to_step = serializers.IntegerField(allow_null=True)


class PrescriptionSerializer(PatientReadable, serializers.ModelSerializer):
    readable_as = "prescription"
    exercise_name = serializers.SerializerMethodField()

    class Meta:
        model = Prescription
        fields = [
            "id",
            "exercise",
            "exercise_name",
            "step",
            *rules.DOSAGE_FIELDS,
            "notes",
            "is_active",
        ]

    def get_exercise_name(self, prescription: Prescription) -> str:
        return prescription.exercise.name_in(self.context.get("language", settings.LANGUAGE_CODE))


def closed_in_plain_words(program: Program) -> str:
    """Why a program ended, as a patient reads it: the outcome, never the staff's note."""
    if program.status == ProgramStatus.COMPLETED:
        return gettext("You completed the program.")
    if program.status == ProgramStatus.REFERRED:
        if program.referred_to == ReferredTo.GP:
            return gettext("Your physiotherapist referred you to the GP; they will tell you more.")
        if program.referred_to == ReferredTo.SPECIALIST:
            return gettext(
                "Your physiotherapist referred you to a specialist; they will tell you more."
            )
        return gettext(
            "Your physiotherapist referred you for further care; they will tell you more."
        )
    return ""


class ProgramSerializer(PatientReadable, serializers.ModelSerializer):
    readable_as = "program"
    step_name = serializers.ChoiceField(choices=Step.labels, read_only=True)
    history = StepTransitionSerializer(source="transitions", many=True, read_only=True)
    prescriptions = PrescriptionSerializer(many=True, read_only=True)
    load_history = serializers.SerializerMethodField()
    overrides = serializers.SerializerMethodField()
    hold = serializers.SerializerMethodField()

    class Meta:
        model = Program
        fields = [
            "id",
            "patient",
            "clinician",
            "episode",
            "step",
            "step_name",
            "status",
            "hold",
            "started_at",
            "closed_at",
            "closed_reason",
            "follow_up",
            "check_in_every_days",
            "check_in_every_days_set",
            "history",
            "prescriptions",
            "load_history",
            "overrides",
        ]
        read_only_fields = fields

    @staticmethod
    def _load_changes(program: Program) -> list[PrescriptionLoadChange]:
        changes = [c for p in program.prescriptions.all() for c in p.load_changes.all()]
        return sorted(changes, key=lambda c: (c.at, c.pk))

    @extend_schema_field(serializers.CharField(allow_null=True, help_text=HOLD_REINJURY))
    def get_hold(self, program: Program) -> str | None:
        """``reinjury`` while the program waits to be re-based on the patient's new episode
        (or closed); advance and complete are refused meanwhile. Null otherwise."""
        return hold_of(program)

    @extend_schema_field(LoadChangeSerializer(many=True))
    def get_load_history(self, program: Program) -> list[dict]:
        """Every dosage change of the program's prescriptions: who, when, before → after."""
        changes = self._load_changes(program)
        return LoadChangeSerializer(changes, many=True, context=self.context).data

    @extend_schema_field(OverrideSerializer(many=True))
    def get_overrides(self, program: Program) -> list[dict]:
        """Every rule a clinician set aside, oldest first: who, when, why, which rules."""
        steps = [
            {
                "kind": "step",
                "at": t.at,
                "by": t.by_id,
                "reason": t.reason,
                "rules": t.rules_overridden or t.criteria_unmet,
                "prescription": None,
                "from_step": t.from_step,
                "to_step": t.to_step,
            }
            for t in program.transitions.all()
            if t.override
        ]
        loads = [
            {
                "kind": "prescription",
                "at": c.at,
                "by": c.by_id,
                "reason": c.reason,
                "rules": c.rules_overridden or ["load_increase_too_large"],
                "prescription": c.prescription_id,
                "from_step": None,
                "to_step": None,
            }
            for c in self._load_changes(program)
            if c.override
        ]
        rows = sorted([*steps, *loads], key=lambda row: row["at"])
        return OverrideSerializer(rows, many=True).data

    def to_representation(self, program: Program) -> dict:
        data = super().to_representation(program)
        if reader_is_patient(self.context) and program.closed_reason:
            data["closed_reason"] = closed_in_plain_words(program)
        return data


class SelfTestSerializer(serializers.Serializer):
    test = serializers.CharField()
    passed = serializers.BooleanField(allow_null=True)


class WalkingStartSerializer(serializers.Serializer):
    min = serializers.IntegerField()
    max = serializers.IntegerField()


class ProgramReadinessSerializer(serializers.Serializer):
    ready_to_walk = serializers.BooleanField()
    walk_criteria_unmet = serializers.ListField(child=serializers.CharField())
    walking_start_minutes = WalkingStartSerializer(allow_null=True)
    self_tests = SelfTestSerializer(many=True)
    self_tests_out_of_order = serializers.ListField(child=serializers.CharField())
    ready_to_run = serializers.BooleanField()
    pain_free_walking_weeks = serializers.FloatField(allow_null=True)
    earliest_return = serializers.DateField(allow_null=True)
    jogging_suggested = serializers.BooleanField()
    jogging_not_yet = serializers.ListField(child=serializers.CharField())


# --- Input ----------------------------------------------------------------------------------


class ProgramStartSerializer(serializers.Serializer):
    patient = serializers.PrimaryKeyRelatedField(queryset=Patient.objects.none())
    assessment = serializers.PrimaryKeyRelatedField(
        queryset=Assessment.objects.none(), required=False, allow_null=True
    )
    clinician = serializers.PrimaryKeyRelatedField(
        queryset=Clinician.objects.select_related("user"), required=False, allow_null=True
    )
    check_in_every_days = serializers.IntegerField(
        min_value=1, max_value=60, required=False, allow_null=True
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is None:  # the schema generator
            return
        user = request.user
        # Only patients (and their assessments) the caller may see can be named.
        self.fields["patient"].queryset = patients_visible_to(user)
        self.fields["assessment"].queryset = Assessment.objects.filter(
            patient_filter_for(user, prefix="patient__")
        )

    def validate(self, attrs):
        user = self.context["request"].user
        if attrs.get("clinician") is None:
            own = getattr(user, "clinician", None) if user.role == Role.CLINICIAN else None
            if own is None:
                raise ValidationError(
                    {"clinician": [gettext("Say which clinician leads the program.")]}
                )
            attrs["clinician"] = own
        return attrs


class ProgramUpdateSerializer(serializers.Serializer):
    check_in_every_days = serializers.IntegerField(min_value=1, max_value=60)


class AdvanceSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    override = serializers.BooleanField(required=False, default=False)

    def validate(self, attrs):
        if attrs.get("override") and not attrs.get("reason", "").strip():
            raise ValidationError({"reason": [gettext("An override needs a written reason.")]})
        return attrs


class CompleteSerializer(AdvanceSerializer):
    follow_up = serializers.ChoiceField(
        choices=services.FOLLOW_UPS, required=False, allow_blank=True
    )


class RebaseSerializer(serializers.Serializer):
    episode = serializers.PrimaryKeyRelatedField(
        queryset=InjuryEpisode.objects.all(), required=False, allow_null=True
    )
    step = serializers.IntegerField(min_value=1, max_value=5, required=False, allow_null=True)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class ReferSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)
    to = serializers.ChoiceField(
        choices=ReferredTo.choices,
        required=False,
        help_text="Where the patient is referred: specialist or gp (optional).",
    )


class DosageSerializer(serializers.Serializer):
    step = serializers.ChoiceField(choices=Step.choices, required=False)
    sets = serializers.IntegerField(min_value=1, max_value=20, required=False, allow_null=True)
    reps = serializers.IntegerField(min_value=1, max_value=200, required=False, allow_null=True)
    hold_seconds = serializers.IntegerField(
        min_value=1, max_value=600, required=False, allow_null=True
    )
    minutes = serializers.IntegerField(min_value=1, max_value=240, required=False, allow_null=True)
    times_per_week = serializers.IntegerField(min_value=1, max_value=21, required=False)
    load_kg = serializers.DecimalField(
        max_digits=6, decimal_places=2, min_value=0, required=False, allow_null=True
    )
    notes = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class OverrideMixin(serializers.Serializer):
    override = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Set aside a prescribing rule (step, sessions a week, 10% a week).",
    )
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000)

    def validate(self, attrs):
        if attrs.get("override") and not attrs.get("reason", "").strip():
            raise ValidationError({"reason": [gettext("An override needs a written reason.")]})
        return attrs


class PrescriptionAddSerializer(OverrideMixin, DosageSerializer):
    exercise = serializers.PrimaryKeyRelatedField(queryset=Exercise.objects.filter(is_active=True))


class PrescriptionChangeSerializer(OverrideMixin, DosageSerializer):
    is_active = serializers.BooleanField(required=False)


# --- Views ---------------------------------------------------------------------------------


class ProgramFilter(ClinicFilterSet):
    class Meta:
        model = Program
        fields = ["patient", "status", "step", "clinician"]


class ProgramViewSet(
    AccessLoggedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Five-step programs. Clinicians and managers see the programs of patients they may
    see; a patient reads their own. The front desk sees none."""

    serializer_class = ProgramSerializer
    permission_classes = [RoleAllowed]
    roles = CLINICAL
    roles_for = {"list": READERS, "retrieve": READERS, "readiness": READERS}
    filterset_class = ProgramFilter
    ordering = "-id"
    http_method_names = ["get", "post", "patch", "head", "options"]
    access_log_resource = "program"
    # The codes of the program rules' refusals, per action (the OpenAPI document lists them).
    problem_codes = {
        "create": {409: [ProgramErrorCode.PROGRAM_ALREADY_ACTIVE]},
        "advance": {
            409: [
                ProgramErrorCode.STEP_CRITERIA_UNMET,
                ProgramErrorCode.PROGRAM_AT_LAST_STEP,
                ProgramErrorCode.PROGRAM_PAUSED,
            ]
            + [ProgramErrorCode.PROGRAM_CLOSED]
        },
        "pause": {409: [ProgramErrorCode.PROGRAM_PAUSED, ProgramErrorCode.PROGRAM_CLOSED]},
        "resume": {
            409: [ProgramErrorCode.PROGRAM_NOT_PAUSED, ProgramErrorCode.PROGRAM_ALREADY_ACTIVE]
        },
        "complete": {
            409: [
                ProgramErrorCode.PROGRAM_NOT_AT_LAST_STEP,
                ProgramErrorCode.PROGRAM_PAUSED,
                ProgramErrorCode.PROGRAM_CLOSED,
            ]
        },
        "refer": {409: [ProgramErrorCode.PROGRAM_PAUSED, ProgramErrorCode.PROGRAM_CLOSED]},
    }

    def get_queryset(self):
        return programs_visible_to(self.request.user)

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if getattr(self, "swagger_fake_view", False) or not self.request.user.is_authenticated:
            return context
        context["language"] = reader_language(self.request)
        return context

    def _respond(self, program: Program, status_code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=program.pk)
        return Response(self.get_serializer(fresh).data, status=status_code)

    def _input(self, serializer_class):
        return validated(serializer_class, self.request.data, context=self.get_serializer_context())

    @extend_schema(request=ProgramStartSerializer, responses={201: ProgramSerializer})
    def create(self, request, *args, **kwargs):
        data = self._input(ProgramStartSerializer)
        program = services.program_start(
            patient=data["patient"],
            clinician=data["clinician"],
            assessment=data.get("assessment"),
            check_in_every_days=data.get("check_in_every_days"),
            started_by=request.user,
        )
        self.log_access(program, AccessAction.CREATE)
        return self._respond(program, status.HTTP_201_CREATED)

    @extend_schema(request=ProgramUpdateSerializer, responses={200: ProgramSerializer})
    def partial_update(self, request, *args, **kwargs):
        program = self.get_object()
        data = self._input(ProgramUpdateSerializer)
        program = services.program_set_check_in_rhythm(
            program=program, every_days=data["check_in_every_days"], by=request.user
        )
        return self._respond(program)

    @extend_schema(exclude=True)
    def update(self, request, *args, **kwargs):  # PUT is not offered
        raise NotFound()

    @extend_schema(request=AdvanceSerializer, responses={200: ProgramSerializer})
    @action(detail=True, methods=["post"])
    def advance(self, request, pk=None):
        """Move to the next step when its exit criteria hold (409 ``step_criteria_unmet``
        with ``unmet`` otherwise), or on an override with a written reason."""
        program = self.get_object()
        data = self._input(AdvanceSerializer)
        program = services.program_advance(
            program=program,
            by=request.user,
            reason=data.get("reason", ""),
            override=data.get("override", False),
        )
        return self._respond(program)

    @extend_schema(request=None, responses={200: ProgramReadinessSerializer})
    @action(detail=True, methods=["get"])
    def readiness(self, request, pk=None):
        """Ready to walk (all five criteria), ready to run (the three self-tests in order;
        a later one passed before an earlier is listed as out of order), where walking
        starts, and whether light jogging can be suggested yet (weeks of pain-free walking,
        the grade's earliest return), from the latest assessment and the check-ins."""
        program = self.get_object()
        # The basis episode: after a reinjury the new one, never the old one.
        assessment = services.latest_assessment_for(program)
        readiness = dict(assessment.readiness or {}) if assessment else None
        if readiness is not None and other_leg_limps(other_leg_assessment_for(program)):
            readiness["walks_without_limp"] = False  # the other leg limps: a limp is a limp
        verdict = assessment_rules.readiness_verdict(
            readiness=readiness,
            grade=assessment.grade if assessment else None,
            onset_date=assessment.episode.onset_date if assessment else None,
            pain_free_walking_weeks=pain_free_walking_weeks(
                program=program, since=findings_since(program)
            ),
            today=timezone.localdate(),
            settings=rule_settings_for(program.patient.location_id),
        )
        return Response(ProgramReadinessSerializer(verdict.as_dict()).data)

    @extend_schema(request=None, responses={200: ProgramSerializer})
    @action(detail=True, methods=["post"])
    def pause(self, request, pk=None):
        program = services.program_pause(program=self.get_object(), by=request.user)
        return self._respond(program)

    @extend_schema(request=None, responses={200: ProgramSerializer})
    @action(detail=True, methods=["post"])
    def resume(self, request, pk=None):
        program = services.program_resume(program=self.get_object(), by=request.user)
        return self._respond(program)

    @extend_schema(request=CompleteSerializer, responses={200: ProgramSerializer})
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        """Close the program after step 5, optionally suggesting personal or group training.
        409 ``escalation_open`` while an urgent or high escalation of the patient is open
        (unless ``override`` with ``reason``), 409 ``program_on_hold`` after a reinjury."""
        program = self.get_object()
        data = self._input(CompleteSerializer)
        program = services.program_complete(
            program=program,
            by=request.user,
            follow_up=data.get("follow_up", ""),
            reason=data.get("reason", ""),
            override=data.get("override", False),
        )
        return self._respond(program)

    @extend_schema(request=RebaseSerializer, responses={200: ProgramSerializer})
    @action(detail=True, methods=["post"])
    def rebase(self, request, pk=None):
        """After a reinjury: put the program on the patient's new episode (default: the open
        episode of the same leg), optionally back to an earlier ``step``; lifts the hold."""
        program = self.get_object()
        data = self._input(RebaseSerializer)
        program = services.program_rebase(
            program=program,
            by=request.user,
            episode=data.get("episode"),
            step=data.get("step"),
            reason=data.get("reason", ""),
        )
        return self._respond(program)

    @extend_schema(request=ReferSerializer, responses={200: ProgramSerializer})
    @action(detail=True, methods=["post"])
    def refer(self, request, pk=None):
        """Close the program as referred (e.g. to a specialist); the reason is required."""
        program = self.get_object()
        data = self._input(ReferSerializer)
        program = services.program_refer(
            program=program, by=request.user, reason=data["reason"], referred_to=data.get("to", "")
        )
        return self._respond(program)

    @extend_schema(request=PrescriptionAddSerializer, responses={201: PrescriptionSerializer})
    @action(detail=True, methods=["post"], url_path="prescriptions")
    def prescriptions(self, request, pk=None):
        """Prescribe an exercise with its dosage for a step (default: the current step)."""
        program = self.get_object()
        data = self._input(PrescriptionAddSerializer)
        prescription = services.prescription_add(program=program, by=request.user, **data)
        return Response(
            PrescriptionSerializer(prescription, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        request=PrescriptionChangeSerializer,
        responses={200: PrescriptionSerializer},
        parameters=[OpenApiParameter("prescription_id", int, OpenApiParameter.PATH)],
    )
    @action(
        detail=True,
        methods=["patch"],
        url_path=r"prescriptions/(?P<prescription_id>[0-9]+)",
    )
    def prescription(self, request, pk=None, prescription_id=None):
        """Change a prescription's dosage. Raising the weekly load more than 10% above a
        week ago answers 409 ``load_increase_too_large`` unless overridden with a reason."""
        program = self.get_object()
        found = Prescription.objects.select_related("exercise").filter(
            program=program, pk=prescription_id
        )
        prescription = found.first()
        if prescription is None:
            raise NotFound("No such prescription in this program.")
        data = self._input(PrescriptionChangeSerializer)
        prescription = services.prescription_change(
            prescription=prescription, by=request.user, **data
        )
        return Response(
            PrescriptionSerializer(prescription, context=self.get_serializer_context()).data
        )


def register(router) -> None:
    """Add this module's viewsets to the /api/v1/ router."""
    router.register("programs", ProgramViewSet, basename="program")
