"""Booking, cancelling, moving, completing appointments: who may do what (DOMAIN.md)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bookings.models import Appointment, AppointmentChange, AppointmentStatus
from clinic import events
from clinic.models import AccessLogEntry
from tests.bookings.conftest import MONDAY, at, work_week
from tests.bookings.factories import AppointmentFactory
from tests.factories import ClinicianFactory, PatientFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/appointments/"


@pytest.fixture
def received():
    """Domain events sent while the test runs: [(signal name, kwargs), ...]."""
    log = []
    signals = {
        "booked": events.appointment_booked,
        "rescheduled": events.appointment_rescheduled,
        "cancelled": events.appointment_cancelled,
        "completed": events.appointment_completed,
    }
    receivers = {}
    for name, signal in signals.items():

        def receiver(sender, _name=name, **kwargs):
            log.append((_name, kwargs))

        receivers[name] = receiver
        signal.connect(receiver, sender=Appointment)
    yield log
    for name, signal in signals.items():
        signal.disconnect(receivers[name], sender=Appointment)


def body(patient, clinician, kind, start, **extra):
    data = {
        "patient": patient.id if patient else None,
        "clinician": clinician.id,
        "location": "rotterdam",
        "appointment_type": kind.id,
        "start": start.isoformat(),
        **extra,
    }
    return {k: v for k, v in data.items() if v is not None}


def book(client, *args, **kwargs):
    return client.post(URL, body(*args, **kwargs), format="json")


def test_front_desk_books_and_the_change_is_recorded(
    api, hours, front_desk, patient, clinician, treatment, received
):
    response = book(api(front_desk), patient, clinician, treatment, at(MONDAY, 10))
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["patient"] == patient.id
    assert data["clinician"] == clinician.id
    assert data["location"] == "rotterdam"
    assert data["appointment_type"] == treatment.id
    assert data["start"] == "2027-06-07T10:00:00+02:00"
    assert data["end"] == "2027-06-07T10:30:00+02:00"
    assert data["status"] == "booked"
    assert [(h["action"], h["actor"]) for h in data["history"]] == [("booked", front_desk.id)]
    assert [(name, kw["actor"]) for name, kw in received] == [("booked", front_desk)]
    assert received[0][1]["appointment"].pk == data["id"]
    assert AccessLogEntry.objects.filter(
        actor=front_desk, patient=patient, resource="appointment", action="create"
    ).exists()


def test_a_taken_slot_is_409_slot_taken(
    api, hours, front_desk, patient, other_patient, clinician, treatment
):
    assert book(api(front_desk), patient, clinician, treatment, at(MONDAY, 10)).status_code == 201
    response = book(api(front_desk), other_patient, clinician, treatment, at(MONDAY, 10))
    assert response.status_code == 409
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["type"].endswith("/slot_taken")
    assert Appointment.objects.count() == 1


def test_overlapping_not_identical_ranges_conflict(
    api, hours, front_desk, patient, other_patient, clinician, treatment, intake
):
    assert book(api(front_desk), patient, clinician, intake, at(MONDAY, 10)).status_code == 201
    response = book(api(front_desk), other_patient, clinician, treatment, at(MONDAY, 10, 45))
    assert response.status_code == 409
    assert response.json()["type"].endswith("/slot_taken")


def test_a_patient_cannot_be_in_two_places_at_once(
    api, hours, front_desk, patient, clinician, rotterdam, treatment
):
    colleague = ClinicianFactory(user__locations=[rotterdam])
    work_week(colleague, rotterdam)
    assert book(api(front_desk), patient, clinician, treatment, at(MONDAY, 10)).status_code == 201
    response = book(api(front_desk), patient, colleague, treatment, at(MONDAY, 10, 15))
    assert response.status_code == 409
    assert response.json()["conflict"] == "patient"


def test_a_cancelled_appointment_frees_its_slot(
    api, hours, front_desk, patient, other_patient, clinician, treatment
):
    first = book(api(front_desk), patient, clinician, treatment, at(MONDAY, 10)).json()
    cancel = api(front_desk).post(
        f"{URL}{first['id']}/cancel/", {"reason": "illness"}, format="json"
    )
    assert cancel.status_code == 200
    assert cancel.json()["status"] == "cancelled"
    assert cancel.json()["cancel_reason"] == "illness"
    assert (
        book(api(front_desk), other_patient, clinician, treatment, at(MONDAY, 10)).status_code
        == 201
    )


# --- patients -------------------------------------------------------------------------------


def test_a_patient_books_for_themselves_without_saying_so(
    api, hours, patient, clinician, treatment
):
    response = book(api(patient.user), None, clinician, treatment, at(MONDAY, 11))
    assert response.status_code == 201, response.json()
    assert response.json()["patient"] == patient.id


def test_a_patient_cannot_book_for_another_patient(
    api, hours, patient, other_patient, clinician, treatment
):
    response = book(api(patient.user), other_patient, clinician, treatment, at(MONDAY, 11))
    assert response.status_code == 403
    assert not Appointment.objects.exists()


def test_a_patient_cannot_book_a_type_only_the_clinic_books(api, hours, patient, clinician, intake):
    response = book(api(patient.user), None, clinician, intake, at(MONDAY, 11))
    assert response.status_code == 403
    assert response.json()["type"].endswith("/type_not_patient_bookable")


@pytest.mark.parametrize(
    "hours_before, status, code",
    [(23, 409, "too_late_to_cancel"), (25, 200, None)],
)
@pytest.mark.parametrize("change", ["cancel", "reschedule"])
def test_a_patient_cancels_or_moves_up_to_24_hours_before(
    api, patient, clinician, rotterdam, treatment, hours_before, status, code, change
):
    patient.language = "en"  # the patient reads the refusal in the language on their record
    patient.save(update_fields=["language"])
    work_week(
        clinician,
        rotterdam,
        days=range(7),
        start=__import__("datetime").time(0),
        end=__import__("datetime").time(23, 45),
    )
    start = (timezone.now() + timedelta(hours=hours_before)).replace(second=0, microsecond=0)
    start = start.replace(minute=start.minute - start.minute % 15)
    appointment = AppointmentFactory(patient=patient, clinician=clinician, start=start)
    payload = {"start": at(MONDAY, 10).isoformat()} if change == "reschedule" else {}
    response = api(patient.user).post(f"{URL}{appointment.id}/{change}/", payload, format="json")
    assert response.status_code == status, response.json()
    if code:
        assert response.json()["type"].endswith(f"/{code}")
        assert "24 hours" in response.json()["detail"]
    appointment.refresh_from_db()
    assert (appointment.status == AppointmentStatus.BOOKED and appointment.start == start) is (
        code is not None
    )


def test_staff_may_cancel_at_any_time(api, front_desk, patient, clinician):
    appointment = AppointmentFactory(
        patient=patient, clinician=clinician, start=timezone.now() + timedelta(hours=1)
    )
    response = api(front_desk).post(f"{URL}{appointment.id}/cancel/", {}, format="json")
    assert response.status_code == 200
    assert response.json()["cancel_reason"] == "other"


def test_patients_see_only_their_own_appointments(api, patient, other_patient, clinician):
    own = AppointmentFactory(patient=patient, clinician=clinician, start=at(MONDAY, 9))
    theirs = AppointmentFactory(patient=other_patient, clinician=clinician, start=at(MONDAY, 10))
    client = api(patient.user)
    assert [a["id"] for a in client.get(URL).json()["results"]] == [own.id]
    assert client.get(f"{URL}{theirs.id}/").status_code == 404
    assert client.post(f"{URL}{theirs.id}/cancel/", {}, format="json").status_code == 404


# --- locations and roles --------------------------------------------------------------------


def test_front_desk_of_zoetermeer_cannot_book_in_rotterdam(
    api, hours, front_desk_zoetermeer, patient, clinician, treatment
):
    response = book(api(front_desk_zoetermeer), patient, clinician, treatment, at(MONDAY, 10))
    assert response.status_code == 403
    assert response.json()["type"].endswith("/location_not_allowed")


def test_front_desk_of_zoetermeer_does_not_see_rotterdam_appointments(
    api, front_desk_zoetermeer, patient, clinician
):
    appointment = AppointmentFactory(patient=patient, clinician=clinician, start=at(MONDAY, 9))
    assert api(front_desk_zoetermeer).get(URL).json()["results"] == []
    assert api(front_desk_zoetermeer).get(f"{URL}{appointment.id}/").status_code == 404


def test_staff_must_say_which_patient(api, hours, front_desk, clinician, treatment):
    response = book(api(front_desk), None, clinician, treatment, at(MONDAY, 10))
    assert response.status_code == 400
    assert "patient" in response.json()["errors"]


def test_reading_an_appointment_is_access_logged(api, front_desk, patient, clinician):
    appointment = AppointmentFactory(patient=patient, clinician=clinician, start=at(MONDAY, 9))
    assert api(front_desk).get(f"{URL}{appointment.id}/").status_code == 200
    entry = AccessLogEntry.objects.get(actor=front_desk, action="read")
    assert (entry.patient_id, entry.resource, entry.object_id) == (
        patient.id,
        "appointment",
        str(appointment.id),
    )


@pytest.mark.parametrize(
    "change, field, value",
    [
        ("start", "start", "not a date"),
        ("start", "start", 12),
        ("start", "start", "2027-03-28T02:30:00"),  # spring-forward gap, clinic time
        ("start", "start", "2027-03-28T02:30:00+01:00"),
        ("clinician", "clinician", 999999),
        ("clinician", "clinician", "abc"),
        ("location", "location", "nowhere"),
        ("appointment_type", "appointment_type", 999999),
        ("appointment_type", "appointment_type", None),
        ("patient", "patient", 999999),
        ("patient", "patient", "x"),
    ],
)
def test_garbage_is_400_with_the_field_and_writes_nothing(
    api, hours, front_desk, patient, clinician, treatment, change, field, value
):
    data = body(patient, clinician, treatment, at(MONDAY, 10))
    data[change] = value
    response = api(front_desk).post(URL, data, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"]
    assert not Appointment.objects.exists()


def test_a_list_body_or_malformed_json_is_400(api, front_desk):
    assert api(front_desk).post(URL, [1, 2], format="json").status_code == 400
    response = api(front_desk).post(URL, "{", content_type="application/json")
    assert response.status_code == 400


def test_the_patient_of_another_location_is_unknown_to_the_desk(
    api, front_desk, clinician, treatment, hours, zoetermeer
):
    elsewhere = PatientFactory(location=zoetermeer)
    response = book(api(front_desk), elsewhere, clinician, treatment, at(MONDAY, 10))
    assert response.status_code == 400
    assert "patient" in response.json()["errors"]


@pytest.mark.parametrize(
    "start, status, code",
    [
        (at(MONDAY, 7), 409, "outside_working_hours"),
        (at(MONDAY, 16, 45), 409, "outside_working_hours"),  # would end after 17:00
        (at(MONDAY, 10, 5), 400, "off_grid"),
        (at(MONDAY - timedelta(days=700), 10), 400, "in_the_past"),
    ],
)
def test_the_schedule_refuses_with_a_reason(
    api, hours, front_desk, patient, clinician, treatment, start, status, code
):
    response = book(api(front_desk), patient, clinician, treatment, start)
    assert response.status_code == status
    assert response.json()["type"].endswith(f"/{code}")


def test_a_clinician_who_does_not_work_at_the_location_is_400(
    api, front_desk, patient, other_clinician, treatment
):
    response = book(api(front_desk), patient, other_clinician, treatment, at(MONDAY, 10))
    assert response.status_code == 400
    assert "clinician" in response.json()["errors"]


# --- reschedule, complete, no-show ----------------------------------------------------------


def test_reschedule_moves_the_appointment_and_keeps_the_previous_start(
    api, hours, front_desk, patient, clinician, treatment, received
):
    created = book(api(front_desk), patient, clinician, treatment, at(MONDAY, 10)).json()
    received.clear()
    response = api(front_desk).post(
        f"{URL}{created['id']}/reschedule/", {"start": "2027-06-08T14:00:00+02:00"}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["start"] == "2027-06-08T14:00:00+02:00"
    assert [h["action"] for h in response.json()["history"]] == ["booked", "rescheduled"]
    change = AppointmentChange.objects.get(action="rescheduled")
    assert change.previous_start == at(MONDAY, 10) and change.actor == front_desk
    [(name, kwargs)] = received
    assert name == "rescheduled" and kwargs["previous_start"] == at(MONDAY, 10)


def test_reschedule_into_a_taken_slot_is_409_and_changes_nothing(
    api, hours, front_desk, patient, other_patient, clinician, treatment
):
    client = api(front_desk)
    book(client, other_patient, clinician, treatment, at(MONDAY, 14))
    mine = book(client, patient, clinician, treatment, at(MONDAY, 10)).json()
    response = client.post(
        f"{URL}{mine['id']}/reschedule/", {"start": at(MONDAY, 14, 15).isoformat()}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["type"].endswith("/slot_taken")
    assert Appointment.objects.get(pk=mine["id"]).start == at(MONDAY, 10)


def test_reschedule_a_few_minutes_later_overlapping_itself_is_fine(
    api, hours, front_desk, patient, clinician, treatment
):
    mine = book(api(front_desk), patient, clinician, treatment, at(MONDAY, 10)).json()
    response = api(front_desk).post(
        f"{URL}{mine['id']}/reschedule/", {"start": at(MONDAY, 10, 15).isoformat()}, format="json"
    )
    assert response.status_code == 200, response.json()


def test_a_clinician_completes_a_started_appointment(api, clinician, patient, received):
    appointment = AppointmentFactory(
        patient=patient, clinician=clinician, start=timezone.now() - timedelta(minutes=40)
    )
    response = api(clinician.user).post(f"{URL}{appointment.id}/complete/")
    assert response.status_code == 200
    assert response.json()["status"] == "completed"
    assert [name for name, _ in received] == ["completed"]
    again = api(clinician.user).post(f"{URL}{appointment.id}/complete/")
    assert again.status_code == 409
    assert again.json()["type"].endswith("/invalid_state")


def test_a_future_appointment_cannot_be_completed_or_marked_no_show(api, clinician, patient):
    appointment = AppointmentFactory(patient=patient, clinician=clinician, start=at(MONDAY, 9))
    for path in ("complete", "no-show"):
        response = api(clinician.user).post(f"{URL}{appointment.id}/{path}/")
        assert response.status_code == 409
        assert response.json()["type"].endswith("/not_started")


@pytest.mark.parametrize(
    "role_fixture, path, status",
    [
        ("front_desk", "complete", 403),
        ("front_desk", "no-show", 200),
        ("manager", "complete", 200),
    ],
)
def test_who_may_complete_and_mark_no_show(
    request, api, patient, clinician, role_fixture, path, status
):
    user = request.getfixturevalue(role_fixture)
    appointment = AppointmentFactory(
        patient=patient, clinician=clinician, start=timezone.now() - timedelta(hours=2)
    )
    assert api(user).post(f"{URL}{appointment.id}/{path}/").status_code == status


def test_no_shows_are_counted_per_patient(api, front_desk, patient, other_patient, clinician):
    past = timezone.now() - timedelta(days=3)
    for n in range(3):
        a = AppointmentFactory(
            patient=patient, clinician=clinician, start=past + timedelta(hours=n)
        )
        api(front_desk).post(f"{URL}{a.id}/no-show/")
    AppointmentFactory(patient=other_patient, clinician=clinician, start=past, status="no_show")
    AppointmentFactory(patient=patient, clinician=clinician, start=at(MONDAY, 9))
    response = api(front_desk).get(f"{URL}attendance/", {"patient": patient.id})
    assert response.json() == {
        "patient": patient.id,
        "booked": 1,
        "completed": 0,
        "cancelled": 0,
        "no_shows": 3,
    }
    assert api(front_desk).get(f"{URL}attendance/").status_code == 400
    assert api(patient.user).get(f"{URL}attendance/", {"patient": patient.id}).status_code == 403


@pytest.mark.parametrize("reason", ["because", 3, ""])
def test_an_unknown_cancellation_reason_is_400(api, front_desk, patient, clinician, reason):
    appointment = AppointmentFactory(patient=patient, clinician=clinician, start=at(MONDAY, 9))
    response = api(front_desk).post(
        f"{URL}{appointment.id}/cancel/", {"reason": reason}, format="json"
    )
    assert response.status_code == 400
    assert "reason" in response.json()["errors"]


# --- lists ----------------------------------------------------------------------------------


def test_list_filters_by_patient_and_day(api, front_desk, patient, other_patient, clinician):
    mine = AppointmentFactory(patient=patient, clinician=clinician, start=at(MONDAY, 9))
    AppointmentFactory(
        patient=patient, clinician=clinician, start=at(MONDAY + timedelta(days=1), 9)
    )
    AppointmentFactory(patient=other_patient, clinician=clinician, start=at(MONDAY, 10))
    client = api(front_desk)
    by_day = client.get(URL, {"patient": patient.id, "date": MONDAY.isoformat()}).json()
    assert [a["id"] for a in by_day["results"]] == [mine.id]
    assert client.get(URL, {"patient": "x"}).status_code == 400


def test_list_query_count_is_constant(api, front_desk, clinician, rotterdam):
    def count():
        with CaptureQueriesContext(connection) as ctx:
            response = api(front_desk).get(URL)
        assert response.status_code == 200
        return len(ctx.captured_queries), len(response.json()["results"])

    made = []

    def add(n):
        for _ in range(n):
            start = at(MONDAY, 0) + timedelta(hours=len(made))
            made.append(AppointmentFactory(clinician=clinician, location=rotterdam, start=start))

    add(10)
    ten = count()
    add(40)
    fifty = count()
    assert (ten[1], fifty[1]) == (10, 50)
    assert ten[0] == fifty[0]
