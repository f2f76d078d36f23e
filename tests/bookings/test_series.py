"""Treatment series: booked whole or refused with the conflicting dates."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bookings.models import Appointment
from tests.bookings.conftest import at
from tests.bookings.factories import AppointmentFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/appointments/series/"
FIRST = date(2027, 3, 15)  # a Monday; the clocks go forward in between


def series(patient, clinician, kind, **extra):
    return {
        "patient": patient.id,
        "clinician": clinician.id,
        "location": "rotterdam",
        "appointment_type": kind.id,
        "start": at(FIRST, 10).isoformat(),
        "occurrences": 4,
        **extra,
    }


def test_a_weekly_series_keeps_the_clinic_time_across_daylight_saving(
    api, hours, front_desk, patient, clinician, treatment
):
    response = api(front_desk).post(URL, series(patient, clinician, treatment), format="json")
    assert response.status_code == 201, response.json()
    starts = [a["start"] for a in response.json()["appointments"]]
    assert starts == [
        "2027-03-15T10:00:00+01:00",
        "2027-03-22T10:00:00+01:00",
        "2027-03-29T10:00:00+02:00",
        "2027-04-05T10:00:00+02:00",
    ]
    assert Appointment.objects.filter(series_id=response.json()["id"]).count() == 4


def test_a_series_with_a_taken_date_books_nothing_and_lists_it(
    api, hours, front_desk, patient, other_patient, clinician, treatment
):
    AppointmentFactory(
        patient=other_patient, clinician=clinician, start=at(FIRST + timedelta(days=14), 10, 15)
    )
    response = api(front_desk).post(URL, series(patient, clinician, treatment), format="json")
    assert response.status_code == 409
    problem = response.json()
    assert problem["type"].endswith("/series_conflict")
    assert [(c["date"], c["code"]) for c in problem["conflicts"]] == [("2027-03-29", "slot_taken")]
    assert "2027-03-29" in problem["detail"]
    assert Appointment.objects.filter(patient=patient).count() == 0


def test_every_n_days_and_weekends_refused(api, hours, front_desk, patient, clinician, treatment):
    body = series(patient, clinician, treatment, occurrences=3, interval_days=2)
    response = api(front_desk).post(URL, body, format="json")
    # Monday, Wednesday, Friday: all working days.
    assert response.status_code == 201
    body = series(
        patient,
        clinician,
        treatment,
        occurrences=2,
        interval_days=5,
        start=at(FIRST + timedelta(weeks=3), 10).isoformat(),
    )
    response = api(front_desk).post(URL, body, format="json")
    assert response.status_code == 409
    assert response.json()["conflicts"][0]["code"] == "outside_working_hours"


@pytest.mark.parametrize(
    "field, value",
    [("occurrences", 1), ("occurrences", 100), ("occurrences", "x"), ("interval_days", 0)],
)
def test_series_garbage_is_400(api, front_desk, patient, clinician, treatment, field, value):
    body = series(patient, clinician, treatment, **{field: value})
    response = api(front_desk).post(URL, body, format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_patients_book_single_appointments_not_series(api, hours, patient, clinician, treatment):
    response = api(patient.user).post(URL, series(patient, clinician, treatment), format="json")
    assert response.status_code == 403
