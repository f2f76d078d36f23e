"""Admin: injury episodes and assessments, read-only.

Assessments are recorded through the API (``assessment_record``) so that their alerts and
escalations are always computed; the admin shows them, and logs who opened which one.
"""

from django.contrib import admin

from assessments.models import Assessment, InjuryEpisode
from clinic.admin_scope import LocationScopedAdminMixin, by_patient
from clinic.admin_views import ReadOnlyAdminMixin, ReadOnlyInline
from clinic.api.access_log import AccessLoggedAdminMixin


class ReadOnlyClinicalAdmin(
    LocationScopedAdminMixin, ReadOnlyAdminMixin, AccessLoggedAdminMixin, admin.ModelAdmin
):
    """Clinical records are written through the API; the admin only shows them."""

    staff_scope = by_patient("patient__")
    clinical = True


class AssessmentInline(ReadOnlyInline):
    model = Assessment
    fields = ["assessed_at", "kind", "clinician", "grade", "pain_rest", "pain_walking", "alerts"]
    show_change_link = True


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
