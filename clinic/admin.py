from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from clinic.admin_views import ReadOnlyAdminMixin
from clinic.api.access_log import AccessLoggedAdminMixin
from clinic.models import AccessLogEntry, Clinician, Location, Patient, User


@admin.register(Location)
class LocationAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "timezone"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "first_name", "last_name", "role", "is_active"]
    list_filter = ["role", "locations", "is_active", "is_staff"]
    search_fields = ["username", "first_name", "last_name", "email"]
    fieldsets = [
        *DjangoUserAdmin.fieldsets,
        ("Clinic", {"fields": ["role", "locations", "language"]}),
    ]
    add_fieldsets = [
        *DjangoUserAdmin.add_fieldsets,
        ("Clinic", {"fields": ["role", "locations"]}),
    ]
    filter_horizontal = ["locations", "groups", "user_permissions"]


@admin.register(Clinician)
class ClinicianAdmin(admin.ModelAdmin):
    list_display = ["name", "registration_number"]
    list_select_related = ["user"]
    search_fields = ["user__first_name", "user__last_name", "registration_number"]
    list_filter = ["user__locations"]
    raw_id_fields = ["user"]


@admin.register(Patient)
class PatientAdmin(AccessLoggedAdminMixin, admin.ModelAdmin):
    access_log_resource = "patient"
    access_log_patient = "pk"

    list_display = ["last_name", "first_name", "date_of_birth", "location", "primary_clinician"]
    list_select_related = ["location", "primary_clinician__user"]
    list_filter = ["location", "language", "primary_clinician"]
    search_fields = ["first_name", "last_name", "email", "phone"]
    raw_id_fields = ["user"]
    date_hierarchy = "created_at"


@admin.register(AccessLogEntry)
class AccessLogEntryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: the access log is append-only."""

    list_display = ["at", "actor", "patient", "action", "resource", "address"]
    list_filter = ["action", "resource"]
    search_fields = ["patient__last_name", "actor__username"]
    list_select_related = ["actor", "patient"]
    raw_id_fields = ["actor", "patient"]
