"""The access log (NEN 7513): one entry per patient record shown or changed, never edited."""

from __future__ import annotations

import pytest
from django.db import IntegrityError

from clinic.models import AccessLogEntry
from clinic.services import access_log_record

pytestmark = pytest.mark.django_db


def test_one_entry_per_object_with_who_what_and_where(clinician, patient, other_patient):
    access_log_record(
        actor=clinician.user,
        patient_ids=[patient.id, other_patient.id],
        object_ids=[11, 12],
        action="read",
        resource="check_in",
        method="GET",
        path="/api/v1/check-ins/",
        address="192.0.2.7",
    )
    entries = AccessLogEntry.objects.order_by("object_id")
    assert [(e.patient_id, e.object_id) for e in entries] == [
        (patient.id, "11"),
        (other_patient.id, "12"),
    ]
    first = entries[0]
    assert (first.actor, first.action, first.resource) == (clinician.user, "read", "check_in")
    assert (first.method, first.path, first.address) == ("GET", "/api/v1/check-ins/", "192.0.2.7")
    assert first.at is not None and first.at == entries[1].at


# Outside a test transaction, as in a request: a failed write must leave nothing behind.
# serialized_rollback: the flush afterwards would otherwise drop the migrated locations.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_long_list_is_written_whole_or_not_at_all(clinician, patient):
    # On SQLite more rows than one INSERT takes go in several statements, in a transaction.
    access_log_record(
        actor=clinician.user,
        patient_ids=[patient.id] * 1001,
        object_ids=range(1001),
        action="read",
        resource="appointment",
    )
    assert AccessLogEntry.objects.filter(patient=patient).count() == 1001
    with pytest.raises(IntegrityError):
        access_log_record(
            actor=clinician.user,
            patient_ids=[patient.id] * 1000 + [None],  # the last row names no patient
            object_ids=range(1001),
            action="read",
            resource="appointment",
        )
    assert AccessLogEntry.objects.filter(patient=patient).count() == 1001


def test_nothing_to_log_writes_nothing(clinician):
    access_log_record(actor=clinician.user, patient_ids=[], action="read", resource="caseload")
    assert not AccessLogEntry.objects.exists()
