"""Admin: escalations (read, acknowledge, resolve through the same services as the API)."""

from django.contrib import admin, messages

from clinic.admin_scope import (
    LocationScopedAdminMixin,
    by_patient,
)
from clinic.admin_views import ReadOnlyAdminMixin
from clinic.api.access_log import AccessLoggedAdminMixin, client_address
from clinic.errors import Conflict, InvalidInput
from clinic.models import AccessAction
from clinic.services import access_log_record
from clinical_rules.admin import LocationRuleAdmin
from escalations.models import Escalation, RuleSeverity
from escalations.services import (
    SEVERITY_ROWS,
    escalation_acknowledge,
    escalation_resolve,
    rule_severities_update,
)


@admin.register(Escalation)
class EscalationAdmin(
    LocationScopedAdminMixin, ReadOnlyAdminMixin, AccessLoggedAdminMixin, admin.ModelAdmin
):
    access_log_resource = "escalation"
    staff_scope = by_patient("patient__")
    clinical = True

    list_display = ["patient", "rule", "severity", "status", "occurrences", "created_at"]
    list_filter = ["status", "severity", "rule", "patient__location"]
    list_select_related = ["patient"]
    search_fields = ["patient__first_name", "patient__last_name", "rule"]
    date_hierarchy = "created_at"
    readonly_fields = [
        field.name for field in Escalation._meta.fields if field.name != "resolution_note"
    ]
    actions = ["acknowledge", "resolve"]

    def _apply(self, request, queryset, change, verb: str) -> None:
        done = 0
        for escalation in queryset:
            try:
                change(escalation=escalation, by=request.user)
            except (Conflict, InvalidInput) as refused:  # urgent/high need an outcome
                self.message_user(request, f"{escalation}: {refused.detail}", messages.WARNING)
            else:
                access_log_record(
                    actor=request.user,
                    patient_ids=[escalation.patient_id],
                    object_ids=[escalation.pk],
                    action=AccessAction.UPDATE,
                    resource="escalation",
                    method=request.method,
                    path=request.get_full_path(),
                    address=client_address(request),
                )
                done += 1
        self.message_user(request, f"{done} escalation(s) {verb}.")

    @admin.action(description="Acknowledge the selected escalations")
    def acknowledge(self, request, queryset):
        self._apply(request, queryset, escalation_acknowledge, "acknowledged")

    @admin.action(description="Resolve the selected escalations")
    def resolve(self, request, queryset):
        self._apply(request, queryset, escalation_resolve, "resolved")


@admin.register(RuleSeverity)
class RuleSeverityAdmin(LocationRuleAdmin):
    rows = SEVERITY_ROWS
    update = staticmethod(rule_severities_update)
