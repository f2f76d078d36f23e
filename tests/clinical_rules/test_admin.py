"""Managers set a location's thresholds in the admin; every save is audited like the API."""

import pytest

from clinical_rules.models import RuleSetting, RuleSettingChange
from clinical_rules.services import rule_settings_update
from escalations.models import RuleSeverity

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, manager):
    manager.is_staff = True
    manager.is_superuser = True
    manager.save()
    client.force_login(manager)
    return client


def test_a_threshold_saved_in_the_admin_is_audited(admin_client, manager, rotterdam):
    response = admin_client.post(
        "/admin/clinical_rules/rulesetting/add/",
        {"location": rotterdam.id, "name": "high_pain_during_activity", "value": 6},
    )
    assert response.status_code == 302, response.content[:500]
    setting = RuleSetting.objects.get()
    assert (setting.value, setting.updated_by) == (6, manager)
    response = admin_client.post(
        f"/admin/clinical_rules/rulesetting/{setting.id}/change/",
        {"location": rotterdam.id, "name": "high_pain_during_activity", "value": 8},
    )
    assert response.status_code == 302
    changes = RuleSettingChange.objects.order_by("at", "id")
    assert [(c.old_value, c.new_value, c.by) for c in changes] == [
        (None, 6, manager),
        (6, 8, manager),
    ]
    assert admin_client.get("/admin/clinical_rules/rulesettingchange/").status_code == 200


def test_an_impossible_threshold_is_refused_in_the_form(admin_client, rotterdam):
    response = admin_client.post(
        "/admin/clinical_rules/rulesetting/add/",
        {"location": rotterdam.id, "name": "high_pain_during_activity", "value": 11},
    )
    assert response.status_code == 200  # the form again, with the error
    assert b"from 1 to 9" in response.content
    assert not RuleSettingChange.objects.exists()


def test_thresholds_that_contradict_each_other_are_refused_in_the_form(
    admin_client, manager, rotterdam
):
    """The service's own refusal (a review after its escalation) is the form's error, not a
    server error, and nothing is written."""
    rule_settings_update(location=rotterdam, values={"chronic_escalate_after_days": 35}, by=manager)
    response = admin_client.post(
        "/admin/clinical_rules/rulesetting/add/",
        {"location": rotterdam.id, "name": "chronic_review_after_days", "value": 40},
    )
    assert response.status_code == 200
    assert b"errornote" in response.content
    assert b"must not be below chronic_review_after_days" in response.content
    assert list(RuleSetting.objects.values_list("name", flat=True)) == [
        "chronic_escalate_after_days"
    ]
    assert RuleSettingChange.objects.count() == 1


def test_a_severity_for_an_unknown_rule_is_refused_in_the_form(admin_client, rotterdam):
    response = admin_client.post(
        "/admin/escalations/ruleseverity/add/",
        {"location": rotterdam.id, "rule": "no_such_rule", "severity": "high"},
    )
    assert response.status_code == 200
    assert b"opens no escalation" in response.content
    assert not RuleSeverity.objects.exists()
    assert not RuleSettingChange.objects.exists()
