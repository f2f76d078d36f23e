"""Reads of the assessments app. Visibility comes from clinic.selectors, once."""

from __future__ import annotations

from django.db.models import QuerySet

from assessments.models import Assessment
from clinic.models import User
from clinic.selectors import patient_filter_for


def assessments_visible_to(user: User) -> QuerySet[Assessment]:
    """Assessments of the patients ``user`` may see, with their episode (no extra queries)."""
    return Assessment.objects.filter(patient_filter_for(user, prefix="patient__")).select_related(
        "episode"
    )
