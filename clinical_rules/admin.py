"""Admin: a location's thresholds. Every save goes through the service, so it is audited
like a change through the API (who, when, old → new)."""

from django.contrib import admin

from clinical_rules.models import RuleSetting, RuleSettingChange, RuleSeverity
from clinical_rules.services import rule_settings_update, rule_severities_update


@admin.register(RuleSetting)
class RuleSettingAdmin(admin.ModelAdmin):
    list_display = ["location", "name", "value", "updated_by", "updated_at"]
    list_filter = ["location", "name"]
    fields = ["location", "name", "value"]

    def save_model(self, request, obj, form, change):
        moved = {"location", "name"} & set(form.changed_data)
        if change and moved:  # the old setting returns to its default
            old = RuleSetting.objects.get(pk=obj.pk)
            rule_settings_update(location=old.location, values={old.name: None}, by=request.user)
        rule_settings_update(location=obj.location, values={obj.name: obj.value}, by=request.user)

    def delete_model(self, request, obj):
        rule_settings_update(location=obj.location, values={obj.name: None}, by=request.user)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


@admin.register(RuleSeverity)
class RuleSeverityAdmin(admin.ModelAdmin):
    list_display = ["location", "rule", "severity", "updated_by", "updated_at"]
    list_filter = ["location", "rule"]
    fields = ["location", "rule", "severity"]

    def save_model(self, request, obj, form, change):
        moved = {"location", "rule"} & set(form.changed_data)
        if change and moved:  # the old rule returns to its default
            old = RuleSeverity.objects.get(pk=obj.pk)
            rule_severities_update(location=old.location, values={old.rule: None}, by=request.user)
        rule_severities_update(
            location=obj.location, values={obj.rule: obj.severity}, by=request.user
        )

    def delete_model(self, request, obj):
        rule_severities_update(location=obj.location, values={obj.rule: None}, by=request.user)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


@admin.register(RuleSettingChange)
class RuleSettingChangeAdmin(admin.ModelAdmin):
    list_display = ["at", "location", "name", "old_value", "new_value", "by"]
    list_filter = ["location", "name"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
