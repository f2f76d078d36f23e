"""At most one unresolved escalation per patient and rule; a repeat adds to it."""

import pytest

from clinic.errors import Conflict
from escalations.models import Escalation
from escalations.services import escalation_acknowledge, escalation_raise, escalation_resolve
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db


def test_a_repeat_adds_an_occurrence_instead_of_a_second_escalation(clinician):
    patient = PatientFactory()
    first = escalation_raise(patient=patient, rule="stop_signal", reason="Sharp, increasing.")
    again = escalation_raise(patient=patient, rule="stop_signal", reason="Again sharp.")
    assert first.pk == again.pk
    assert again.occurrences == 2
    assert again.severity == "high"
    assert Escalation.objects.count() == 1


def test_after_resolving_a_new_occurrence_opens_a_new_escalation(clinician):
    patient = PatientFactory()
    first = escalation_raise(patient=patient, rule="recurrence", reason="Second injury.")
    escalation_resolve(escalation=first, by=clinician.user, note="Discussed")
    second = escalation_raise(patient=patient, rule="recurrence", reason="Third injury.")
    assert second.pk != first.pk
    assert second.status == "open"


def test_acknowledge_only_an_open_escalation(clinician):
    escalation = escalation_raise(
        patient=PatientFactory(), rule="suspected_grade_3", reason="Audible snap."
    )
    assert escalation.severity == "urgent"
    escalation_acknowledge(escalation=escalation, by=clinician.user)
    with pytest.raises(Conflict) as refused:
        escalation_acknowledge(escalation=escalation, by=clinician.user)
    assert refused.value.code == "escalation_not_open"


def test_the_database_refuses_a_second_unresolved_escalation(clinician):
    from django.db import IntegrityError, transaction

    patient = PatientFactory()
    escalation_raise(patient=patient, rule="no_progress", reason="Flat for 3 weeks.")
    with pytest.raises(IntegrityError), transaction.atomic():
        Escalation.objects.create(
            patient=patient, rule="no_progress", severity="normal", reason="x"
        )


def test_advisory_alerts_open_no_escalation():
    with pytest.raises(ValueError):
        escalation_raise(patient=PatientFactory.build(), rule="next_day_pain", reason="x")
