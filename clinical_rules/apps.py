from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClinicalRulesConfig(AppConfig):
    name = "clinical_rules"
    verbose_name = _("Clinical rules")
