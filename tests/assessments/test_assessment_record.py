"""assessment_record, the one place assessments are written (API, admin, commands)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from assessments.models import Assessment
from assessments.services import assessment_record
from clinic.errors import InvalidInput, NotAllowed
from clinic.models import AccessLogEntry
from clinic.time import local_date
from escalations.models import Escalation
from escalations.services import escalation_resolve
from tests.assessments.factories import AssessmentFactory
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db


def onset(days_ago=5):
    return local_date(timezone.now()) - timedelta(days=days_ago)


def test_only_a_clinician_records(manager, patient):
    with pytest.raises(NotAllowed):
        assessment_record(clinician_user=manager, patient=patient, side="left", onset_date=onset())
    assert not Assessment.objects.exists()


def test_a_patient_the_clinician_may_not_see_is_refused(other_clinician):
    stranger = PatientFactory()
    with pytest.raises(InvalidInput) as refused:
        assessment_record(
            clinician_user=other_clinician.user,
            patient=stranger,
            side="left",
            onset_date=onset(),
            red_flags=["audible_snap"],
        )
    assert refused.value.field == "patient"
    assert not Assessment.objects.exists() and not Escalation.objects.exists()


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"red_flags": ["snap"]}, "red_flags"),
        ({"readiness": {"strength_symmetry_percent": 120}}, "readiness"),
        ({"pain_rest": 11}, "pain_rest"),
        ({"grade": 5}, "grade"),
        ({"side": "up"}, "side"),
        ({"movement_patterns": ["slouching"]}, "movement_patterns"),
    ],
)
def test_the_service_checks_its_input_too(clinician, patient, kwargs, field):
    arguments = {"side": "left", "onset_date": onset()} | kwargs
    with pytest.raises(InvalidInput) as refused:
        assessment_record(clinician_user=clinician.user, patient=patient, **arguments)
    assert refused.value.field == field
    assert not Assessment.objects.exists()


def test_alerts_are_stored_with_their_reasons(clinician, patient):
    assessment = assessment_record(
        clinician_user=clinician.user,
        patient=patient,
        side="right",
        onset_date=onset(20),
        grade=3,
        pain_rest=2,
    )
    assessment.refresh_from_db()
    assert assessment.alerts == ["suspected_grade_3", "persistent_pain_after_rest"]
    details = {d["code"]: d for d in assessment.alert_details}
    assert details["suspected_grade_3"]["severity"] == "urgent"
    assert details["persistent_pain_after_rest"]["inputs"] == {
        "red_flags": [],
        "pain_rest": 2,
        "days_since_onset": 20,
    }
    assert set(Escalation.objects.values_list("rule", "source_assessment")) == {
        ("suspected_grade_3", assessment.id),
        ("persistent_pain_after_rest", assessment.id),
    }


def test_a_backdated_assessment_counts_days_from_its_own_date(clinician, patient):
    assessment = assessment_record(
        clinician_user=clinician.user,
        patient=patient,
        side="left",
        onset_date=onset(50),
        assessed_at=timezone.now() - timedelta(days=40),
        pain_rest=3,
    )
    # Ten days after onset: not yet two weeks, not chronic.
    assert assessment.alerts == []


def test_opening_an_assessment_in_the_admin_is_logged(client, manager, patient):
    manager.is_staff = manager.is_superuser = True
    manager.save()
    assessment = AssessmentFactory(episode__patient=patient)
    client.force_login(manager)
    assert client.get(f"/admin/assessments/assessment/{assessment.id}/change/").status_code == 200
    assert (
        client.get(f"/admin/assessments/injuryepisode/{assessment.episode_id}/change/").status_code
        == 200
    )
    entries = AccessLogEntry.objects.filter(patient=patient, actor=manager, action="read")
    assert set(entries.values_list("resource", flat=True)) == {"assessment", "injury_episode"}


def test_a_handled_recurrence_is_not_reopened_by_reassessing_the_same_episode(clinician, patient):

    first = assessment_record(
        clinician_user=clinician.user,
        patient=patient,
        side="left",
        onset_date=onset(),
        previous_injuries=2,
    )
    assert "recurrence" in first.alerts
    escalation = Escalation.objects.get(rule="recurrence")
    escalation_resolve(escalation=escalation, by=clinician.user, note="Discussed prevention.")

    again = assessment_record(
        clinician_user=clinician.user, patient=patient, side="left", onset_date=onset()
    )
    # The alert is still shown on the assessment, but no escalation reopens.
    assert "recurrence" in again.alerts
    assert list(Escalation.objects.filter(rule="recurrence").values_list("status", flat=True)) == [
        "resolved"
    ]
