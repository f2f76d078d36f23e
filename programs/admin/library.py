"""Admin: the exercise library (managers keep it) and escalations (read, acknowledge,
resolve through the same services as the API)."""

from django import forms
from django.contrib import admin, messages

from clinic.admin_scope import CLINIC_WIDE, LocationScopedAdminMixin, by_patient
from clinic.api.access_log import AccessLoggedAdminMixin, client_address
from clinic.errors import Conflict
from clinic.models import AccessAction, Role
from clinic.services import access_log_record
from programs.models import Escalation, Exercise, Step
from programs.services.escalations import escalation_acknowledge, escalation_resolve


def _is_manager(request) -> bool:
    return request.user.is_superuser or request.user.role == Role.MANAGER


class ExerciseForm(forms.ModelForm):
    steps = forms.TypedMultipleChoiceField(
        choices=Step.choices,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        help_text="The steps of the method this exercise suits.",
    )

    class Meta:
        model = Exercise
        fields = [
            "code",
            "name_nl",
            "name_en",
            "category",
            "steps",
            "is_active",
            "description_nl",
            "description_en",
            "default_sets",
            "default_reps",
            "default_hold_seconds",
            "default_minutes",
            "default_times_per_week",
        ]


@admin.register(Exercise)
class ExerciseAdmin(LocationScopedAdminMixin, admin.ModelAdmin):
    """Only managers change the library; deactivate rather than delete, since prescriptions
    refer to exercises."""

    staff_scope = CLINIC_WIDE

    form = ExerciseForm
    list_display = ["name_en", "name_nl", "code", "category", "steps", "is_active"]
    list_filter = ["category", "is_active"]
    list_editable = ["is_active"]
    search_fields = ["code", "name_nl", "name_en"]
    prepopulated_fields = {"code": ["name_en"]}
    fieldsets = [
        (None, {"fields": ["code", "name_nl", "name_en", "category", "steps", "is_active"]}),
        ("Description", {"fields": ["description_nl", "description_en"]}),
        (
            "Default dosage",
            {
                "fields": [
                    "default_sets",
                    "default_reps",
                    "default_hold_seconds",
                    "default_minutes",
                    "default_times_per_week",
                ]
            },
        ),
    ]

    def has_add_permission(self, request):
        return _is_manager(request) and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return _is_manager(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Escalation)
class EscalationAdmin(LocationScopedAdminMixin, AccessLoggedAdminMixin, admin.ModelAdmin):
    access_log_resource = "escalation"
    staff_scope = by_patient("patient__")
    clinical = True

    list_display = ["patient", "rule", "severity", "status", "occurrences", "created_at"]
    list_filter = ["status", "severity", "rule", "patient__location"]
    list_select_related = ["patient"]
    search_fields = ["patient__first_name", "patient__last_name", "rule"]
    date_hierarchy = "created_at"
    readonly_fields = [
        field.name for field in Escalation._meta.fields if field.name != "resolution_note"
    ]
    actions = ["acknowledge", "resolve"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        # Changes go through the acknowledge and resolve actions.
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def _apply(self, request, queryset, change, verb: str) -> None:
        done = 0
        for escalation in queryset:
            try:
                change(escalation=escalation, by=request.user)
            except Conflict as refused:
                self.message_user(request, f"{escalation}: {refused.detail}", messages.WARNING)
            else:
                access_log_record(
                    actor=request.user,
                    patient_ids=[escalation.patient_id],
                    object_ids=[escalation.pk],
                    action=AccessAction.UPDATE,
                    resource="escalation",
                    method=request.method,
                    path=request.get_full_path(),
                    address=client_address(request),
                )
                done += 1
        self.message_user(request, f"{done} escalation(s) {verb}.")

    @admin.action(description="Acknowledge the selected escalations")
    def acknowledge(self, request, queryset):
        self._apply(request, queryset, escalation_acknowledge, "acknowledged")

    @admin.action(description="Resolve the selected escalations")
    def resolve(self, request, queryset):
        self._apply(request, queryset, escalation_resolve, "resolved")
