from django.contrib import admin
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import AppInvitation, AuthEvent
from accounts.selectors import auth_event_filter_for
from clinic.admin_scope import LocationScopedAdminMixin, by_location, register_superuser_only
from clinic.admin_views import ReadOnlyAdminMixin


@admin.register(AuthEvent)
class AuthEventAdmin(LocationScopedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only and append-only; a manager sees the events of their locations' patients
    and staff."""

    staff_scope = auth_event_filter_for
    list_display = ["at", "kind", "user", "actor", "patient", "address"]
    list_filter = ["kind"]
    search_fields = ["user__username", "actor__username"]
    list_select_related = ["user", "actor", "patient"]
    raw_id_fields = ["user", "actor", "patient", "location"]
    date_hierarchy = "at"


@admin.register(AppInvitation)
class AppInvitationAdmin(LocationScopedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Which invitations went out, and their state; the token is never here (only its hash
    is stored, and that is not shown either)."""

    staff_scope = by_location("patient__location")
    list_display = ["patient", "invited_by", "created_at", "expires_at", "state"]
    list_select_related = ["patient", "invited_by"]
    fields = ["patient", "user", "invited_by", "created_at", "expires_at", "used_at", "revoked_at"]
    raw_id_fields = ["patient", "user", "invited_by"]


# Authenticators and recovery codes are a superuser's to see (keys hidden even then,
# OTP_ADMIN_HIDE_SENSITIVE_DATA); staff set up their own at sign-in.
register_superuser_only(TOTPDevice, StaticDevice)
