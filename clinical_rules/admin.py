"""Admin: a location's thresholds. Every save goes through the service, so it is audited
like a change through the API (who, when, old → new)."""

from django import forms
from django.contrib import admin

from clinic.admin_scope import LocationScopedAdminMixin, by_location
from clinical_rules.models import RuleSetting, RuleSettingChange
from clinical_rules.services import rule_settings_update
from clinical_rules.thresholds import setting_errors


class RuleSettingForm(forms.ModelForm):
    class Meta:
        model = RuleSetting
        fields = ["location", "name", "value"]

    def clean(self):
        data = super().clean()
        if data.get("name") and data.get("value") is not None:
            errors = setting_errors(data["name"], data["value"])
            if errors:
                raise forms.ValidationError({"value": errors})
        return data


@admin.register(RuleSetting)
class RuleSettingAdmin(LocationScopedAdminMixin, admin.ModelAdmin):
    # A location's own rules: its managers see and change them.
    staff_scope = by_location("location")
    clinical = True
    form = RuleSettingForm
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


@admin.register(RuleSettingChange)
class RuleSettingChangeAdmin(LocationScopedAdminMixin, admin.ModelAdmin):
    # A location's own rules: its managers see and change them.
    staff_scope = by_location("location")
    clinical = True
    list_display = ["at", "location", "name", "old_value", "new_value", "by"]
    list_filter = ["location", "name"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
