from django.contrib import admin

from accounts.models import AppInvitation, AuthEvent
from accounts.selectors import auth_events_visible_to
from clinic.admin_views import ReadOnlyAdminMixin
from clinic.selectors import location_ids_of


@admin.register(AuthEvent)
class AuthEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only and append-only; a manager sees the events of their locations."""

    list_display = ["at", "kind", "user", "actor", "patient", "address"]
    list_filter = ["kind"]
    search_fields = ["user__username", "actor__username"]
    list_select_related = ["user", "actor", "patient"]
    raw_id_fields = ["user", "actor", "patient", "location"]
    date_hierarchy = "at"

    def get_queryset(self, request):
        return auth_events_visible_to(request.user).select_related("patient")


@admin.register(AppInvitation)
class AppInvitationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Which invitations went out, and their state; the token is never here (only its hash
    is stored, and that is not shown either)."""

    list_display = ["patient", "invited_by", "created_at", "expires_at", "state"]
    list_select_related = ["patient", "invited_by"]
    fields = ["patient", "user", "invited_by", "created_at", "expires_at", "used_at", "revoked_at"]
    raw_id_fields = ["patient", "user", "invited_by"]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(patient__location_id__in=location_ids_of(request.user))
