"""The caseload: a clinician's active programs, the patient who needs attention first."""

import datetime
import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from clinic.models import AccessLogEntry
from escalations.services import escalation_acknowledge, escalation_resolve
from tests.assessments.factories import AssessmentFactory, InjuryEpisodeFactory
from tests.bookings.factories import AppointmentFactory
from tests.factories import ClinicianFactory, PatientFactory
from tests.programs.factories import CheckInFactory, EscalationFactory, ProgramFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/caseload/"


def ago(**kwargs) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(**kwargs)


def rows(api, clinician, **params):
    response = api(clinician.user).get(URL, params)
    assert response.status_code == 200, response.json()
    return response.json()["results"]


def test_a_row_shows_step_escalations_check_in_and_next_appointment(api, clinician, patient):
    program = ProgramFactory(patient=patient, clinician=clinician, step=2, started_at=ago(days=10))
    checked_in = CheckInFactory(patient=patient, submitted_at=ago(hours=5))
    EscalationFactory(patient=patient, rule="no_progress", severity="normal")
    EscalationFactory(patient=patient, rule="stop_signal", severity="high")
    resolved = EscalationFactory(patient=patient, rule="recurrence", severity="urgent")
    escalation_resolve(
        escalation=resolved, by=clinician.user, outcome="false_alarm", note="Seen in clinic."
    )
    soon = timezone.now() + datetime.timedelta(days=2)
    AppointmentFactory(patient=patient, clinician=clinician, start=soon)
    AppointmentFactory(
        patient=patient,
        clinician=clinician,
        start=soon - datetime.timedelta(days=1),
        status="cancelled",
    )
    AppointmentFactory(patient=patient, clinician=clinician, start=ago(days=1))

    (row,) = rows(api, clinician)
    assert row["patient"] == patient.id
    assert row["patient_name"] == patient.name
    assert row["program"] == {
        "id": program.id,
        "step": 2,
        "step_name": "pain_reduction",
        "status": "active",
    }
    assert row["open_escalations"] == 2
    assert row["most_severe"] == "high"
    assert datetime.datetime.fromisoformat(row["last_check_in"]) == checked_in.submitted_at
    assert datetime.datetime.fromisoformat(row["next_appointment"]) == soon
    assert row["check_in_overdue"] is False
    assert AccessLogEntry.objects.filter(resource="caseload", patient=patient).count() == 1


def test_only_own_active_programs(api, clinician, other_clinician):
    mine = ProgramFactory(clinician=clinician)
    ProgramFactory(clinician=clinician, status="paused")
    ProgramFactory(clinician=clinician, status="completed")
    ProgramFactory(clinician=other_clinician)
    assert [row["program"]["id"] for row in rows(api, clinician)] == [mine.id]


@pytest.mark.parametrize(
    ("every_days", "last_check_in", "started", "overdue"),
    [
        (2, None, ago(days=1), False),  # new program, not yet due
        (2, None, ago(days=2, minutes=1), True),  # never checked in, two days since start
        (2, ago(days=1, hours=23), ago(days=20), False),
        (2, ago(days=2, minutes=1), ago(days=20), True),
        (7, ago(days=6), ago(days=20), False),
        (7, ago(days=8), ago(days=20), True),
        # a check-in before this program started does not count; the start does
        (3, ago(days=30), ago(days=1), False),
    ],
)
def test_check_in_overdue(api, clinician, every_days, last_check_in, started, overdue):
    patient = PatientFactory()
    ProgramFactory(
        patient=patient, clinician=clinician, check_in_every_days=every_days, started_at=started
    )
    if last_check_in:
        CheckInFactory(patient=patient, submitted_at=last_check_in)
    (row,) = rows(api, clinician)
    assert row["check_in_overdue"] is overdue


def test_the_patient_who_needs_attention_most_comes_first(api, clinician):
    def enrolled(last_check_in_days_ago=None, escalation=None, acknowledged=False):
        patient = PatientFactory()
        ProgramFactory(
            patient=patient, clinician=clinician, check_in_every_days=7, started_at=ago(days=30)
        )
        if last_check_in_days_ago is not None:
            CheckInFactory(patient=patient, submitted_at=ago(days=last_check_in_days_ago))
        if escalation:
            made = EscalationFactory(
                patient=patient, rule=f"rule_{escalation}", severity=escalation
            )
            if acknowledged:
                escalation_acknowledge(escalation=made, by=clinician.user)
        return patient.id

    calm_recent = enrolled(1)
    calm_older = enrolled(5)
    normal = enrolled(1, "normal")
    overdue = enrolled(10)
    never = enrolled(None)  # never checked in, 30 days since start: overdue, oldest
    high = enrolled(1, "high")
    urgent_seen = enrolled(2, "urgent", acknowledged=True)
    urgent = enrolled(1, "urgent")

    order = [row["patient"] for row in rows(api, clinician)]
    assert order == [urgent_seen, urgent, high, never, overdue, normal, calm_older, calm_recent]


def test_ties_break_on_the_program_id(api, clinician):
    started = ago(hours=1)
    ids = [ProgramFactory(clinician=clinician, started_at=started).id for _ in range(5)]
    assert [row["program"]["id"] for row in rows(api, clinician)] == ids


@pytest.mark.parametrize("who", ["front_desk", "patient", "manager"])
def test_only_clinicians_have_a_caseload(api, request, who):
    user = request.getfixturevalue(who)
    user = getattr(user, "user", user)
    response = api(user).get(URL)
    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"


_slot = itertools.count()


def _caseload(clinician, n):
    for i in range(n):
        patient = PatientFactory()
        ProgramFactory(patient=patient, clinician=clinician, step=1 + i % 5)
        CheckInFactory(patient=patient, submitted_at=ago(days=i % 4))
        if i % 3 == 0:
            EscalationFactory(patient=patient, severity=("urgent", "high", "normal")[i % 3])
        AppointmentFactory(
            patient=patient,
            clinician=clinician,
            # one clinician, so every appointment in its own hour
            start=timezone.now() + datetime.timedelta(days=1, hours=next(_slot)),
        )


def _without_access_log(captured) -> int:
    return sum(1 for q in captured.captured_queries if "clinic_accesslogentry" not in q["sql"])


def test_queries_do_not_grow_with_the_caseload(api, clinician):
    client = api(clinician.user)
    _caseload(clinician, 10)
    with CaptureQueriesContext(connection) as ten:
        assert len(client.get(URL).json()["results"]) == 10
    _caseload(clinician, 40)
    with CaptureQueriesContext(connection) as fifty:
        assert len(client.get(URL).json()["results"]) == 50
    assert len(fifty) == len(ten)


def test_three_hundred_active_programs_in_a_constant_number_of_queries(api, clinician, is_postgres):
    client = api(clinician.user)
    _caseload(clinician, 5)
    with CaptureQueriesContext(connection) as few:
        client.get(URL, {"page_size": 500})
    _caseload(clinician, 295)
    with CaptureQueriesContext(connection) as many:
        body = client.get(URL, {"page_size": 500}).json()
    assert len(body["results"]) == 300
    # SQLite splits the access log's one bulk INSERT into batches of its variable limit.
    assert _without_access_log(many) == _without_access_log(few)
    if is_postgres:
        assert len(many) == len(few)
    severities = [row["most_severe"] for row in body["results"]]
    assert severities[: severities.count("urgent")] == ["urgent"] * severities.count("urgent")


def test_pages_follow_the_same_order(api, clinician):
    _caseload(clinician, 12)
    client = api(clinician.user)
    everything = [
        row["program"]["id"] for row in client.get(URL, {"page_size": 50}).json()["results"]
    ]
    first = client.get(URL, {"page_size": 5}).json()
    second = client.get(first["next"]).json()
    paged = [row["program"]["id"] for row in first["results"] + second["results"]]
    assert paged == everything[:10]
    assert first["previous"] is None


# --- issue 12, case 3: nobody flagged falls off every list --------------------------------


def test_flagged_patients_without_an_active_program_are_on_their_clinicians_list(
    api, clinician, rotterdam
):
    paused = PatientFactory(location=rotterdam, primary_clinician=clinician)
    ProgramFactory(patient=paused, clinician=clinician, status="paused")
    EscalationFactory(patient=paused, rule="suspected_grade_3", severity="urgent")
    intake_only = PatientFactory(location=rotterdam, primary_clinician=clinician)
    EscalationFactory(patient=intake_only, rule="recurrence", severity="normal")
    quiet_paused = PatientFactory(location=rotterdam, primary_clinician=clinician)
    ProgramFactory(patient=quiet_paused, clinician=clinician, status="paused")

    body = api(clinician.user).get(URL).json()
    assert body["count"] == 2
    by_patient = {row["patient"]: row for row in body["results"]}
    assert list(by_patient) == [paused.id, intake_only.id]  # urgent first
    assert by_patient[paused.id]["program"]["status"] == "paused"
    assert by_patient[paused.id]["check_in_overdue"] is False
    assert by_patient[intake_only.id]["program"] is None
    assert by_patient[intake_only.id]["most_severe"] == "normal"


@pytest.mark.parametrize(("days_ago", "listed"), [(29, True), (31, False)])
def test_a_recent_assessment_without_a_program_is_listed(
    api, clinician, rotterdam, days_ago, listed
):
    patient = PatientFactory(location=rotterdam, primary_clinician=clinician)
    episode = InjuryEpisodeFactory(patient=patient)
    AssessmentFactory(episode=episode, assessed_at=ago(days=days_ago))
    ids = [row["patient"] for row in rows(api, clinician)]
    assert (patient.id in ids) is listed


def test_without_a_clinician_every_clinician_at_the_location_sees_the_patient(
    api, clinician, other_clinician, rotterdam
):
    colleague = ClinicianFactory(user__locations=[rotterdam])
    orphan = PatientFactory(location=rotterdam, primary_clinician=None)
    EscalationFactory(patient=orphan, rule="stop_signal", severity="high")
    assert [r["patient"] for r in rows(api, clinician)] == [orphan.id]
    assert [r["patient"] for r in rows(api, colleague)] == [orphan.id]
    assert rows(api, other_clinician) == []  # Zoetermeer


def test_a_flagged_patient_is_on_the_program_clinicians_list_not_the_primarys(
    api, clinician, rotterdam
):
    colleague = ClinicianFactory(user__locations=[rotterdam])
    patient = PatientFactory(location=rotterdam, primary_clinician=clinician)
    ProgramFactory(patient=patient, clinician=colleague, status="paused")
    EscalationFactory(patient=patient, rule="stop_signal", severity="high")
    assert rows(api, clinician) == []
    assert [r["patient"] for r in rows(api, colleague)] == [patient.id]


def test_a_resolved_escalation_no_longer_puts_a_patient_on_the_list(api, clinician, rotterdam):
    patient = PatientFactory(location=rotterdam, primary_clinician=clinician)
    EscalationFactory(patient=patient, rule="recurrence", status="resolved")
    assert rows(api, clinician) == []


def test_flagged_patients_keep_the_query_count_constant(api, clinician, rotterdam):
    client = api(clinician.user)

    def flagged(n):
        for i in range(n):
            patient = PatientFactory(location=rotterdam, primary_clinician=(clinician, None)[i % 2])
            EscalationFactory(patient=patient, severity=("urgent", "high", "normal")[i % 3])
            if i % 3 == 0:
                ProgramFactory(patient=patient, clinician=clinician, status="paused")

    _caseload(clinician, 3)
    flagged(3)
    with CaptureQueriesContext(connection) as few:
        assert len(client.get(URL).json()["results"]) == 6
    _caseload(clinician, 10)
    flagged(20)
    with CaptureQueriesContext(connection) as many:
        assert len(client.get(URL).json()["results"]) == 36
    assert len(many) == len(few)
