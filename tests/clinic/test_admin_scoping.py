"""The admin's location wall: every registered admin model, walked as each staff role of
Rotterdam, shows Rotterdam's rows only; a Zoetermeer object's change URL is a 404; hidden
models are refused; filters, autocompletes and actions see only what the list sees."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.urls import reverse

from bookings.models import AppointmentStatus
from clinic.admin_scope import LocationScopedAdminMixin
from clinic.models import AccessLogEntry, User
from tests.staff.clinic import SURNAMES, build_site

pytestmark = pytest.mark.django_db

# What each role's changelists show (200); every other registered model answers 403.
ADMINISTRATIVE = {
    "clinic.location",
    "clinic.clinician",
    "clinic.patient",
    "bookings.appointmenttype",
    "bookings.workinghours",
    "bookings.scheduleexception",
    "bookings.appointment",
    "notifications.notificationpreference",
}
CLINICAL = {
    "programs.exercise",
    "programs.program",
    "programs.prescription",
    "programs.checkin",
    "escalations.escalation",
    "assessments.injuryepisode",
    "assessments.assessment",
}
VISIBLE = {
    "desk": ADMINISTRATIVE,
    "clinician": ADMINISTRATIVE | CLINICAL,
    "manager": ADMINISTRATIVE
    | CLINICAL
    | {
        "clinic.user",
        "clinic.accesslogentry",
        "clinical_rules.rulesetting",
        "clinical_rules.rulesettingchange",
        "escalations.ruleseverity",
        "programs.exitcriteriasetting",
        "accounts.authevent",
        "accounts.appinvitation",
    },
}
SUPERUSER_ONLY = {
    "auth.group",
    "token_blacklist.outstandingtoken",
    "token_blacklist.blacklistedtoken",
    "bookings.calendarfeed",
    "notifications.notification",
    "notifications.consentchange",
    "otp_totp.totpdevice",
    "otp_static.staticdevice",
}


@pytest.fixture
def sites(db):
    return {
        "rotterdam": build_site("rotterdam"),
        "zoetermeer": build_site("zoetermeer", days_ahead=8),
    }


def _label(model) -> str:
    return model._meta.label_lower


def _change_url(model, obj) -> str:
    if _label(model) == "clinic.accesslogentry":
        obj = AccessLogEntry.objects.filter(patient_id=obj).first()
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[obj.pk])


def test_every_registered_admin_class_is_location_scoped():
    unscoped = [
        _label(model)
        for model, model_admin in admin.site._registry.items()
        if not isinstance(model_admin, LocationScopedAdminMixin)
    ]
    assert unscoped == []
    registered = {_label(model) for model in admin.site._registry}
    assert registered == VISIBLE["manager"] | SUPERUSER_ONLY


@pytest.mark.parametrize("role", ["desk", "clinician", "manager"])
def test_each_role_sees_only_its_models_and_its_location(client, sites, role):
    home, away = sites["rotterdam"], sites["zoetermeer"]
    client.force_login(home.users[role])
    shown = set()
    for model in admin.site._registry:
        label = _label(model)
        changelist = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        response = client.get(changelist)
        assert response.status_code in (200, 403), (label, response.status_code)
        if response.status_code == 403:
            continue
        shown.add(label)
        page = response.content.decode()
        # Not in the rows, the filters, the drill-down, anywhere on the page.
        assert SURNAMES["zoetermeer"] not in page, label
        assert "Zoetermeer" not in page, label
        listed = set(response.context["cl"].queryset.values_list("pk", flat=True))
        if label in home.objects:
            home_obj, away_obj = home.objects[label], away.objects[label]
            assert client.get(_change_url(model, home_obj)).status_code == 200, label
            assert client.get(_change_url(model, away_obj)).status_code == 404, label
            if label != "clinic.accesslogentry":
                assert home_obj.pk in listed and away_obj.pk not in listed, label
    assert shown == VISIBLE[role]


def test_the_front_desk_never_sees_a_clinical_model_even_with_its_permission(client, sites):
    desk = sites["rotterdam"].users["desk"]
    program = sites["rotterdam"].objects["programs.program"]
    desk.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_program", "view_checkin"])
    )
    client.force_login(User.objects.get(pk=desk.pk))
    assert client.get(reverse("admin:programs_program_changelist")).status_code == 403
    change = reverse("admin:programs_program_change", args=[program.pk])
    assert client.get(change).status_code in (403, 404)
    index = client.get(reverse("admin:index")).content.decode()
    assert "Check ins" not in index and "Programs" not in index


def test_search_and_filters_by_url_cannot_reach_the_other_location(client, sites):
    home, away = sites["rotterdam"], sites["zoetermeer"]
    client.force_login(home.users["manager"])
    url = reverse("admin:clinic_patient_changelist")
    for query in (
        {"q": SURNAMES["zoetermeer"]},
        {"location__id__exact": away.location.pk},
        {"primary_clinician__id__exact": away.users["clinician"].clinician.pk},
    ):
        response = client.get(url, query)
        assert response.status_code == 200
        listed = set(response.context["cl"].queryset)
        assert away.patient not in listed, query
        rows = response.content.decode().split('id="result_list"')[-1]
        assert f"{SURNAMES['zoetermeer']}</a>" not in rows, query


def test_autocomplete_offers_only_the_users_own_rows(client, sites):
    home, away = sites["rotterdam"], sites["zoetermeer"]
    client.force_login(home.users["manager"])
    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "programs", "model_name": "program", "field_name": "patient", "term": ""},
    )
    assert response.status_code == 200
    ids = {int(row["id"]) for row in response.json()["results"]}
    assert home.patient.pk in ids and away.patient.pk not in ids


def test_an_action_on_another_locations_row_changes_nothing(client, sites):
    home, away = sites["rotterdam"], sites["zoetermeer"]
    client.force_login(home.users["manager"])
    theirs = away.objects["bookings.appointment"]
    client.post(
        reverse("admin:bookings_appointment_changelist"),
        {"action": "cancel_appointments", "_selected_action": [theirs.pk]},
    )
    theirs.refresh_from_db()
    assert theirs.status == AppointmentStatus.BOOKED


def test_a_superuser_sees_both_locations(client, sites, admin_user):
    client.force_login(admin_user)
    response = client.get(reverse("admin:clinic_patient_changelist"))
    page = response.content.decode()
    assert SURNAMES["rotterdam"] in page and SURNAMES["zoetermeer"] in page
