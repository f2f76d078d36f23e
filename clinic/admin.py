from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

from clinic.admin_scope import (
    LocationScopedAdminMixin,
    by_location,
    by_patient,
    register_superuser_only,
)
from clinic.admin_views import ReadOnlyAdminMixin, ServiceWriteAdminMixin
from clinic.api.access_log import AccessLoggedAdminMixin
from clinic.models import (
    PATIENT_EDITABLE_FIELDS,
    AccessLogEntry,
    Clinician,
    Location,
    Patient,
    User,
)
from clinic.selectors import location_ids_of
from clinic.services import patient_register, patient_update

# The clinic's own name on every admin and staff page; "View site" opens the staff site.
admin.site.site_header = "Hamstring clinic"  # the clinic's name, in every language
admin.site.site_title = "Hamstring clinic"
admin.site.index_title = _("Staff site")
admin.site.site_url = "/staff/"


def _colleagues_and_patients(user: User) -> Q:
    """Accounts a manager may look at: staff of their locations and the app accounts of
    their patients; never a superuser."""
    ids = location_ids_of(user)
    return (Q(locations__in=ids) | Q(patient__location_id__in=ids)) & Q(is_superuser=False)


@admin.register(Location)
class LocationAdmin(LocationScopedAdminMixin, admin.ModelAdmin):
    staff_scope = by_location("pk")
    list_display = ["name", "slug", "timezone"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(User)
class UserAdmin(LocationScopedAdminMixin, DjangoUserAdmin):
    """Managers see the accounts of their locations; only a superuser changes accounts
    (roles, passwords, groups): no manager group holds a change permission on users."""

    staff_scope = _colleagues_and_patients
    scope_is_many_valued = True
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
class ClinicianAdmin(LocationScopedAdminMixin, admin.ModelAdmin):
    staff_scope = by_location("user__locations")
    scope_is_many_valued = True
    list_display = ["name", "registration_number"]
    list_select_related = ["user"]
    search_fields = ["user__first_name", "user__last_name", "registration_number"]
    list_filter = ["user__locations"]
    raw_id_fields = ["user"]


class PatientAdminForm(forms.ModelForm):
    # Not stored: ticked when the desk has checked that a patient with the same name and
    # date of birth is another person (clinic.services.check_not_a_duplicate).
    confirm_new = forms.BooleanField(
        required=False,
        label=_("Confirm new patient"),
        help_text=_(
            "Tick only after checking that a patient with the same name and date of birth "
            "is a different person."
        ),
    )

    class Meta:
        model = Patient
        fields = [*PATIENT_EDITABLE_FIELDS, "confirm_new"]


@admin.register(Patient)
class PatientAdmin(
    LocationScopedAdminMixin, AccessLoggedAdminMixin, ServiceWriteAdminMixin, admin.ModelAdmin
):
    """Registering and editing go through the patient services, as in the API: staff only
    at their own locations, a primary clinician who works at the patient's location. The
    app account is opened and closed by invitation and deactivation, not here."""

    staff_scope = by_patient()
    access_log_resource = "patient"
    access_log_patient = "pk"
    form = PatientAdminForm
    fields = [
        *PATIENT_EDITABLE_FIELDS,
        "confirm_new",
        "user",
        "duplicate_confirmed_by",
        "duplicate_confirmed_at",
    ]
    readonly_fields = ["user", "duplicate_confirmed_by", "duplicate_confirmed_at"]

    def write(self, request, old, data: dict) -> Patient:
        values = {name: data[name] for name in PATIENT_EDITABLE_FIELDS if name in data}
        confirm_new = bool(data.get("confirm_new"))
        if old is None:
            return patient_register(registered_by=request.user, confirm_new=confirm_new, **values)
        changed = {name: value for name, value in values.items() if getattr(old, name) != value}
        if not changed:
            return old
        return patient_update(
            patient=old, updated_by=request.user, confirm_new=confirm_new, **changed
        )

    list_display = ["last_name", "first_name", "date_of_birth", "location", "primary_clinician"]
    list_select_related = ["location", "primary_clinician__user"]
    list_filter = ["location", "language", "primary_clinician"]
    search_fields = ["first_name", "last_name", "email", "phone"]
    date_hierarchy = "created_at"


@admin.register(AccessLogEntry)
class AccessLogEntryAdmin(LocationScopedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: the access log is append-only. Managers read their patients' entries."""

    staff_scope = by_patient("patient__")

    list_display = ["at", "actor", "patient", "action", "resource", "address"]
    list_filter = ["action", "resource"]
    search_fields = ["patient__last_name", "actor__username"]
    list_select_related = ["actor", "patient"]
    raw_id_fields = ["actor", "patient"]


# Groups and tokens are a superuser's: staff never see them.
register_superuser_only(Group, OutstandingToken, BlacklistedToken)
