"""The nightly trend review: no progress over 2 weeks, no improvement over 6 weeks."""

import datetime

import pytest
from django.utils import timezone

from escalations.models import Escalation
from escalations.services import escalation_resolve
from programs.services.check_ins import patient_trend_review
from tests.factories import PatientFactory
from tests.programs.factories import CheckInFactory

pytestmark = pytest.mark.django_db


def _check_ins(patient, *pains_days_ago):
    now = timezone.now()
    for pain, days_ago in pains_days_ago:
        CheckInFactory(
            patient=patient,
            pain_now=pain,
            pain_activity=pain,
            submitted_at=now - datetime.timedelta(days=days_ago),
        )


def test_pain_unchanged_for_two_weeks_opens_one_no_progress_escalation():
    patient = PatientFactory()
    _check_ins(patient, (5, 15), (5, 8), (5, 1))
    assert patient_trend_review(patient=patient) == ["no_progress"]
    escalation = Escalation.objects.get(patient=patient)
    assert (escalation.rule, escalation.severity, escalation.status) == (
        "no_progress",
        "normal",
        "open",
    )
    (occurrence,) = escalation.occurrence_history.all()
    assert occurrence.source == "nightly_review"
    # The next night nothing new happened: still one escalation, not a second occurrence.
    assert patient_trend_review(patient=patient) == ["no_progress"]
    assert Escalation.objects.get(patient=patient).occurrences == 1


def test_improving_patient_is_not_flagged():
    patient = PatientFactory()
    _check_ins(patient, (6, 15), (5, 8), (4, 1))
    assert patient_trend_review(patient=patient) == []
    assert not Escalation.objects.filter(patient=patient).exists()


def test_more_than_six_weeks_without_improvement_is_chronic():
    patient = PatientFactory()
    _check_ins(patient, (4, 50), (4, 30), (4, 1))
    assert patient_trend_review(patient=patient) == ["chronic_no_improvement"]
    assert Escalation.objects.get(patient=patient).rule == "chronic_no_improvement"


def test_resolved_escalation_is_not_reopened_without_a_new_check_in(clinician):
    patient = PatientFactory()
    _check_ins(patient, (5, 15), (5, 1))
    patient_trend_review(patient=patient)
    escalation_resolve(
        escalation=Escalation.objects.get(patient=patient), by=clinician.user, note="Plan changed"
    )
    patient_trend_review(patient=patient)
    assert Escalation.objects.filter(patient=patient).count() == 1


def test_no_check_ins_nothing_to_review():
    assert patient_trend_review(patient=PatientFactory()) == []
