"""Filter conventions: ids in query strings are positive 64-bit integers, or a 400."""

import django_filters
from django import forms
from django.db import models

MAX_ID = 2**63 - 1


class IdField(forms.IntegerField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


class IdFilter(django_filters.NumberFilter):
    """``?patient=12``: no decimals, no negatives, nothing a database cannot hold."""

    field_class = IdField


class ClinicFilterSet(django_filters.FilterSet):
    """Base of every API filter set: foreign keys listed in ``Meta.fields`` filter by id
    (one query less than django-filter's default, which looks the object up first)."""

    FILTER_DEFAULTS = {
        **django_filters.FilterSet.FILTER_DEFAULTS,
        models.ForeignKey: {"filter_class": IdFilter},
        models.OneToOneField: {"filter_class": IdFilter},
    }
