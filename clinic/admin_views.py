"""What every app's admin shares."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import transaction

from clinic.errors import DomainError


class ReadOnlyAdminMixin:
    """Shown in the admin, never added, changed or deleted there: records written through
    the API and the services (clinical records, escalations, the access log). Viewing is
    allowed through ``has_view_permission``; admin actions may still call services."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    """A record's history or parts shown under it (step changes, prescriptions, load
    changes, appointment changes): every field in ``fields`` read-only, no row added or
    deleted here."""

    extra = 0
    can_delete = False

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request, obj=None):
        return False


class _DryRun(Exception):
    """Rolls back a trial run of a service inside a form's validation."""


class ServiceWriteAdminMixin:
    """An admin whose saves go through a domain service, ``write(request, old, data)``
    (``old``: the object as stored, or None when adding; ``data``: the form's cleaned
    data). The form runs ``write`` once in a savepoint that is rolled back, so what the
    service refuses is the form's error, not a server error; the save runs it for real."""

    def write(self, request, old, data: dict):
        """Save through the service; return the saved object (or None if there is none)."""
        raise NotImplementedError

    def get_form(self, request, obj=None, **kwargs):
        form_class = super().get_form(request, obj, **kwargs)
        model_admin = self

        class ServiceCheckedForm(form_class):
            def clean(self):
                data = super().clean()
                if self.errors:
                    return data
                pk = self.instance.pk
                old = model_admin.model.objects.get(pk=pk) if pk is not None else None
                try:
                    with transaction.atomic():
                        model_admin.write(request, old, data)
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
        saved = self.write(request, old, form.cleaned_data)
        if saved is not None:  # the admin's log entry and redirect name the saved row
            obj.pk, obj._state.adding = saved.pk, False
