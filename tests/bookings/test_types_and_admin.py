"""Appointment types as the apps see them, and the admin day view."""

import pytest

from tests.bookings.conftest import MONDAY, at
from tests.bookings.factories import AppointmentFactory

pytestmark = pytest.mark.django_db


def test_everyone_signed_in_lists_active_appointment_types(api, patient, treatment, intake):
    intake_gone = intake
    intake_gone.active = False
    intake_gone.save()
    response = api(patient.user).get("/api/v1/appointment-types/")
    assert response.status_code == 200
    body = response.json()
    assert body["next"] is None
    assert body["results"] == [
        {
            "id": treatment.id,
            "code": "treatment",
            "name": "Treatment",
            "duration_minutes": 30,
            "buffer_after_minutes": 0,
            "patient_bookable": True,
            "colour": "#3b82f6",
        }
    ]
    assert api().get("/api/v1/appointment-types/").status_code == 401


def test_admin_day_view_filters_by_location_clinician_and_day(admin_client, clinician, patient):
    appointment = AppointmentFactory(patient=patient, clinician=clinician, start=at(MONDAY, 9))
    assert (
        admin_client.get(f"/admin/bookings/appointment/{appointment.id}/change/").status_code == 200
    )
    response = admin_client.get(
        "/admin/bookings/appointment/",
        {
            "location__id__exact": patient.location_id,
            "clinician__id__exact": clinician.id,
            "start__day": MONDAY.day,
            "start__month": MONDAY.month,
            "start__year": MONDAY.year,
        },
    )
    assert response.status_code == 200
    assert "Mon 2027-06-07 09:00" in response.content.decode()
    for page in ["appointmenttype", "workinghours", "scheduleexception", "calendarfeed"]:
        assert admin_client.get(f"/admin/bookings/{page}/").status_code == 200
