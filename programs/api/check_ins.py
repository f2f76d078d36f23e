"""API of the programs app: check-ins from the mobile app."""

from __future__ import annotations

from django.utils.translation import gettext
from drf_spectacular.utils import (
    OpenApiExample,
    extend_schema,
    extend_schema_field,
    extend_schema_serializer,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from bookings.opening import Opening, opening_at
from bookings.selectors import location_opening_hours
from clinic.api.access_log import AccessLoggedMixin
from clinic.api.authentication import reader_language
from clinic.api.filters import ClinicFilterSet, InstantFilter
from clinic.api.permissions import CLINICAL, PATIENT_ONLY, RoleAllowed
from clinic.api.serializers import validated
from clinic.errors import NotAllowed
from clinic.models import AccessAction, Role
from programs import rules
from programs.models import CheckIn, PainCharacter, PainCourse, Program
from programs.selectors import check_ins_visible_to
from programs.services.check_ins import check_in_submit

ALERT_CODES = sorted(rules.CHECK_IN_ALERT_CODES)

# What the patient answers in a check-in, in the order the app asks it.
ANSWER_FIELDS = (
    "pain_now",
    "pain_activity",
    "pain_character",
    "pain_course",
    "next_day_pain",
    "exercise_pain_over_hour",
    "exercises_done",
    "walking_minutes",
    "walks_without_limp",
    "complaints_elsewhere",
    "note",
)


# A check-in's answers on a good day, for the examples of the API document.
A_GOOD_DAY = {
    "pain_now": 2,
    "pain_activity": 3,
    "pain_character": "dull",
    "pain_course": "decreasing",
    "next_day_pain": False,
    "exercise_pain_over_hour": False,
    "exercises_done": True,
    "walking_minutes": 25,
    "walks_without_limp": True,
    "complaints_elsewhere": [],
    "note": "Walked to the station without limping.",
}


class AdviceSerializer(serializers.Serializer):
    code = serializers.ChoiceField(choices=[*ALERT_CODES, rules.KEEP_GOING, rules.UNDER_REVIEW])
    text = serializers.CharField()


class NotAnsweredSerializer(serializers.Serializer):
    field = serializers.CharField()
    rules = serializers.ListField(child=serializers.CharField())


@extend_schema_serializer(
    examples=[
        OpenApiExample("A good day", request_only=True, value=A_GOOD_DAY),
        OpenApiExample(
            "A stop signal: sharp pain, increasing",
            request_only=True,
            value={
                "pain_now": 5,
                "pain_activity": 8,
                "pain_character": "sharp",
                "pain_course": "increasing",
                "exercises_done": False,
                "complaints_elsewhere": ["knee"],
            },
        ),
    ]
)
class CheckInInputSerializer(serializers.Serializer):
    program = serializers.PrimaryKeyRelatedField(
        queryset=Program.objects.none(),
        required=False,
        allow_null=True,
        help_text="Default: the patient's active program.",
    )
    pain_now = serializers.IntegerField(min_value=0, max_value=10)
    pain_activity = serializers.IntegerField(min_value=0, max_value=10)
    pain_character = serializers.ChoiceField(choices=PainCharacter.choices)
    pain_course = serializers.ChoiceField(choices=PainCourse.choices)
    # Left out or null: "not answered"; never a default that fires or hides a rule.
    next_day_pain = serializers.BooleanField(required=False, allow_null=True, default=None)
    exercise_pain_over_hour = serializers.BooleanField(
        required=False, allow_null=True, default=None
    )
    exercises_done = serializers.BooleanField(required=False, default=False)
    walking_minutes = serializers.IntegerField(
        min_value=0, max_value=24 * 60, required=False, allow_null=True, default=None
    )
    walks_without_limp = serializers.BooleanField(required=False, allow_null=True, default=None)
    complaints_elsewhere = serializers.ListField(
        child=serializers.ChoiceField(choices=rules.COMPLAINT_AREAS),
        required=False,
        default=list,
        max_length=len(rules.COMPLAINT_AREAS),
    )
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=4000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the patient's own programs can be named; another's is simply unknown.
        request = self.context.get("request")
        if request is not None:
            self.fields["program"].queryset = Program.objects.filter(
                patient__user_id=request.user.pk
            )


class CheckInSerializer(serializers.ModelSerializer):
    complaints_elsewhere = serializers.ListField(
        child=serializers.ChoiceField(choices=rules.COMPLAINT_AREAS), read_only=True
    )
    alerts = serializers.ListField(
        child=serializers.ChoiceField(choices=ALERT_CODES), read_only=True
    )
    advice = serializers.SerializerMethodField()
    not_answered = serializers.SerializerMethodField()

    class Meta:
        model = CheckIn
        fields = [
            "id",
            "patient",
            "program",
            "submitted_at",
            *ANSWER_FIELDS,
            "alerts",
            "advice",
            "not_answered",
        ]
        read_only_fields = fields

    @extend_schema_field(AdviceSerializer(many=True))
    def get_advice(self, check_in: CheckIn) -> list[dict[str, str]]:
        """The advice the patient was given, in the reader's language (a patient's is on
        their record)."""
        codes = check_in.advice_codes or rules.advice_codes_for(check_in.alerts)
        opening = None
        if rules.SUSPECTED_GRADE_3 in codes:
            opening = self._opening_at(check_in)
        return rules.advice_texts(
            codes,
            reader_language(self.context.get("request")),
            opening=opening,
            now=check_in.submitted_at,
        )

    def _opening_at(self, check_in: CheckIn) -> Opening:
        """Whether the patient's location was open when they checked in, else when it next
        opened: the hours are read once per location and answer (three queries)."""
        cache = self.context.setdefault("_opening_hours", {})
        location_id = check_in.patient.location_id
        if location_id not in cache:
            cache[location_id] = location_opening_hours(location_id=location_id)
        return opening_at(cache[location_id], check_in.submitted_at)

    @extend_schema_field(NotAnsweredSerializer(many=True))
    def get_not_answered(self, check_in: CheckIn) -> list[dict[str, object]]:
        """Questions left open that a rule reads, and the rules that could not judge."""
        return rules.not_answered(rules.CheckInReport.of(check_in))


class CheckInFilter(ClinicFilterSet):
    submitted_after = InstantFilter(field_name="submitted_at", lookup_expr="gte")

    class Meta:
        model = CheckIn
        fields = ["patient", "program"]


class CheckInViewSet(
    AccessLoggedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Patients submit their own check-ins and read them back; clinicians and managers read
    the check-ins of patients they may see. The front desk sees none."""

    serializer_class = CheckInSerializer
    permission_classes = [RoleAllowed]
    roles = CLINICAL | PATIENT_ONLY
    roles_for = {"create": PATIENT_ONLY}
    filterset_class = CheckInFilter
    ordering = ("-submitted_at", "-id")
    access_log_resource = "check_in"

    def get_queryset(self):
        return check_ins_visible_to(self.request.user)

    @extend_schema(request=CheckInInputSerializer, responses={201: CheckInSerializer})
    def create(self, request, *args, **kwargs):
        """Submit a check-in; the answer lists the alerts and advice for the patient."""
        patient = (
            getattr(request.user, "patient", None) if request.user.role == Role.PATIENT else None
        )
        if patient is None:
            raise NotAllowed(gettext("Only a patient with a record can check in."))
        answers = validated(CheckInInputSerializer, request.data, context={"request": request})
        check_in = check_in_submit(patient=patient, **answers)
        self.log_access(check_in, AccessAction.CREATE)
        return Response(self.get_serializer(check_in).data, status=status.HTTP_201_CREATED)


def register(router) -> None:
    """Add this module's viewsets to the /api/v1/ router."""
    router.register("check-ins", CheckInViewSet, basename="check-in")
