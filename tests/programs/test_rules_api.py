"""The rule catalogue and each location's thresholds over HTTP: what is in force, who may
change it, and the audit of every change."""

import datetime

import pytest
from django.utils import timezone

from clinic.models import Location, Role
from clinical_rules.models import RuleSettingChange
from clinical_rules.thresholds import DEFAULTS, SETTING_NAMES
from escalations.services import escalation_raise
from programs import rules as program_rules
from programs.rule_catalogue import RULES
from tests.assessments.factories import AssessmentFactory, InjuryEpisodeFactory
from tests.factories import UserFactory
from tests.programs.factories import ProgramFactory

pytestmark = pytest.mark.django_db


def test_every_rule_with_severity_thresholds_and_explanation(api, patient):
    body = api(patient.user).get("/api/v1/rules/").json()
    assert body["location"] == "rotterdam"
    by_code = {rule["code"]: rule for rule in body["results"]}
    # Every alert a check-in or assessment can raise is explained.
    assert set(program_rules.CHECK_IN_ALERT_CODES) <= set(by_code)
    assert {"persistent_pain_after_rest", "recurrence", "missed_check_ins"} <= set(by_code)
    assert by_code["suspected_grade_3"]["severity"] == "urgent"
    assert by_code["stop_signal"]["severity"] == "high"
    assert by_code["high_pain_during_activity"]["severity"] == "high"
    assert by_code["next_day_pain"]["severity"] == "advisory"
    assert by_code["next_day_pain"]["escalates"] is False
    high = by_code["high_pain_during_activity"]
    (score,) = [t for t in high["thresholds"] if t["name"] == "high_pain_during_activity"]
    assert (score["value"], score["default"]) == (7, 7)
    for rule in body["results"]:
        assert rule["explanation"]["nl"] and rule["explanation"]["en"]
        assert rule["domain"]


def test_the_catalogue_names_only_known_thresholds():
    for rule in RULES:
        assert set(rule.thresholds) <= set(SETTING_NAMES), rule.code


def test_the_rules_show_the_values_in_force_at_the_location(api, manager, clinician):
    response = api(manager).patch(
        "/api/v1/rule-settings/rotterdam/",
        {"values": {"high_pain_during_activity": 6}},
        format="json",
    )
    assert response.status_code == 200, response.json()
    body = api(clinician.user).get("/api/v1/rules/").json()
    (rule,) = [r for r in body["results"] if r["code"] == "high_pain_during_activity"]
    assert rule["thresholds"][0]["value"] == 6
    elsewhere = api(clinician.user).get("/api/v1/rules/", {"location": "zoetermeer"}).json()
    (rule,) = [r for r in elsewhere["results"] if r["code"] == "high_pain_during_activity"]
    assert rule["thresholds"][0]["value"] == 7


def test_an_unknown_location_is_400(api, clinician):
    response = api(clinician.user).get("/api/v1/rules/", {"location": "utrecht"})
    assert response.status_code == 400


def test_a_manager_changes_thresholds_and_every_change_is_audited(api, manager, rotterdam):
    client = api(manager)
    url = "/api/v1/rule-settings/rotterdam/"
    for value in (3, None):
        response = client.patch(url, {"values": {"minimal_important_change": value}}, format="json")
        assert response.status_code == 200
    changes = list(RuleSettingChange.objects.order_by("at", "id"))
    assert [(c.name, c.old_value, c.new_value, c.by) for c in changes] == [
        ("minimal_important_change", None, 3, manager),
        ("minimal_important_change", 3, None, manager),
    ]
    body = client.get(url).json()
    assert [(c["old_value"], c["new_value"]) for c in body["changes"]] == [("3", None), (None, "3")]
    (setting,) = [s for s in body["settings"] if s["name"] == "minimal_important_change"]
    assert setting["value"] == DEFAULTS.minimal_important_change


@pytest.mark.parametrize(
    "values",
    [
        {"high_pain_during_activity": 11},
        {"high_pain_during_activity": 0},
    ],
)
def test_impossible_thresholds_are_400_and_change_nothing(api, manager, values):
    response = api(manager).patch(
        "/api/v1/rule-settings/rotterdam/", {"values": values}, format="json"
    )
    assert response.status_code == 400, response.json()
    assert not RuleSettingChange.objects.exists()


@pytest.mark.parametrize(
    "values",
    [
        {"chronic_review_after_days": 40, "chronic_escalate_after_days": 35},
        {"strength_sessions_min": 5},  # above the max of 4
    ],
)
def test_contradicting_thresholds_are_409_and_change_nothing(api, manager, values):
    response = api(manager).patch(
        "/api/v1/rule-settings/rotterdam/", {"values": values}, format="json"
    )
    assert response.status_code == 409, response.json()
    assert response.json()["code"] == "rule_settings_inconsistent"
    assert not RuleSettingChange.objects.exists()


@pytest.mark.parametrize(("value", "status"), [(1, 200), (9, 200), (10, 400), (11, 400), (0, 400)])
def test_threshold_bounds(api, manager, value, status):
    response = api(manager).patch(
        "/api/v1/rule-settings/rotterdam/",
        {"values": {"high_pain_during_activity": value}},
        format="json",
    )
    assert response.status_code == status


def test_values_in_force_are_recorded_with_each_transition(api, manager, clinician, patient):
    api(manager).patch(
        "/api/v1/rule-settings/rotterdam/", {"values": {"min_days_step_1": 0}}, format="json"
    )
    api(manager).patch(
        "/api/v1/rule-settings/rotterdam/",
        {"values": {"strength_symmetry_min_percent": 85}},
        format="json",
    )
    program = ProgramFactory(patient=patient, clinician=clinician)
    response = api(clinician.user).post(
        f"/api/v1/programs/{program.id}/advance/",
        {"override": True, "reason": "Assessment on paper."},
        format="json",
    )
    assert response.status_code == 200, response.json()
    (entry,) = response.json()["history"]
    assert entry["settings_in_force"]["strength_symmetry_min_percent"] == 85
    assert entry["settings_in_force"]["high_pain_during_activity"] == 7


def test_a_manager_elsewhere_cannot_change_rotterdam(api, zoetermeer):
    manager_z = UserFactory(role=Role.MANAGER, locations=[zoetermeer])
    response = api(manager_z).patch(
        "/api/v1/rule-settings/rotterdam/", {"values": {"min_days_step_2": 1}}, format="json"
    )
    assert response.status_code == 404
    assert Location.objects.get(slug="rotterdam").rule_settings.count() == 0


# --- severities per location --------------------------------------------------------------


def test_a_location_may_make_missed_check_ins_high(api, manager, clinician, patient):
    response = api(manager).patch(
        "/api/v1/rule-settings/rotterdam/",
        {"severities": {"missed_check_ins": "high"}},
        format="json",
    )
    assert response.status_code == 200, response.json()
    (row,) = [s for s in response.json()["severities"] if s["rule"] == "missed_check_ins"]
    assert (row["severity"], row["default"]) == ("high", "normal")
    escalation = escalation_raise(patient=patient, rule="missed_check_ins", reason="Two missed.")
    assert escalation.severity == "high"
    rules = api(clinician.user).get("/api/v1/rules/").json()["results"]
    assert {r["code"]: r["severity"] for r in rules}["missed_check_ins"] == "high"
    (change,) = RuleSettingChange.objects.all()
    assert (change.name, change.old_value, change.new_value) == (
        "severity:missed_check_ins",
        None,
        "high",
    )


@pytest.mark.parametrize("severities", [{"missed_check_ins": "critical"}])
def test_unknown_severities_are_400(api, manager, severities):
    response = api(manager).patch(
        "/api/v1/rule-settings/rotterdam/", {"severities": severities}, format="json"
    )
    assert response.status_code == 400
    assert not RuleSettingChange.objects.exists()


def test_a_locations_check_in_cadence_applies_to_new_programs(api, manager, clinician, patient):
    api(manager).patch(
        "/api/v1/rule-settings/rotterdam/",
        {"values": {"check_in_every_days_step_1": 4}},
        format="json",
    )
    response = api(clinician.user).post("/api/v1/programs/", {"patient": patient.id}, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["check_in_every_days"] == 4


def test_a_location_sets_the_exit_criteria_of_a_step(api, manager, clinician, patient):
    url = "/api/v1/rule-settings/rotterdam/"
    response = api(manager).patch(
        url,
        {
            "exit_criteria": {
                "2": ["walks_without_limp", "no_pain_daily_movements", "no_tenderness"]
            }
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    (step_2,) = [e for e in response.json()["exit_criteria"] if e["step"] == 2]
    assert step_2["criteria"][-1] == "no_tenderness"
    assert step_2["default"] == ["walks_without_limp", "no_pain_daily_movements"]
    program = ProgramFactory(
        patient=patient,
        clinician=clinician,
        step=2,
        started_at=timezone.now() - datetime.timedelta(days=30),
    )
    episode = InjuryEpisodeFactory(patient=patient)
    AssessmentFactory(
        episode=episode, readiness={"walks_without_limp": True, "no_pain_daily_movements": True}
    )
    refused = api(clinician.user).post(f"/api/v1/programs/{program.id}/advance/", {}, format="json")
    assert refused.status_code == 409
    assert refused.json()["unmet"] == ["no_tenderness"]
    (change,) = RuleSettingChange.objects.filter(name="exit_criteria:2")
    assert change.old_value is None and change.new_value[-1] == "no_tenderness"


@pytest.mark.parametrize("exit_criteria", [{"2": ["dancing"]}, {"3": "sprint_drills"}])
def test_impossible_exit_criteria_are_400(api, manager, exit_criteria):
    response = api(manager).patch(
        "/api/v1/rule-settings/rotterdam/", {"exit_criteria": exit_criteria}, format="json"
    )
    assert response.status_code == 400
    assert not RuleSettingChange.objects.exists()


def test_names_that_are_not_rules_are_400_and_change_nothing(api, manager):
    # A rule key it does not know is named in a 400, never silently left alone.
    response = api(manager).patch(
        "/api/v1/rule-settings/rotterdam/",
        {"values": {"no_such_setting": 3}, "severities": {"next_day_pain": "high"}},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "rule_unknown"
    assert "no_such_setting" in response.json()["errors"]
    assert not RuleSettingChange.objects.exists()
