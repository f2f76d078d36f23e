"""Assessments over HTTP: who may record and read them, what they answer, what they open."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from assessments.models import Assessment, InjuryEpisode
from clinic.models import AccessLogEntry, Location
from clinic.time import local_date
from clinical_rules.models import RuleSetting
from escalations.models import Escalation, RuleSeverity
from tests.assessments.factories import AssessmentFactory, InjuryEpisodeFactory
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/assessments/"


def today():
    return local_date(timezone.now())


def days_ago(days: int) -> str:
    return (today() - timedelta(days=days)).isoformat()


def body(patient, **overrides):
    data = {"patient": patient.id, "side": "left", "onset_date": days_ago(5)}
    data.update(overrides)
    return data


def nothing_written():
    return not (
        Assessment.objects.exists() or InjuryEpisode.objects.exists() or Escalation.objects.exists()
    )


# --- Recording ------------------------------------------------------------------------------


def test_clinician_records_an_intake_with_phase_window_and_alerts(api, clinician, patient):
    response = api(clinician.user).post(
        URL,
        body(
            patient,
            grade=2,
            onset_date=days_ago(10),
            previous_injuries=1,
            red_flags=["compensation_complaints"],
            readiness={"walks_without_limp": False, "strength_symmetry_percent": 70},
            pain_rest=1,
            pain_walking=5,
            notes="Sprint injury during football.",
        ),
        format="json",
    )
    assert response.status_code == 201, response.json()
    data = response.json()
    onset = today() - timedelta(days=10)
    assert data["patient"] == patient.id
    assert data["side"] == "left"
    assert data["grade"] == 2
    assert data["onset_date"] == onset.isoformat()
    assert data["previous_injuries"] == 1
    assert data["red_flags"] == ["compensation_complaints"]
    assert data["readiness"] == {"walks_without_limp": False, "strength_symmetry_percent": 70}
    assert (data["pain_rest"], data["pain_walking"]) == (1, 5)
    assert data["notes"] == "Sprint injury during football."
    assert data["phase"] == "acute"
    assert data["return_to_run"] == {
        "earliest": (onset + timedelta(weeks=4)).isoformat(),
        "latest": (onset + timedelta(weeks=8)).isoformat(),
    }
    assert data["alerts"] == ["recurrence", "compensation_complaints"]
    assert [a["code"] for a in data["alert_details"]] == data["alerts"]
    assert all(a["severity"] == "normal" and a["reason"] for a in data["alert_details"])
    assert data["kind"] == "intake"
    assert data["clinician"] == clinician.id
    assert data["assessed_at"].endswith(("+01:00", "+02:00"))
    entry = AccessLogEntry.objects.get(patient=patient)
    assert (entry.actor, entry.action, entry.resource) == (clinician.user, "create", "assessment")
    assert entry.object_id == str(data["id"])


def test_minimal_body_is_enough_and_an_unknown_grade_has_no_window(api, clinician, patient):
    response = api(clinician.user).post(URL, body(patient), format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["grade"] is None
    assert data["return_to_run"] is None
    assert data["red_flags"] == [] and data["readiness"] == {} and data["alerts"] == []


@pytest.mark.parametrize(("days", "phase"), [(42, "acute"), (43, "chronic")])
def test_phase_boundary_at_six_weeks(api, clinician, patient, days, phase):
    response = api(clinician.user).post(
        URL, body(patient, onset_date=days_ago(days)), format="json"
    )
    assert response.status_code == 201
    assert response.json()["phase"] == phase


def test_an_audible_snap_opens_one_urgent_escalation_and_a_repeat_adds_an_occurrence(
    api, clinician, patient
):
    client = api(clinician.user)
    first = client.post(URL, body(patient, red_flags=["audible_snap"]), format="json")
    assert first.status_code == 201
    assert first.json()["alerts"] == ["suspected_grade_3"]
    escalation = Escalation.objects.get(patient=patient)
    assert (escalation.rule, escalation.severity, escalation.status) == (
        "suspected_grade_3",
        "urgent",
        "open",
    )
    assert escalation.source_assessment_id == first.json()["id"]
    assert escalation.occurrences == 1

    second = client.post(URL, body(patient, red_flags=["audible_snap"]), format="json")
    assert second.status_code == 201
    escalation = Escalation.objects.get(patient=patient)
    assert escalation.occurrences == 2
    # The opening is kept; the repeat is a second entry in the history.
    assert escalation.source_assessment_id == first.json()["id"]
    assert [(o.source, o.assessment_id) for o in escalation.occurrence_history.all()] == [
        ("assessment", first.json()["id"]),
        ("assessment", second.json()["id"]),
    ]


def test_a_second_assessment_of_the_same_leg_is_a_reassessment(api, clinician, patient):
    client = api(clinician.user)
    first = client.post(URL, body(patient, pain_walking=5), format="json").json()
    second = client.post(URL, body(patient, pain_walking=3), format="json").json()
    third = client.post(URL, body(patient, side="right"), format="json").json()
    assert (first["kind"], second["kind"], third["kind"]) == ("intake", "reassessment", "intake")
    assert first["episode"] == second["episode"] != third["episode"]


def test_no_progress_after_a_week_without_improvement(api, clinician, patient):
    episode = InjuryEpisodeFactory(patient=patient, onset_date=today() - timedelta(days=20))
    AssessmentFactory(
        episode=episode,
        clinician=clinician,
        assessed_at=timezone.now() - timedelta(days=8),
        pain_walking=4,
        grade=None,
    )
    response = api(clinician.user).post(
        URL, body(patient, onset_date=episode.onset_date.isoformat(), pain_walking=4), format="json"
    )
    assert response.status_code == 201
    assert "no_progress" in response.json()["alerts"]
    assert response.json()["kind"] == "reassessment"
    assert Escalation.objects.filter(patient=patient, rule="no_progress").count() == 1


def test_lasting_complaints_escalate_after_the_locations_own_limit(api, clinician, patient):
    """The location's chronic_escalate_after_days and severity hold at an assessment too,
    and the assessment's alert shows the severity its escalation got."""
    location = Location.objects.get(pk=patient.location_id)
    RuleSetting.objects.create(location=location, name="chronic_escalate_after_days", value=35)
    RuleSeverity.objects.create(location=location, rule="chronic_no_improvement", severity="high")
    response = api(clinician.user).post(
        URL, body(patient, onset_date=days_ago(36), pain_walking=4), format="json"
    )
    assert response.status_code == 201
    assert response.json()["alerts"] == ["chronic_no_improvement"]
    (detail,) = response.json()["alert_details"]
    assert detail["severity"] == "high"
    assert detail["inputs"]["chronic_escalate_after_days"] == 35
    escalation = Escalation.objects.get(patient=patient, rule="chronic_no_improvement")
    assert escalation.severity == "high"


def test_an_earlier_onset_corrects_the_episode(api, clinician, patient):
    client = api(clinician.user)
    first = client.post(URL, body(patient, onset_date=days_ago(5)), format="json").json()
    second = client.post(URL, body(patient, onset_date=days_ago(9)), format="json").json()
    assert second["episode"] == first["episode"]
    assert InjuryEpisode.objects.get().onset_date.isoformat() == days_ago(9)


def test_an_onset_after_the_last_assessment_is_a_new_injury(api, clinician, patient):
    episode = InjuryEpisodeFactory(patient=patient, onset_date=today() - timedelta(days=60))
    AssessmentFactory(
        episode=episode, clinician=clinician, assessed_at=timezone.now() - timedelta(days=30)
    )
    response = api(clinician.user).post(URL, body(patient, onset_date=days_ago(3)), format="json")
    assert response.status_code == 201
    data = response.json()
    assert data["episode"] != episode.id
    assert data["kind"] == "intake"
    assert data["previous_injuries"] == 1
    assert "recurrence" in data["alerts"]
    episode.refresh_from_db()
    assert episode.closed_at is not None


# --- Who may do what ------------------------------------------------------------------------


def test_front_desk_gets_403_everywhere(api, front_desk, patient):
    assessment = AssessmentFactory(episode__patient=patient)
    client = api(front_desk)
    assert client.get(URL).status_code == 403
    assert client.get(f"{URL}{assessment.id}/").status_code == 403
    response = client.post(URL, body(patient), format="json")
    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"
    assert Assessment.objects.count() == 1
    assert not AccessLogEntry.objects.exists()


def test_patients_get_403_even_for_their_own(api, patient):
    assessment = AssessmentFactory(episode__patient=patient)
    client = api(patient.user)
    assert client.get(URL).status_code == 403
    assert client.get(f"{URL}{assessment.id}/").status_code == 403
    assert client.post(URL, body(patient), format="json").status_code == 403


def test_clinician_of_another_location_gets_404_and_cannot_record(api, other_clinician, patient):
    assessment = AssessmentFactory(episode__patient=patient)
    client = api(other_clinician.user)
    response = client.get(f"{URL}{assessment.id}/")
    assert response.status_code == 404
    assert response.json()["type"].endswith("/not_found")
    assert client.get(URL).json()["results"] == []
    response = client.post(URL, body(patient, red_flags=["audible_snap"]), format="json")
    assert response.status_code == 400
    assert "patient" in response.json()["errors"]
    assert Assessment.objects.count() == 1
    assert not Escalation.objects.exists()


def test_manager_reads_but_does_not_record(api, manager, patient):
    assessment = AssessmentFactory(episode__patient=patient)
    client = api(manager)
    assert client.get(f"{URL}{assessment.id}/").status_code == 200
    assert client.post(URL, body(patient), format="json").status_code == 403


def test_anonymous_gets_401(api):
    assert api().get(URL).status_code == 401


# --- Bad input: 400 with the field, nothing written -----------------------------------------


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"red_flags": ["knak"]}, "red_flags"),
        ({"red_flags": "audible_snap"}, "red_flags"),
        ({"red_flags": ["audible_snap", "snap"]}, "red_flags"),
        ({"readiness": {"can_sprint": True}}, "readiness"),
        ({"readiness": {"single_leg_hop": "yes"}}, "readiness"),
        ({"readiness": {"strength_symmetry_percent": 101}}, "readiness"),
        ({"readiness": {"strength_symmetry_percent": -5}}, "readiness"),
        ({"readiness": ["single_leg_hop"]}, "readiness"),
        ({"pain_rest": 11}, "pain_rest"),
        ({"pain_walking": -1}, "pain_walking"),
        ({"pain_walking": "a lot"}, "pain_walking"),
        ({"grade": 4}, "grade"),
        ({"grade": 0}, "grade"),
        ({"side": "both"}, "side"),
        ({"onset_date": "yesterday"}, "onset_date"),
        ({"onset_date": "2999-01-01"}, "onset_date"),
        ({"previous_injuries": -1}, "previous_injuries"),
        ({"patient": 999_999}, "patient"),
        ({"patient": "me"}, "patient"),
        ({"mobility_findings": ["bad_knees"]}, "mobility_findings"),
        ({"assessed_at": "2999-01-01T10:00:00+01:00"}, "assessed_at"),
    ],
)
def test_bad_input_is_400_on_the_field_and_writes_nothing(
    api, clinician, patient, overrides, field
):
    response = api(clinician.user).post(
        URL, body(patient, red_flags=["audible_snap"]) | overrides, format="json"
    )
    assert response.status_code == 400, response.json()
    assert response["Content-Type"] == "application/problem+json"
    assert field in response.json()["errors"], response.json()
    assert nothing_written()


def test_missing_fields_are_listed(api, clinician):
    response = api(clinician.user).post(URL, {}, format="json")
    assert response.status_code == 400
    assert {"patient", "side", "onset_date"} <= set(response.json()["errors"])


def test_malformed_json_is_400(api, clinician):
    response = api(clinician.user).post(URL, "{not json", content_type="application/json")
    assert response.status_code == 400
    assert nothing_written()


# --- Reading --------------------------------------------------------------------------------


def test_every_read_is_logged(api, clinician, patient, other_patient):
    episode = InjuryEpisodeFactory(patient=patient)
    mine = AssessmentFactory.create_batch(2, episode=episode)
    AssessmentFactory(episode__patient=other_patient)
    client = api(clinician.user)

    listed = client.get(URL, {"patient": patient.id})
    assert listed.status_code == 200
    assert {row["id"] for row in listed.json()["results"]} == {a.id for a in mine}
    entries = AccessLogEntry.objects.filter(resource="assessment", action="read")
    assert sorted(entries.values_list("object_id", flat=True)) == sorted(str(a.id) for a in mine)
    assert set(entries.values_list("patient_id", flat=True)) == {patient.id}

    detail = client.get(f"{URL}{mine[0].id}/")
    assert detail.status_code == 200
    assert entries.count() == 3


def test_list_is_newest_first_and_paginated(api, clinician, patient):
    now = timezone.now()
    episode = InjuryEpisodeFactory(patient=patient)
    made = [
        AssessmentFactory(episode=episode, assessed_at=now - timedelta(days=d)) for d in (5, 1, 3)
    ]
    client = api(clinician.user)
    page = client.get(URL, {"page_size": 2}).json()
    assert [row["id"] for row in page["results"]] == [made[1].id, made[2].id]
    rest = client.get(page["next"]).json()
    assert [row["id"] for row in rest["results"]] == [made[0].id]
    assert rest["next"] is None


def test_list_takes_the_same_number_of_queries_for_10_and_50(api, clinician):
    client = api(clinician.user)

    def queries_for(count):
        Assessment.objects.all().delete()
        for _ in range(count):
            AssessmentFactory(episode__patient=PatientFactory(primary_clinician=clinician))
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(URL)
        assert len(response.json()["results"]) == count
        return len(ctx)

    assert queries_for(10) == queries_for(50)


def test_a_retried_post_with_the_same_idempotency_key_records_once(api, clinician, patient):
    client = api(clinician.user)
    data = body(patient, red_flags=["audible_snap"])
    first = client.post(URL, data, format="json", HTTP_IDEMPOTENCY_KEY="tablet-42")
    again = client.post(URL, data, format="json", HTTP_IDEMPOTENCY_KEY="tablet-42")
    assert first.status_code == again.status_code == 201
    assert again.json()["id"] == first.json()["id"]
    assert Assessment.objects.count() == 1
    assert Escalation.objects.get().occurrences == 1
