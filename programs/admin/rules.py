"""Admin: a location's exit criteria per step, saved through the service (audited)."""

from django.contrib import admin

from clinical_rules.admin import LocationRuleAdmin
from programs.models import ExitCriteriaSetting
from programs.services.rule_settings import EXIT_CRITERIA_ROWS, exit_criteria_update


@admin.register(ExitCriteriaSetting)
class ExitCriteriaSettingAdmin(LocationRuleAdmin):
    # Deleting a row returns the step to DOMAIN.md's suggestion.
    rows = EXIT_CRITERIA_ROWS
    update = staticmethod(exit_criteria_update)
