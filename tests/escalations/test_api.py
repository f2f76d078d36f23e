"""Escalations over HTTP: most pressing first, acknowledge and resolve, only for clinical staff."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from clinic.models import AccessLogEntry
from escalations.models import Escalation
from tests.factories import PatientFactory
from tests.programs.factories import EscalationFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/escalations/"


def test_clinician_lists_escalations_with_the_contract_fields(api, clinician, patient):
    escalation = EscalationFactory(patient=patient, rule="recurrence", severity="normal")
    response = api(clinician.user).get(URL)
    assert response.status_code == 200
    (row,) = response.json()["results"]
    assert row["id"] == escalation.id
    assert row["patient"] == patient.id
    assert (row["rule"], row["severity"], row["status"]) == ("recurrence", "normal", "open")
    assert row["reason"] == escalation.reason
    assert row["created_at"].endswith(("+01:00", "+02:00"))
    assert {"occurrences", "acknowledged_at", "resolved_at", "source_assessment"} <= set(row)


def test_order_is_unresolved_then_most_severe_then_newest(api, clinician, patient):
    now = timezone.now()

    def make(rule, severity, status, hours_ago):
        return EscalationFactory(
            patient=patient,
            rule=rule,
            severity=severity,
            status=status,
            created_at=now - timedelta(hours=hours_ago),
        )

    resolved_urgent = make("suspected_grade_3", "urgent", "resolved", 0)
    old_normal = make("recurrence", "normal", "open", 50)
    new_normal = make("no_progress", "normal", "acknowledged", 1)
    high = make("stop_signal", "high", "open", 40)
    urgent = make("suspected_grade_3", "urgent", "acknowledged", 30)
    resolved_normal = make("recurrence", "normal", "resolved", 2)
    expected = [urgent, high, new_normal, old_normal, resolved_urgent, resolved_normal]

    client = api(clinician.user)
    assert [r["id"] for r in client.get(URL).json()["results"]] == [e.id for e in expected]

    # Walking the cursor two at a time gives the same order, without gaps or repeats.
    seen, page = [], client.get(URL, {"page_size": 2}).json()
    while True:
        seen += [r["id"] for r in page["results"]]
        if not page["next"]:
            break
        page = client.get(page["next"]).json()
    assert seen == [e.id for e in expected]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"status": "open"}, {"recurrence"}),
        ({"severity": "urgent"}, {"suspected_grade_3"}),
        ({"rule": "no_progress"}, {"no_progress"}),
        ({"unresolved": "true"}, {"recurrence", "suspected_grade_3"}),
    ],
)
def test_filters(api, clinician, patient, query, expected):
    EscalationFactory(patient=patient, rule="recurrence")
    EscalationFactory(
        patient=patient, rule="suspected_grade_3", severity="urgent", status="acknowledged"
    )
    EscalationFactory(patient=patient, rule="no_progress", status="resolved")
    rows = api(clinician.user).get(URL, query).json()["results"]
    assert {r["rule"] for r in rows} == expected


def test_patient_filter(api, clinician, patient, other_patient):
    mine = EscalationFactory(patient=patient)
    EscalationFactory(patient=other_patient)
    rows = api(clinician.user).get(URL, {"patient": patient.id}).json()["results"]
    assert [r["id"] for r in rows] == [mine.id]


@pytest.mark.parametrize("query", [{"status": "closed"}, {"severity": "low"}, {"rule": "x"}])
def test_unknown_filter_values_are_400(api, clinician, query):
    response = api(clinician.user).get(URL, query)
    assert response.status_code == 400
    assert set(query) <= set(response.json()["errors"])


# --- Acknowledge and resolve ----------------------------------------------------------------


def test_acknowledge_then_resolve(api, clinician, patient):
    escalation = EscalationFactory(patient=patient)
    client = api(clinician.user)

    acknowledged = client.post(f"{URL}{escalation.id}/acknowledge/")
    assert acknowledged.status_code == 200
    body = acknowledged.json()
    assert body["status"] == "acknowledged"
    assert body["acknowledged_by"] == clinician.user.id
    assert body["acknowledged_at"]

    again = client.post(f"{URL}{escalation.id}/acknowledge/")
    assert again.status_code == 409
    assert again.json()["type"].endswith("/escalation_not_open")

    resolved = client.post(
        f"{URL}{escalation.id}/resolve/", {"note": "Referred to sports physician."}, format="json"
    )
    assert resolved.status_code == 200
    assert resolved.json()["status"] == "resolved"
    assert resolved.json()["resolution_note"] == "Referred to sports physician."
    assert resolved.json()["resolved_by"] == clinician.user.id

    twice = client.post(f"{URL}{escalation.id}/resolve/")
    assert twice.status_code == 409
    assert twice.json()["type"].endswith("/escalation_resolved")
    assert client.post(f"{URL}{escalation.id}/acknowledge/").status_code == 409


def test_resolving_an_open_escalation_also_acknowledges_it(api, manager, patient):
    escalation = EscalationFactory(patient=patient)
    response = api(manager).post(f"{URL}{escalation.id}/resolve/")
    assert response.status_code == 200
    assert response.json()["acknowledged_by"] == manager.id
    assert response.json()["resolution_note"] == ""


def test_resolve_with_a_bad_note_is_400(api, clinician, patient):
    escalation = EscalationFactory(patient=patient)
    response = api(clinician.user).post(
        f"{URL}{escalation.id}/resolve/", {"note": "x" * 5001}, format="json"
    )
    assert response.status_code == 400
    assert "note" in response.json()["errors"]
    escalation.refresh_from_db()
    assert escalation.status == "open"


# --- Who may do what ------------------------------------------------------------------------


def test_front_desk_and_patients_get_403(api, front_desk, patient):
    escalation = EscalationFactory(patient=patient)
    for user in (front_desk, patient.user):
        client = api(user)
        assert client.get(URL).status_code == 403
        assert client.get(f"{URL}{escalation.id}/").status_code == 403
        assert client.post(f"{URL}{escalation.id}/acknowledge/").status_code == 403
        assert client.post(f"{URL}{escalation.id}/resolve/").status_code == 403
    escalation.refresh_from_db()
    assert escalation.status == "open"
    assert not AccessLogEntry.objects.exists()


def test_another_locations_clinician_gets_404(api, other_clinician, patient):
    escalation = EscalationFactory(patient=patient)
    client = api(other_clinician.user)
    assert client.get(URL).json()["results"] == []
    assert client.get(f"{URL}{escalation.id}/").status_code == 404
    assert client.post(f"{URL}{escalation.id}/acknowledge/").status_code == 404
    assert client.post(f"{URL}{escalation.id}/resolve/").status_code == 404
    escalation.refresh_from_db()
    assert escalation.status == "open"


def test_unknown_id_is_404(api, clinician):
    assert api(clinician.user).get(f"{URL}999999/").status_code == 404


def test_every_read_and_change_is_logged(api, clinician, patient, other_patient):
    first = EscalationFactory(patient=patient)
    second = EscalationFactory(patient=other_patient)
    client = api(clinician.user)
    client.get(URL)
    entries = AccessLogEntry.objects.filter(resource="escalation")
    assert sorted(entries.filter(action="read").values_list("patient_id", flat=True)) == sorted(
        [patient.id, other_patient.id]
    )
    client.get(f"{URL}{first.id}/")
    client.post(f"{URL}{second.id}/acknowledge/")
    assert entries.filter(action="read").count() == 3
    change = entries.get(action="update")
    assert (change.patient_id, change.object_id) == (other_patient.id, str(second.id))


def test_list_takes_the_same_number_of_queries_for_10_and_50(api, clinician):
    client = api(clinician.user)

    def queries_for(count):
        Escalation.objects.all().delete()
        for _ in range(count):
            EscalationFactory(patient=PatientFactory(primary_clinician=clinician))
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(URL)
        assert len(response.json()["results"]) == count
        return len(ctx)

    assert queries_for(10) == queries_for(50)
