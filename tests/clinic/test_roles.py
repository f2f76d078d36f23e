"""Roles are groups of permissions, not superusers: every staff account signs in to the
staff site with its role's group; only createsuperuser makes a superuser."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from clinic.models import STAFF_ROLES, Role, User
from clinic.roles import CLINICAL_MODELS, ROLE_GROUPS
from clinic.services import staff_user_create

pytestmark = pytest.mark.django_db


def _labels(group: Group) -> set[str]:
    return {
        f"{p.content_type.app_label}.{p.codename}"
        for p in group.permissions.select_related("content_type")
    }


def test_the_migration_made_one_group_per_role_with_its_permissions():
    groups = {g.name: g for g in Group.objects.filter(name__in=ROLE_GROUPS.values())}
    assert set(groups) == {"manager", "front desk", "clinician"}
    desk, clinician, manager = groups["front desk"], groups["clinician"], groups["manager"]
    assert {"clinic.view_patient", "bookings.change_appointment"} <= _labels(desk)
    assert {"programs.view_checkin", "escalations.change_escalation"} <= _labels(clinician)
    assert {"clinic.view_accesslogentry", "bookings.add_workinghours"} <= _labels(manager)
    # The desk holds nothing clinical; no role edits accounts, groups or the outbox.
    desk_models = {
        p.content_type.app_label + "." + p.content_type.model for p in desk.permissions.all()
    }
    assert desk_models.isdisjoint(CLINICAL_MODELS)
    for group in groups.values():
        labels = _labels(group)
        assert "clinic.change_user" not in labels and "auth.change_group" not in labels
        assert not any(
            label.startswith("notifications.") and "notificationpreference" not in label
            for label in labels
        )
        assert not any(label.startswith("token_blacklist.") for label in labels)


def test_no_demo_account_is_a_superuser_and_staff_sign_in_with_their_group():
    call_command("seed_demo", verbosity=0)
    assert not User.objects.filter(is_superuser=True).exists()
    staff = User.objects.filter(role__in=STAFF_ROLES)
    assert staff.count() == 8
    for user in staff:
        assert user.is_staff, user.username
        assert list(user.groups.values_list("name", flat=True)) == [ROLE_GROUPS[user.role]]
    assert not User.objects.filter(role=Role.PATIENT, is_staff=True).exists()


@pytest.mark.parametrize("role", [Role.MANAGER, Role.FRONT_DESK, Role.CLINICIAN])
def test_a_staff_account_made_by_the_service_is_staff_never_a_superuser(role, rotterdam):
    user = staff_user_create(
        username=f"new.{role}", password="x-pass-2026", role=role, locations=[rotterdam]
    )
    assert user.is_staff and not user.is_superuser
    assert list(user.groups.values_list("name", flat=True)) == [ROLE_GROUPS[role]]
    assert user.has_perm("bookings.view_appointment")
    assert user.has_perm("programs.view_checkin") == (role != Role.FRONT_DESK)
