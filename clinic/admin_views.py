"""What every app's admin shares."""

from __future__ import annotations

from django.contrib import admin


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
