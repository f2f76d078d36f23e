"""Admin: programs (with their step history and prescriptions) and check-ins.

Step changes and load changes go through the API's services, so here the history and the
patient's reports are read-only; opening a record is access-logged like an API read.
"""

from django.contrib import admin

from clinic.admin_scope import LocationScopedAdminMixin, by_patient
from clinic.admin_views import ReadOnlyAdminMixin, ReadOnlyInline
from clinic.api.access_log import AccessLoggedAdminMixin
from programs import rules
from programs.models import CheckIn, Prescription, PrescriptionLoadChange, Program, StepTransition
from programs.services.programs import program_set_check_in_rhythm


class StepTransitionInline(ReadOnlyInline):
    model = StepTransition
    fields = [
        "at",
        "from_step",
        "to_step",
        "by",
        "criteria_met",
        "criteria_unmet",
        "override",
        "reason",
    ]


class PrescriptionInline(ReadOnlyInline):
    model = Prescription
    show_change_link = True
    fields = ["exercise", "step", *rules.DOSAGE_FIELDS, "is_active"]


@admin.register(Program)
class ProgramAdmin(LocationScopedAdminMixin, AccessLoggedAdminMixin, admin.ModelAdmin):
    staff_scope = by_patient("patient__")
    clinical = True
    access_log_resource = "program"
    list_display = [
        "id",
        "patient",
        "clinician",
        "step",
        "status",
        "check_in_every_days",
        "started_at",
    ]
    list_select_related = ["patient", "clinician__user"]
    list_filter = ["status", "step", "patient__location", "clinician"]
    search_fields = ["patient__first_name", "patient__last_name", "patient__email"]
    date_hierarchy = "started_at"
    # Step and status change only through advance/pause/complete/refer, which keep history;
    # the patient, clinician and episode only by starting a program; the check-in rhythm
    # (the one thing changed here) through its service, which marks it as set by a person.
    readonly_fields = [
        "patient",
        "clinician",
        "episode",
        "check_in_every_days_set",
        "step",
        "status",
        "started_at",
        "closed_at",
        "closed_reason",
        "follow_up",
        "created_at",
        "updated_at",
    ]
    inlines = [StepTransitionInline, PrescriptionInline]

    def has_add_permission(self, request):
        return False  # a program is started through the API (program_start)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if "check_in_every_days" in form.changed_data:
            program_set_check_in_rhythm(
                program=obj, every_days=obj.check_in_every_days, by=request.user
            )


class LoadChangeInline(ReadOnlyInline):
    model = PrescriptionLoadChange
    fields = ["at", "by", "load_before", "load_after", "override", "reason"]


@admin.register(Prescription)
class PrescriptionAdmin(LocationScopedAdminMixin, AccessLoggedAdminMixin, admin.ModelAdmin):
    """Read-only: dosage changes go through the service that enforces the 10% rule."""

    staff_scope = by_patient("program__patient__")
    clinical = True

    access_log_resource = "program"
    access_log_patient = "program__patient_id"
    list_display = ["id", "program", "exercise", "step", "sets", "reps", "load_kg", "is_active"]
    list_select_related = ["program__patient", "exercise"]
    list_filter = ["step", "is_active", "exercise__category"]
    search_fields = ["program__patient__last_name", "exercise__name_en", "exercise__name_nl"]
    inlines = [LoadChangeInline]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in Prescription._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CheckIn)
class CheckInAdmin(
    LocationScopedAdminMixin, ReadOnlyAdminMixin, AccessLoggedAdminMixin, admin.ModelAdmin
):
    """What the patient reported is theirs: read-only here."""

    staff_scope = by_patient("patient__")
    clinical = True

    access_log_resource = "check_in"
    list_display = [
        "id",
        "patient",
        "submitted_at",
        "pain_now",
        "pain_activity",
        "pain_character",
        "pain_course",
        "alerts",
    ]
    list_select_related = ["patient"]
    list_filter = ["pain_character", "pain_course", "next_day_pain", "patient__location"]
    search_fields = ["patient__first_name", "patient__last_name", "note"]
    date_hierarchy = "submitted_at"

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in CheckIn._meta.fields]
