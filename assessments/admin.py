"""Admin: injury episodes and assessments, read-only.

Assessments are recorded through the API (``assessment_record``) so that their alerts and
escalations are always computed; the admin shows them, and logs who opened which one.
"""

from django.contrib import admin

from assessments.models import Assessment, InjuryEpisode
from clinic.api.access_log import client_address
from clinic.models import AccessAction
from clinic.services import access_log_record


class ReadOnlyClinicalAdmin(admin.ModelAdmin):
    access_log_resource = ""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        # Opening a clinical record in the admin is an access like any other (NEN 7513).
        if response.status_code == 200 and str(object_id).isdigit():
            patient_id = (
                self.model.objects.filter(pk=object_id).values_list("patient_id", flat=True).first()
            )
            if patient_id is not None:
                access_log_record(
                    actor=request.user,
                    patient_ids=[patient_id],
                    object_ids=[object_id],
                    action=AccessAction.READ,
                    resource=self.access_log_resource,
                    method=request.method,
                    path=request.get_full_path(),
                    address=client_address(request),
                )
        return response


class AssessmentInline(admin.TabularInline):
    model = Assessment
    fields = ["assessed_at", "kind", "clinician", "grade", "pain_rest", "pain_walking", "alerts"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(InjuryEpisode)
class InjuryEpisodeAdmin(ReadOnlyClinicalAdmin):
    access_log_resource = "injury_episode"
    list_display = ["patient", "side", "onset_date", "previous_injuries", "closed_at"]
    list_select_related = ["patient"]
    list_filter = ["side", "patient__location"]
    search_fields = ["patient__first_name", "patient__last_name"]
    inlines = [AssessmentInline]


@admin.register(Assessment)
class AssessmentAdmin(ReadOnlyClinicalAdmin):
    access_log_resource = "assessment"
    list_display = ["patient", "kind", "assessed_at", "grade", "clinician", "alerts"]
    list_select_related = ["patient", "clinician__user"]
    list_filter = ["kind", "grade", "patient__location"]
    search_fields = ["patient__first_name", "patient__last_name"]
    date_hierarchy = "assessed_at"
