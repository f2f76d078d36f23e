"""Admin: a location's thresholds. Every save goes through the service, so it is audited
like a change through the API (who, when, old → new)."""

from collections.abc import Callable

from django import forms
from django.contrib import admin

from clinic.admin_scope import LocationScopedAdminMixin, by_location
from clinic.admin_views import ReadOnlyAdminMixin, ServiceWriteAdminMixin
from clinical_rules.models import RuleSetting, RuleSettingChange
from clinical_rules.services import THRESHOLD_ROWS, LocationRuleRows, rule_settings_update
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


class LocationRuleAdmin(LocationScopedAdminMixin, ServiceWriteAdminMixin, admin.ModelAdmin):
    """A location's own values of one kind of rule (``rows``): its managers see and change
    them. Every save and delete goes through ``update``, the service that audits it."""

    staff_scope = by_location("location")
    clinical = True
    rows: LocationRuleRows
    update: Callable[..., object]  # a staticmethod: update(location=, values=, by=)

    def __init__(self, model, admin_site):
        self.fields = ["location", self.rows.key, self.rows.field]
        self.list_display = [*self.fields, "updated_by", "updated_at"]
        self.list_filter = ["location", self.rows.key]
        super().__init__(model, admin_site)

    def write(self, request, old, data: dict) -> None:
        """Through the service: a row moved to another location or rule first returns
        the old one to its default."""
        location, key = data["location"], data.get(self.rows.key)
        old_key = getattr(old, self.rows.key, None)
        if old is not None and (old.location_id, old_key) != (location.pk, key):
            self.update(location=old.location, values={old_key: None}, by=request.user)
        self.update(location=location, values={key: data.get(self.rows.field)}, by=request.user)

    def delete_model(self, request, obj):
        values = {getattr(obj, self.rows.key): None}
        self.update(location=obj.location, values=values, by=request.user)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


@admin.register(RuleSetting)
class RuleSettingAdmin(LocationRuleAdmin):
    form = RuleSettingForm
    rows = THRESHOLD_ROWS
    update = staticmethod(rule_settings_update)


@admin.register(RuleSettingChange)
class RuleSettingChangeAdmin(LocationScopedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    # A location's own rules: its managers see and change them.
    staff_scope = by_location("location")
    clinical = True
    list_display = ["at", "location", "name", "old_value", "new_value", "by"]
    list_filter = ["location", "name"]
