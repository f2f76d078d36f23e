"""The clinic's catalogue never changes what Django's and DRF's own words mean.

Our ``locale/`` comes first in the search path, so an entry with the same msgid as one of
Django's replaces it everywhere: the access log's past-tense "Delete" ("Verwijderd") once
labelled every delete button of the Dutch admin. Words of our own that share a msgid with
Django's therefore carry a context (``pgettext``).
"""

import gettext
from pathlib import Path

import django
import rest_framework
from django.conf import settings
from django.utils import translation

from accounts.models import AuthEventKind
from clinic.models import AccessAction

# Shared msgids whose Dutch differs on purpose, with why.
DELIBERATE = {
    # The problem title of a 403: "Geen toegang" reads better to a patient than "Verboden".
    "Forbidden",
    # The staff site's search button: the infinitive, as the admin's other buttons.
    "Search",
}


def _catalogue(path: Path) -> dict[str, str]:
    with path.open("rb") as mo:
        return gettext.GNUTranslations(mo)._catalog  # type: ignore[attr-defined]


def test_no_entry_of_ours_replaces_a_django_or_drf_translation_in_dutch():
    ours = _catalogue(Path(settings.BASE_DIR) / "locale/nl/LC_MESSAGES/django.mo")
    # Django's apps do not always agree with each other (admin and auth say "Password
    # reset" differently), so ours may match any of theirs.
    theirs: dict[str, set[str]] = {}
    for package in (django, rest_framework):
        for mo in Path(package.__file__).parent.rglob("locale/nl/LC_MESSAGES/django.mo"):
            for msgid, msgstr in _catalogue(mo).items():
                theirs.setdefault(msgid, set()).add(msgstr)
    overridden = {
        msgid: (theirs[msgid], ours[msgid])
        for msgid in ours
        if isinstance(msgid, str) and msgid and msgid in theirs and ours[msgid] not in theirs[msgid]
    }
    assert set(overridden) <= DELIBERATE, overridden


def test_the_admin_says_delete_and_the_access_log_says_deleted_in_dutch():
    with translation.override("nl"):
        assert translation.gettext("Delete") == "Verwijderen"
        assert str(AccessAction.DELETE.label) == "Verwijderd"
        assert str(AccessAction.EXPORT.label) == "Geëxporteerd"
        assert str(AuthEventKind.PASSWORD_RESET.label) == "Wachtwoord hersteld"
