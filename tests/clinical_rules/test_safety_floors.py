"""Safety floors on a location's rules: a red flag's severity may be raised, never lowered
below its default; thresholds stay within DOMAIN.md's numbers (the 10% rule can only be
tightened); a step keeps at least one exit criterion; an unknown rule is a 400 that names
it. Every refusal holds through the API and through the admin, and writes nothing."""

import pytest
import yaml
from django.db import IntegrityError, transaction

from clinic.errors import InvalidInput
from clinical_rules.models import RuleSetting, RuleSettingChange
from clinical_rules.services import rule_settings_update
from escalations.catalogue import DEFAULT_SEVERITY, SEVERITY_ORDER
from escalations.models import RuleSeverity
from escalations.selectors import severities_for
from escalations.services import escalation_raise, rule_severities_update
from programs.models import ExitCriteriaSetting
from programs.rules import EXIT_CRITERIA
from programs.selectors import exit_criteria_for
from programs.services.rule_settings import exit_criteria_update

pytestmark = pytest.mark.django_db

URL = "/api/v1/rule-settings/rotterdam/"


def nothing_written() -> bool:
    return not (
        RuleSettingChange.objects.exists()
        or RuleSetting.objects.exists()
        or RuleSeverity.objects.exists()
        or ExitCriteriaSetting.objects.exists()
    )


@pytest.fixture
def admin_client(client, manager):
    manager.is_staff = True
    manager.is_superuser = True
    manager.save()
    client.force_login(manager)
    return client


# --- severities: raised, never lowered -------------------------------------------------------

LOWERED = [
    ("suspected_grade_3", "high"),
    ("suspected_grade_3", "normal"),
    ("stop_signal", "normal"),
    ("high_pain_during_activity", "normal"),
    ("severe_pain_now", "normal"),
]


@pytest.mark.parametrize(("rule", "severity"), LOWERED)
def test_a_red_flag_cannot_be_lowered_through_the_api(api, manager, rule, severity):
    response = api(manager).patch(URL, {"severities": {rule: severity}}, format="json")
    assert response.status_code == 400, response.json()
    body = response.json()
    assert body["code"] == "severity_below_default"
    assert rule in body["errors"]
    assert nothing_written()


@pytest.mark.parametrize(("rule", "severity"), LOWERED)
def test_a_red_flag_cannot_be_lowered_in_the_admin(admin_client, rotterdam, rule, severity):
    response = admin_client.post(
        "/admin/escalations/ruleseverity/add/",
        {"location": rotterdam.id, "rule": rule, "severity": severity},
    )
    assert response.status_code == 200  # the form again, with the error
    assert b"never lowered below its default" in response.content
    assert nothing_written()


def test_a_raised_severity_cannot_be_changed_below_the_default_in_the_admin(
    admin_client, manager, rotterdam
):
    rule_severities_update(location=rotterdam, values={"stop_signal": "urgent"}, by=manager)
    row = RuleSeverity.objects.get()
    response = admin_client.post(
        f"/admin/escalations/ruleseverity/{row.id}/change/",
        {"location": rotterdam.id, "rule": "stop_signal", "severity": "normal"},
    )
    assert response.status_code == 200
    assert b"never lowered below its default" in response.content
    row.refresh_from_db()
    assert row.severity == "urgent"
    assert RuleSettingChange.objects.count() == 1


def test_a_red_flag_may_be_raised_or_kept_at_its_default(api, manager):
    response = api(manager).patch(
        URL,
        {"severities": {"stop_signal": "urgent", "suspected_grade_3": "urgent"}},
        format="json",
    )
    assert response.status_code == 200, response.json()
    by_rule = {s["rule"]: s["severity"] for s in response.json()["severities"]}
    assert by_rule["stop_signal"] == "urgent"
    assert by_rule["suspected_grade_3"] == "urgent"


def test_every_rule_and_severity_is_allowed_exactly_when_not_below_the_default(manager, rotterdam):
    """The whole input space of the floor: 14 rules x 3 severities."""
    for rule, default in DEFAULT_SEVERITY.items():
        for severity in SEVERITY_ORDER:
            lower = SEVERITY_ORDER.index(severity) > SEVERITY_ORDER.index(default)
            if lower:
                with pytest.raises(InvalidInput) as refusal:
                    rule_severities_update(location=rotterdam, values={rule: severity}, by=manager)
                assert refusal.value.code == "severity_below_default"
            else:
                rule_severities_update(location=rotterdam, values={rule: severity}, by=manager)
    assert not RuleSeverity.objects.filter(severity="normal").exclude(
        rule__in=[r for r, d in DEFAULT_SEVERITY.items() if d == "normal"]
    )


def test_one_refused_severity_writes_nothing_of_the_whole_change(api, manager):
    response = api(manager).patch(
        URL,
        {
            "values": {"high_pain_during_activity": 6},
            "severities": {"missed_check_ins": "high", "suspected_grade_3": "normal"},
            "exit_criteria": {"2": ["walks_without_limp"]},
        },
        format="json",
    )
    assert response.status_code == 400
    assert nothing_written()


# --- thresholds: DOMAIN.md's numbers ----------------------------------------------------------

LOOSENED = [
    ("max_weekly_load_increase_percent", 11),
    ("max_weekly_load_increase_percent", 50),
    ("high_pain_during_activity", 10),
    ("grade_3_min_pain_now", 10),
    ("chronic_escalate_after_days", 112),
    ("chronic_escalate_after_days", 43),
    ("chronic_review_after_days", 43),
]


@pytest.mark.parametrize(("name", "value"), LOOSENED)
def test_a_threshold_past_domain_md_is_refused_through_the_api(api, manager, name, value):
    response = api(manager).patch(URL, {"values": {name: value}}, format="json")
    assert response.status_code == 400, response.json()
    assert f"values.{name}" in response.json()["errors"]
    assert nothing_written()


@pytest.mark.parametrize(("name", "value"), LOOSENED)
def test_a_threshold_past_domain_md_is_refused_in_the_admin(admin_client, rotterdam, name, value):
    response = admin_client.post(
        "/admin/clinical_rules/rulesetting/add/",
        {"location": rotterdam.id, "name": name, "value": value},
    )
    assert response.status_code == 200
    assert b"errornote" in response.content
    assert nothing_written()


@pytest.mark.parametrize(("name", "value"), LOOSENED)
def test_a_threshold_past_domain_md_is_refused_by_the_service(manager, rotterdam, name, value):
    with pytest.raises(InvalidInput):
        rule_settings_update(location=rotterdam, values={name: value}, by=manager)
    assert nothing_written()


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("max_weekly_load_increase_percent", 10),
        ("max_weekly_load_increase_percent", 5),
        ("high_pain_during_activity", 9),
        ("grade_3_min_pain_now", 9),
        ("chronic_escalate_after_days", 42),
        ("chronic_escalate_after_days", 28),
    ],
)
def test_a_threshold_within_domain_md_is_accepted(api, manager, name, value):
    response = api(manager).patch(URL, {"values": {name: value}}, format="json")
    assert response.status_code == 200, response.json()
    (setting,) = [s for s in response.json()["settings"] if s["name"] == name]
    assert setting["value"] == value


# --- exit criteria: never none ---------------------------------------------------------------


def test_empty_exit_criteria_are_refused_through_the_api(api, manager):
    response = api(manager).patch(URL, {"exit_criteria": {"2": []}}, format="json")
    assert response.status_code == 400, response.json()
    assert response.json()["code"] == "exit_criteria_empty"
    assert nothing_written()


def test_empty_exit_criteria_are_refused_in_the_admin(admin_client, rotterdam):
    response = admin_client.post(
        "/admin/programs/exitcriteriasetting/add/",
        {"location": rotterdam.id, "step": 2, "criteria": "[]"},
    )
    assert response.status_code == 200
    assert b"errornote" in response.content
    assert nothing_written()


def test_empty_exit_criteria_are_refused_by_the_service(manager, rotterdam):
    with pytest.raises(InvalidInput) as refusal:
        exit_criteria_update(location=rotterdam, values={3: []}, by=manager)
    assert refusal.value.code == "exit_criteria_empty"
    assert nothing_written()


# --- an unknown rule is named, and nothing is written -----------------------------------------


@pytest.mark.parametrize(
    ("body", "key"),
    [
        ({"values": {"no_such_setting": 3}}, "no_such_setting"),
        ({"values": {"high_pain_during_activity": 6, "no_such_setting": 3}}, "no_such_setting"),
        ({"severities": {"next_day_pain": "high"}}, "next_day_pain"),
        ({"severities": {"no_such_rule": "urgent"}}, "no_such_rule"),
        ({"exit_criteria": {"5": ["walks_without_limp"]}}, "5"),
        ({"exit_criteria": {"x": ["walks_without_limp"]}}, "x"),
    ],
)
def test_an_unknown_rule_is_400_naming_it(api, manager, body, key):
    response = api(manager).patch(URL, body, format="json")
    assert response.status_code == 400, response.json()
    problem = response.json()
    assert problem["code"] == "rule_unknown"
    assert problem["unknown"] == [key]
    assert key in problem["errors"]
    assert key in problem["detail"]
    assert nothing_written()


def test_an_unknown_step_is_refused_in_the_admin(admin_client, rotterdam):
    response = admin_client.post(
        "/admin/programs/exitcriteriasetting/add/",
        {"location": rotterdam.id, "step": 5, "criteria": '["walks_without_limp"]'},
    )
    assert response.status_code == 200
    assert b"has no exit criteria" in response.content
    assert nothing_written()


def test_the_openapi_document_lists_the_floors_codes(client):
    document = yaml.safe_load(client.get("/api/schema/").content)
    patch = document["paths"]["/api/v1/rule-settings/{location}/"]["patch"]
    for code in ("rule_unknown", "severity_below_default", "exit_criteria_empty"):
        assert code in patch["x-error-codes"]


def test_the_refusal_speaks_the_readers_language(api, manager):
    response = api(manager).patch(
        URL,
        {"severities": {"suspected_grade_3": "normal"}},
        format="json",
        HTTP_ACCEPT_LANGUAGE="nl",
    )
    assert response.status_code == 400
    assert response.json()["detail"] == (
        "De ernst van suspected_grade_3 mag omhoog, nooit lager dan de standaard (urgent)."
    )


@pytest.mark.parametrize(("name", "value"), LOOSENED)
def test_the_database_refuses_a_threshold_past_domain_md(rotterdam, name, value):
    """Whoever writes the row (a shell, a script), the bound holds."""
    with pytest.raises(IntegrityError), transaction.atomic():
        RuleSetting.objects.create(location=rotterdam, name=name, value=value)


def test_a_lowered_severity_stored_before_the_floor_is_not_in_force(
    rotterdam, manager, clinician, patient
):
    """A row written before the floor existed (or past the service) cannot lower a red
    flag: a snap still opens an urgent escalation."""
    RuleSeverity.objects.create(location=rotterdam, rule="suspected_grade_3", severity="normal")
    RuleSeverity.objects.create(location=rotterdam, rule="missed_check_ins", severity="high")
    in_force = severities_for(rotterdam.pk)
    assert in_force["suspected_grade_3"] == "urgent"
    assert in_force["missed_check_ins"] == "high"
    escalation = escalation_raise(patient=patient, rule="suspected_grade_3", reason="A snap.")
    assert escalation.severity == "urgent"


def test_empty_exit_criteria_stored_past_the_service_leave_the_default_in_force(rotterdam):
    ExitCriteriaSetting.objects.create(location=rotterdam, step=2, criteria=[])
    assert exit_criteria_for(rotterdam.pk)[2] == EXIT_CRITERIA[2]
