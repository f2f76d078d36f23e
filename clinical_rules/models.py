"""A location's own values for the clinical thresholds, and the audit of every change."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from clinic.models import Location
from clinical_rules.thresholds import SETTING_NAMES


class RuleSetting(models.Model):
    """One threshold a location's managers set away from the clinic's default. No row:
    the default (``clinical_rules.thresholds.DEFAULTS``) is in force."""

    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="rule_settings")
    name = models.CharField(max_length=60, choices=[(n, n) for n in SETTING_NAMES])
    value = models.IntegerField()
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["location", "name"]
        constraints = [
            models.UniqueConstraint(fields=["location", "name"], name="one_rule_setting_per_name")
        ]

    def __str__(self) -> str:
        return f"{self.name} = {self.value} at {self.location}"


class RuleSettingChange(models.Model):
    """Who changed which threshold, severity or exit criteria of which location, when, from
    what to what. ``name`` is the threshold, ``severity:<rule>`` or ``exit_criteria:<step>``;
    ``None`` is the clinic's default."""

    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=80)
    old_value = models.JSONField(null=True, blank=True)
    new_value = models.JSONField(null=True, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.name}: {self.old_value} → {self.new_value} ({self.location})"
