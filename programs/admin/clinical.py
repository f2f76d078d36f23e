"""Admin: programs (with their step history and prescriptions) and check-ins.

Step changes and load changes go through the API's services, so here the history and the
patient's reports are read-only; opening a record is access-logged like an API read.
"""

from django.contrib import admin

from clinic.api.access_log import client_address
from clinic.models import AccessAction
from clinic.services import access_log_record
from programs.models import CheckIn, Prescription, PrescriptionLoadChange, Program, StepTransition


class AccessLoggedAdmin(admin.ModelAdmin):
    """Opening or saving a patient's clinical record in the admin is logged (NEN 7513)."""

    access_log_resource = ""

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        if response.status_code in (200, 302) and str(object_id).isdigit():
            patient_id = (
                self.model.objects.filter(pk=object_id).values_list("patient_id", flat=True).first()
                if self.model is not Prescription
                else Prescription.objects.filter(pk=object_id)
                .values_list("program__patient_id", flat=True)
                .first()
            )
            if patient_id is not None:
                access_log_record(
                    actor=request.user,
                    patient_ids=[patient_id],
                    object_ids=[object_id],
                    action=AccessAction.UPDATE if request.method == "POST" else AccessAction.READ,
                    resource=self.access_log_resource,
                    method=request.method,
                    path=request.get_full_path(),
                    address=client_address(request),
                )
        return response


class StepTransitionInline(admin.TabularInline):
    model = StepTransition
    extra = 0
    can_delete = False
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
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class PrescriptionInline(admin.TabularInline):
    model = Prescription
    extra = 0
    can_delete = False
    show_change_link = True
    fields = [
        "exercise",
        "step",
        "sets",
        "reps",
        "hold_seconds",
        "minutes",
        "times_per_week",
        "load_kg",
        "is_active",
    ]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Program)
class ProgramAdmin(AccessLoggedAdmin):
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
    raw_id_fields = ["patient", "episode", "clinician"]
    # Step and status change only through advance/pause/complete/refer, which keep history.
    readonly_fields = [
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

    def has_delete_permission(self, request, obj=None):
        return False


class LoadChangeInline(admin.TabularInline):
    model = PrescriptionLoadChange
    extra = 0
    can_delete = False
    fields = ["at", "by", "load_before", "load_after", "override", "reason"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Prescription)
class PrescriptionAdmin(AccessLoggedAdmin):
    """Read-only: dosage changes go through the service that enforces the 10% rule."""

    access_log_resource = "program"
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
class CheckInAdmin(AccessLoggedAdmin):
    """What the patient reported is theirs: read-only here."""

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

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        # Viewing is allowed (has_view_permission); nothing can be saved.
        return False

    def has_delete_permission(self, request, obj=None):
        return False
