"""Admin: a location's thresholds. Every save goes through the service, so it is audited
like a change through the API (who, when, old → new)."""

from collections.abc import Callable

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import transaction

from clinic.admin_scope import LocationScopedAdminMixin, by_location
from clinic.admin_views import ReadOnlyAdminMixin
from clinic.errors import DomainError
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


class _DryRun(Exception):
    """Rolls back a trial run of the service inside the form's validation."""


class LocationRuleAdmin(LocationScopedAdminMixin, admin.ModelAdmin):
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

    def _write(self, request, *, old, location, key, value) -> None:
        """Through the service: a row moved to another location or rule first returns
        the old one to its default."""
        old_key = getattr(old, self.rows.key, None)
        if old is not None and (old.location_id, old_key) != (location.pk, key):
            self.update(location=old.location, values={old_key: None}, by=request.user)
        self.update(location=location, values={key: value}, by=request.user)

    def get_form(self, request, obj=None, **kwargs):
        """The form refuses what the service would refuse (a contradicting pair of
        thresholds, an unknown rule), with its message, instead of a server error."""
        form_class = super().get_form(request, obj, **kwargs)
        model_admin, rows = self, self.rows

        class ServiceCheckedForm(form_class):
            def clean(self):
                data = super().clean()
                if self.errors or data.get("location") is None:
                    return data
                old = self.instance if self.instance.pk else None
                try:
                    with transaction.atomic():
                        model_admin._write(
                            request,
                            old=old,
                            location=data["location"],
                            key=data.get(rows.key),
                            value=data.get(rows.field),
                        )
                        raise _DryRun
                except _DryRun:
                    pass
                except DomainError as error:
                    raise forms.ValidationError(error.detail) from error
                except ValidationError as error:
                    raise forms.ValidationError(error.messages) from error
                return data

        return ServiceCheckedForm

    def save_model(self, request, obj, form, change):
        old = self.model.objects.get(pk=obj.pk) if change else None
        key, value = getattr(obj, self.rows.key), getattr(obj, self.rows.field)
        self._write(request, old=old, location=obj.location, key=key, value=value)

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
