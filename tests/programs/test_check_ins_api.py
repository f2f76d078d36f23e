"""Check-ins from the mobile app: patients submit their own, clinicians read them."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from clinic import events
from clinic.models import AccessLogEntry
from escalations.models import Escalation
from programs.models import CheckIn
from tests.factories import PatientFactory
from tests.programs.factories import CheckInFactory, ProgramFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/check-ins/"
CALM = {
    "pain_now": 2,
    "pain_activity": 3,
    "pain_character": "dull",
    "pain_course": "stable",
    "exercises_done": True,
    "walking_minutes": 15,
    "walks_without_limp": True,
}


def submit(api, patient, **fields):
    return api(patient.user).post(URL, {**CALM, **fields}, format="json")


def test_a_calm_check_in_is_stored_on_the_active_program(api, patient, clinician):
    program = ProgramFactory(patient=patient, clinician=clinician)
    response = submit(api, patient, note="Walked to the shop.")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["patient"], body["program"]) == (patient.id, program.id)
    assert body["alerts"] == []
    assert [a["code"] for a in body["advice"]] == ["keep_going"]
    assert body["note"] == "Walked to the shop."
    assert not Escalation.objects.exists()
    assert AccessLogEntry.objects.filter(
        resource="check_in", action="create", patient=patient, object_id=str(body["id"])
    ).exists()


def test_sharp_increasing_pain_is_a_stop_signal_with_advice(api, patient):
    patient.language = "en"
    patient.save()
    sent = []
    events.check_in_submitted.connect(
        receiver := lambda sender, check_in, **kw: sent.append(check_in)
    )
    try:
        response = submit(api, patient, pain_character="sharp", pain_course="increasing")
    finally:
        events.check_in_submitted.disconnect(receiver)
    assert response.status_code == 201
    body = response.json()
    assert body["alerts"] == ["stop_signal"]
    (advice,) = body["advice"]
    assert advice["code"] == "stop_signal"
    assert "Stop this activity" in advice["text"]
    escalation = Escalation.objects.get(patient=patient)
    assert (escalation.rule, escalation.severity) == ("stop_signal", "high")
    assert escalation.source_check_in_id == body["id"]
    assert [c.pk for c in sent] == [body["id"]]


def test_advice_is_in_the_patients_language(api, patient):
    patient.language = "nl"
    patient.save()
    body = submit(api, patient, next_day_pain=True).json()
    assert body["alerts"] == ["next_day_pain"]
    assert "dag erna" in body["advice"][0]["text"]


def test_advisory_alerts_open_no_escalation(api, patient):
    body = submit(api, patient, next_day_pain=True, exercise_pain_over_hour=True).json()
    assert body["alerts"] == ["exercise_pain_over_hour", "next_day_pain"]
    assert not Escalation.objects.exists()


def test_complaints_elsewhere_open_a_compensation_escalation(api, patient):
    body = submit(api, patient, complaints_elsewhere=["back", "back", "knee"]).json()
    assert body["complaints_elsewhere"] == ["back", "knee"]
    assert body["alerts"] == ["compensation_complaints"]
    assert Escalation.objects.get(patient=patient).rule == "compensation_complaints"


def test_rising_pain_over_three_check_ins(api, patient):
    now = timezone.now()
    CheckInFactory(patient=patient, pain_now=2, submitted_at=now - datetime.timedelta(days=4))
    CheckInFactory(patient=patient, pain_now=3, submitted_at=now - datetime.timedelta(days=2))
    body = submit(api, patient, pain_now=4).json()
    assert body["alerts"] == ["pain_trend_rising"]
    assert Escalation.objects.get(patient=patient).rule == "pain_trend_rising"


def test_a_repeat_adds_to_the_open_escalation(api, patient):
    submit(api, patient, pain_character="sharp", pain_course="increasing")
    submit(api, patient, pain_character="sharp", pain_course="increasing")
    escalation = Escalation.objects.get(patient=patient)
    assert escalation.occurrences == 2


@pytest.mark.parametrize(
    "fields",
    [
        {"pain_now": 11},
        {"pain_now": -1},
        {"pain_now": "a lot"},
        {"pain_now": None},
        {"pain_activity": 10.5},
        {"pain_character": "burning"},
        {"pain_course": "up"},
        {"complaints_elsewhere": ["shoulder"]},
        {"complaints_elsewhere": "back"},
        {"walking_minutes": -5},
        {"next_day_pain": "perhaps"},
        {"program": 999999},
        {"program": "x"},
    ],
)
def test_bad_input_is_400_and_nothing_is_stored(api, patient, fields):
    response = submit(api, patient, **fields)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["errors"]
    assert not CheckIn.objects.exists()


def test_missing_fields_are_400(api, patient):
    response = api(patient.user).post(URL, {"pain_now": 3}, format="json")
    assert response.status_code == 400
    assert {"pain_activity", "pain_character", "pain_course"} <= set(response.json()["errors"])


def test_another_patients_program_is_refused(api, patient, other_patient, clinician):
    theirs = ProgramFactory(patient=other_patient, clinician=clinician)
    response = submit(api, patient, program=theirs.id)
    assert response.status_code == 400
    assert "program" in response.json()["errors"]
    assert not CheckIn.objects.exists()


def test_staff_cannot_submit_and_front_desk_cannot_read(api, clinician, front_desk, patient):
    check_in = CheckInFactory(patient=patient)
    assert api(clinician.user).post(URL, CALM, format="json").status_code == 403
    assert api(front_desk).post(URL, CALM, format="json").status_code == 403
    assert api(front_desk).get(URL).status_code == 403
    assert api(front_desk).get(f"{URL}{check_in.id}/").status_code == 403


def test_patient_reads_only_own_check_ins(api, patient, other_patient):
    mine = CheckInFactory(patient=patient)
    theirs = CheckInFactory(patient=other_patient)
    client = api(patient.user)
    assert [row["id"] for row in client.get(URL).json()["results"]] == [mine.id]
    assert client.get(f"{URL}{theirs.id}/").status_code == 404
    assert client.get(f"{URL}{mine.id}/").status_code == 200


def test_clinician_reads_check_ins_of_their_patients(api, clinician, other_clinician, patient):
    check_in = CheckInFactory(patient=patient, alerts=["next_day_pain"])
    CheckInFactory(patient=PatientFactory())
    rows = api(clinician.user).get(URL, {"patient": patient.id}).json()["results"]
    assert [(row["id"], row["alerts"]) for row in rows] == [(check_in.id, ["next_day_pain"])]
    assert api(other_clinician.user).get(f"{URL}{check_in.id}/").status_code == 404
    assert AccessLogEntry.objects.filter(resource="check_in", action="read").count() == 1


def test_newest_check_in_first(api, clinician, patient):
    now = timezone.now()
    old = CheckInFactory(patient=patient, submitted_at=now - datetime.timedelta(days=3))
    new = CheckInFactory(patient=patient, submitted_at=now)
    rows = api(clinician.user).get(URL).json()["results"]
    assert [row["id"] for row in rows] == [new.id, old.id]


def test_list_queries_do_not_grow(api, clinician):
    client = api(clinician.user)
    for _ in range(10):
        CheckInFactory()
    with CaptureQueriesContext(connection) as ten:
        assert len(client.get(URL).json()["results"]) == 10
    for _ in range(40):
        CheckInFactory()
    with CaptureQueriesContext(connection) as fifty:
        assert len(client.get(URL).json()["results"]) == 50
    assert len(fifty) == len(ten)


def test_idempotent_retry_creates_one_check_in(api, patient):
    client = api(patient.user)
    first = client.post(URL, CALM, format="json", HTTP_IDEMPOTENCY_KEY="abc-123")
    again = client.post(URL, CALM, format="json", HTTP_IDEMPOTENCY_KEY="abc-123")
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    assert CheckIn.objects.count() == 1
