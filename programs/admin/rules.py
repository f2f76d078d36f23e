"""Admin: a location's exit criteria per step, saved through the service (audited)."""

from django.contrib import admin

from clinic.admin_scope import LocationScopedAdminMixin, by_location
from programs.models import ExitCriteriaSetting
from programs.services.rule_settings import exit_criteria_update


@admin.register(ExitCriteriaSetting)
class ExitCriteriaSettingAdmin(LocationScopedAdminMixin, admin.ModelAdmin):
    # A location's own rules: its managers see and change them.
    staff_scope = by_location("location")
    clinical = True
    list_display = ["location", "step", "criteria", "updated_by", "updated_at"]
    list_filter = ["location", "step"]
    fields = ["location", "step", "criteria"]

    def save_model(self, request, obj, form, change):
        moved = {"location", "step"} & set(form.changed_data)
        if change and moved:  # the old step returns to DOMAIN.md's suggestion
            old = ExitCriteriaSetting.objects.get(pk=obj.pk)
            exit_criteria_update(location=old.location, values={old.step: None}, by=request.user)
        exit_criteria_update(
            location=obj.location, values={obj.step: list(obj.criteria)}, by=request.user
        )

    def delete_model(self, request, obj):
        exit_criteria_update(location=obj.location, values={obj.step: None}, by=request.user)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)
