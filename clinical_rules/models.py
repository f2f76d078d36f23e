"""A location's own values for the clinical thresholds, and the audit of every change."""

import functools
import operator

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clinic.models import Location
from clinical_rules.thresholds import SETTING_NAMES, SETTINGS


def _within_bounds() -> models.Q:
    """Each threshold's value within its bounds (``thresholds.py``, from DOMAIN.md)."""
    bounds = [
        models.Q(name=name, value__gte=f.metadata["minimum"], value__lte=f.metadata["maximum"])
        for name, f in SETTINGS.items()
    ]
    return functools.reduce(operator.or_, bounds)


class LocationRuleValue(models.Model):
    """A location's own value for a rule (a threshold, a severity, exit criteria), with
    who set it when; ``clinical_rules.services.LocationRuleRows`` writes and audits them."""

    updated_at = models.DateTimeField(default=timezone.now, verbose_name=_("updated at"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("updated by"),
    )

    class Meta:
        abstract = True


class RuleSetting(LocationRuleValue):
    """One threshold a location's managers set away from the clinic's default. No row:
    the default (``clinical_rules.thresholds.DEFAULTS``) is in force."""

    location = models.ForeignKey(
        Location, on_delete=models.CASCADE, related_name="rule_settings", verbose_name=_("location")
    )
    name = models.CharField(
        max_length=60, choices=[(n, n) for n in SETTING_NAMES], verbose_name=_("name")
    )
    value = models.IntegerField(verbose_name=_("value"))

    class Meta:
        verbose_name = _("rule setting")
        verbose_name_plural = _("rule settings")
        ordering = ["location", "name"]
        constraints = [
            models.UniqueConstraint(fields=["location", "name"], name="one_rule_setting_per_name"),
            # The safety floors hold whoever writes: a bound changes with a migration.
            models.CheckConstraint(
                condition=_within_bounds(), name="rule_setting_within_domain_bounds"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} = {self.value} at {self.location}"


class RuleSettingChange(models.Model):
    """Who changed which threshold, severity or exit criteria of which location, when, from
    what to what. ``name`` is the threshold, ``severity:<rule>`` or ``exit_criteria:<step>``;
    ``None`` is the clinic's default."""

    location = models.ForeignKey(
        Location, on_delete=models.PROTECT, related_name="+", verbose_name=_("location")
    )
    name = models.CharField(max_length=80, verbose_name=_("name"))
    old_value = models.JSONField(null=True, blank=True, verbose_name=_("old value"))
    new_value = models.JSONField(null=True, blank=True, verbose_name=_("new value"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    at = models.DateTimeField(default=timezone.now, verbose_name=_("at"))

    class Meta:
        verbose_name = _("rule setting change")
        verbose_name_plural = _("rule setting changes")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.name}: {self.old_value} → {self.new_value} ({self.location})"
