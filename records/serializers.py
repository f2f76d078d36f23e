"""HTTP shapes of the patient's own record. Field lists come from ``records.readable``."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from assessments import rules as assessment_rules
from assessments.models import Assessment
from clinic.time import local_date
from escalations.models import Escalation
from programs.api.check_ins import CheckInSerializer
from programs.models import Program, StepTransition
from records import readable, wording


class _InLanguage:
    """Serializers whose texts follow the reading patient's language (``context``)."""

    @property
    def language(self) -> str:
        return self.context.get("language", "nl")


class WordsField(_InLanguage, serializers.CharField):
    """The plain words of the code at ``source`` (``wording.say``), in the reading patient's
    language. A code of None has words too (an unknown grade), so the words are looked up
    before the serializer would pass a None on as null."""

    def __init__(self, table: dict, **kwargs):
        self.table = table
        super().__init__(read_only=True, **kwargs)

    def get_attribute(self, instance) -> str:
        return wording.say(self.table, super().get_attribute(instance), self.language)


class DateWindowSerializer(serializers.Serializer):
    earliest = serializers.DateField()
    latest = serializers.DateField()


class RedFlagSerializer(serializers.Serializer):
    code = serializers.CharField()
    text = serializers.CharField()


class RecordAssessmentSerializer(_InLanguage, serializers.ModelSerializer):
    kind = serializers.CharField(help_text="intake or reassessment.")
    side = serializers.CharField(source="episode.side", help_text="left or right.")
    kind_text = WordsField(wording.ASSESSMENT_KIND, source="kind")
    side_text = WordsField(wording.SIDE, source="episode.side")
    grade_text = WordsField(wording.GRADE, source="grade")
    phase = serializers.SerializerMethodField()
    phase_text = serializers.SerializerMethodField()
    return_to_jog = serializers.SerializerMethodField()
    return_to_jog_text = serializers.SerializerMethodField()
    red_flags = serializers.SerializerMethodField()

    class Meta:
        model = Assessment
        fields = list(readable.ASSESSMENT)
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=["acute", "chronic"]))
    def get_phase(self, assessment: Assessment) -> str:
        return assessment_rules.phase(
            onset_date=assessment.episode.onset_date, on=local_date(assessment.assessed_at)
        )

    def get_phase_text(self, assessment: Assessment) -> str:
        return wording.say(wording.PHASE, self.get_phase(assessment), self.language)

    def _window(self, assessment: Assessment):
        return assessment_rules.return_to_run(
            grade=assessment.grade, onset_date=assessment.episode.onset_date
        )

    @extend_schema_field(DateWindowSerializer(allow_null=True))
    def get_return_to_jog(self, assessment: Assessment) -> dict | None:
        window = self._window(assessment)
        return DateWindowSerializer(window).data if window else None

    def get_return_to_jog_text(self, assessment: Assessment) -> str:
        return wording.return_to_jog_text(
            self._window(assessment), self.language, grade=assessment.grade
        )

    @extend_schema_field(RedFlagSerializer(many=True))
    def get_red_flags(self, assessment: Assessment) -> list[dict[str, str]]:
        return [
            {"code": code, "text": wording.say(wording.RED_FLAG, code, self.language)}
            for code in assessment.red_flags
        ]


class StepChangeSerializer(_InLanguage, serializers.ModelSerializer):
    from_step = serializers.IntegerField()
    to_step = serializers.IntegerField()
    to_step_text = WordsField(wording.STEP, source="to_step")

    class Meta:
        model = StepTransition
        fields = list(readable.STEP_CHANGE)
        read_only_fields = fields


class RecordProgramSerializer(_InLanguage, serializers.ModelSerializer):
    step = serializers.IntegerField(help_text="1-5.")
    status = serializers.CharField(help_text="active, paused, completed or referred.")
    step_text = WordsField(wording.STEP, source="step")
    status_text = WordsField(wording.PROGRAM_STATUS, source="status_words")
    history = serializers.SerializerMethodField()

    class Meta:
        model = Program
        fields = list(readable.PROGRAM)
        read_only_fields = fields

    @extend_schema_field(StepChangeSerializer(many=True))
    def get_history(self, program: Program) -> list[dict]:
        return StepChangeSerializer(program.transitions.all(), many=True, context=self.context).data


class RecordCheckInSerializer(CheckInSerializer):
    class Meta(CheckInSerializer.Meta):
        fields = list(readable.CHECK_IN)
        read_only_fields = fields


class RecordEscalationSerializer(_InLanguage, serializers.ModelSerializer):
    status = serializers.CharField(help_text="open, acknowledged or resolved.")
    rule_text = WordsField(wording.RULE, source="rule")
    status_text = WordsField(wording.ESCALATION_STATUS, source="status")
    outcome = serializers.SerializerMethodField()
    outcome_text = serializers.SerializerMethodField()

    class Meta:
        model = Escalation
        fields = list(readable.ESCALATION)
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_outcome(self, escalation: Escalation) -> str | None:
        return escalation_outcome(escalation)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_outcome_text(self, escalation: Escalation) -> str | None:
        outcome = escalation_outcome(escalation)
        return wording.say(wording.ESCALATION_OUTCOME, outcome, self.language) if outcome else None


def escalation_outcome(escalation: Escalation) -> str | None:
    """The resolved escalation's outcome code, when the clinic recorded one."""
    return getattr(escalation, "outcome", "") or None


class RecordPatientSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    date_of_birth = serializers.DateField()
    language = serializers.CharField()
    location = serializers.CharField(source="location.slug")


class PatientRecordSerializer(serializers.Serializer):
    """``GET /api/v1/me/record/``."""

    patient = RecordPatientSerializer()
    language = serializers.CharField()
    assessments = RecordAssessmentSerializer(many=True)
    programs = RecordProgramSerializer(many=True)
    check_ins = RecordCheckInSerializer(many=True)
    check_ins_total = serializers.IntegerField()
    check_ins_more = serializers.URLField(
        allow_null=True, help_text="Older check-ins, paged (GET /api/v1/check-ins/)."
    )
    escalations = RecordEscalationSerializer(many=True)


class AccessLogSeenByPatientSerializer(serializers.Serializer):
    """One line of ``GET /api/v1/me/access-log/``: who (role, location, and the name where
    clinic policy allows), opened what, when. ``context``: ``patient`` and ``show_names``."""

    at = serializers.DateTimeField()
    action = serializers.CharField(help_text="read, create, update, delete or export.")
    resource = serializers.CharField(help_text="What was opened, e.g. 'assessment'.")
    object_id = serializers.CharField()
    role = serializers.CharField(source="actor.role")
    location = serializers.SerializerMethodField(help_text="Where the person works (slug).")
    name = serializers.SerializerMethodField(
        help_text="The person's name; null where clinic policy keeps staff names out."
    )

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_location(self, entry) -> str | None:
        places = list(entry.actor.locations.all())
        if not places:
            return None
        # Staff of both locations most likely worked where the patient is treated.
        patient = self.context["patient"]
        here = next((p for p in places if p.pk == patient.location_id), places[0])
        return here.slug

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_name(self, entry) -> str | None:
        actor = entry.actor
        is_self = actor.pk == self.context["patient"].user_id
        if not (is_self or self.context["show_names"]):
            return None
        return actor.get_full_name() or actor.username
