"""Admin: the exercise library (managers keep it)."""

from django import forms
from django.contrib import admin

from clinic.admin_scope import CLINIC_WIDE, LocationScopedAdminMixin
from clinic.models import Role
from programs.models import Exercise, Step


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
