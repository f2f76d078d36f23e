"""The reader's language: the one home of the choice of language for what a view returns."""

from __future__ import annotations

from django.utils.translation.trans_real import parse_accept_lang_header
from rest_framework.exceptions import ValidationError

from clinic.models import Language, Patient, Role, User

DEFAULT_LANGUAGE = Language.DUTCH


def reader_language(request) -> str:
    """Patients read in the language on their record; staff choose with ``?lang=`` or
    ``Accept-Language``; Dutch otherwise."""
    user: User = request.user
    if user.role == Role.PATIENT:
        language = Patient.objects.filter(user=user).values_list("language", flat=True).first()
        return language or DEFAULT_LANGUAGE
    asked = request.query_params.get("lang")
    if asked is not None:
        if asked not in Language.values:
            raise ValidationError({"lang": [f"Choose one of: {', '.join(Language.values)}."]})
        return asked
    for tag, _quality in parse_accept_lang_header(request.headers.get("Accept-Language", "")):
        primary = tag.split("-")[0].lower()
        if primary in Language.values:
            return primary
    return DEFAULT_LANGUAGE
