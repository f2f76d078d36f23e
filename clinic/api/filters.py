"""Filter conventions: ids in query strings are positive 64-bit integers, times are
ISO 8601 instants, or a 400."""

from datetime import UTC

import django_filters
from django import forms
from django.db import models
from drf_spectacular.utils import extend_schema_field

MAX_ID = 2**63 - 1


class IdField(forms.IntegerField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


@extend_schema_field({"type": "integer", "format": "int64", "minimum": 1, "maximum": MAX_ID})
class IdFilter(django_filters.NumberFilter):
    """``?patient=12``: no decimals, no negatives, nothing a database cannot hold."""

    field_class = IdField


class InstantField(django_filters.fields.IsoDateTimeField):
    """An ISO 8601 time with offset, as the instant it names (UTC).

    PostgreSQL accepts offsets up to 15:59 only, while ISO 8601 (and Python) allow any
    offset under a day: converting to UTC first makes ``-19:33`` a time like any other.
    """

    def to_python(self, value):
        value = super().to_python(value)
        return value.astimezone(UTC) if value is not None else None


@extend_schema_field({"type": "string", "format": "date-time"})
class InstantFilter(django_filters.IsoDateTimeFilter):
    """``?start_after=2027-03-28T10:00:00+02:00``: an instant, whatever its offset."""

    field_class = InstantField


class StrictBooleanField(forms.NullBooleanField):
    """``true`` or ``false`` (``1``/``0``); django-filter's field also takes ``null`` or
    ``unknown`` and then filters nothing, which the client cannot tell from a filter."""

    # The raw text: NullBooleanSelect would turn anything it does not know into "not given".
    widget = forms.TextInput

    def to_python(self, value):
        if value in (None, ""):
            return None
        if value in ("true", "True", "1"):
            return True
        if value in ("false", "False", "0"):
            return False
        raise forms.ValidationError("Give true or false.", code="invalid")

    def validate(self, value):
        pass


class BooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField


class ClinicFilterSet(django_filters.FilterSet):
    """Base of every API filter set: foreign keys listed in ``Meta.fields`` filter by id
    (one query less than django-filter's default, which looks the object up first)."""

    FILTER_DEFAULTS = {
        **django_filters.FilterSet.FILTER_DEFAULTS,
        models.ForeignKey: {"filter_class": IdFilter},
        models.OneToOneField: {"filter_class": IdFilter},
        models.BooleanField: {"filter_class": BooleanFilter},
    }

    def is_valid(self) -> bool:
        # ``?status=`` is a mistake, not "any status": an empty value is a 400, like
        # any other value the filter cannot use.
        valid = super().is_valid()
        for name in self.filters:
            if name in self.data and self.data.get(name) == "":
                self.form.add_error(name, "Give a value, or leave the parameter out.")
                valid = False
        return valid
