"""Availability: working hours minus exceptions, appointments and buffers (issue: bookings)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from bookings.availability import free_slots
from bookings.models import (
    LONGEST_APPOINTMENT_MINUTES,
    LONGEST_BUFFER_MINUTES,
    LONGEST_BUSY,
    Appointment,
    ExceptionKind,
    ScheduleException,
)
from clinic.time import CLINIC_TZ
from tests.bookings.conftest import MONDAY, at, work_week
from tests.bookings.factories import AppointmentFactory, AppointmentTypeFactory
from tests.factories import ClinicianFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/availability/"


def starts(slots, clinician=None):
    return [s.start for s in slots if clinician is None or s.clinician_id == clinician.pk]


def day_slots(location, kind, day=MONDAY, **kwargs):
    return free_slots(
        location=location, appointment_type=kind, start=at(day, 0), end=at(day, 23, 59), **kwargs
    )


def test_slots_lie_on_the_grid_inside_working_hours(hours, rotterdam, treatment, clinician):
    slots = day_slots(rotterdam, treatment)
    assert starts(slots)[0] == at(MONDAY, 9)
    assert starts(slots)[-1] == at(MONDAY, 16, 30)  # the last 30 minutes end at 17:00
    assert len(slots) == 31
    assert all(s.start.minute % 15 == 0 and s.end - s.start == timedelta(minutes=30) for s in slots)


def test_no_slots_on_a_day_without_working_hours(hours, rotterdam, treatment):
    assert day_slots(rotterdam, treatment, day=MONDAY + timedelta(days=5)) == []


def test_an_appointment_and_its_buffer_take_slots_away(hours, rotterdam, clinician):
    kind = AppointmentTypeFactory(code="with-buffer", duration_minutes=30, buffer_after_minutes=15)
    AppointmentFactory(
        clinician=clinician, location=rotterdam, appointment_type=kind, start=at(MONDAY, 10)
    )
    free = starts(day_slots(rotterdam, kind))
    # 10:00-10:30 plus 15 minutes of buffer; a new slot needs its own buffer too.
    assert at(MONDAY, 9, 15) in free
    assert at(MONDAY, 9, 30) not in free
    assert at(MONDAY, 10, 30) not in free
    assert at(MONDAY, 10, 45) in free


def test_a_cancelled_appointment_does_not_take_its_slot(hours, rotterdam, clinician, treatment):
    AppointmentFactory(
        clinician=clinician, location=rotterdam, start=at(MONDAY, 10), status="cancelled"
    )
    assert at(MONDAY, 10) in starts(day_slots(rotterdam, treatment))


def test_an_appointment_at_another_location_takes_the_clinicians_time(
    hours, rotterdam, zoetermeer, clinician, treatment
):
    AppointmentFactory(clinician=clinician, location=zoetermeer, start=at(MONDAY, 11))
    assert at(MONDAY, 11) not in starts(day_slots(rotterdam, treatment))


@pytest.mark.parametrize(
    "kind, who, blocks",
    [
        (ExceptionKind.LEAVE, "clinician", True),
        (ExceptionKind.HOLIDAY, "location", True),
        (ExceptionKind.LOCATION_CLOSED, "other_location", False),
    ],
)
def test_leave_holidays_and_closed_days_take_the_day(
    hours, rotterdam, zoetermeer, clinician, treatment, kind, who, blocks
):
    ScheduleException.objects.create(
        kind=kind,
        clinician=clinician if who == "clinician" else None,
        location={"clinician": None, "location": rotterdam, "other_location": zoetermeer}[who],
        starts_at=at(MONDAY, 0),
        ends_at=at(MONDAY + timedelta(days=1), 0),
    )
    assert bool(day_slots(rotterdam, treatment)) is not blocks


def test_a_clinician_works_mondays_in_rotterdam_and_thursdays_in_zoetermeer(
    rotterdam, zoetermeer, treatment
):
    both = ClinicianFactory(user__locations=[rotterdam, zoetermeer])
    work_week(both, rotterdam, days=[0])
    work_week(both, zoetermeer, days=[3])
    week = dict(start=at(MONDAY, 0), end=at(MONDAY + timedelta(days=7), 0))
    in_rotterdam = free_slots(location=rotterdam, appointment_type=treatment, **week)
    in_zoetermeer = free_slots(location=zoetermeer, appointment_type=treatment, **week)
    assert {s.start.date() for s in in_rotterdam} == {MONDAY}
    assert {s.start.date() for s in in_zoetermeer} == {MONDAY + timedelta(days=3)}


def test_no_slot_in_the_past(hours, rotterdam, treatment):
    now = at(MONDAY, 12, 5)
    assert starts(day_slots(rotterdam, treatment, now=now))[0] == at(MONDAY, 12, 15)


def test_a_patient_is_not_offered_times_they_are_already_booked(
    hours, rotterdam, treatment, patient, other_clinician
):
    AppointmentFactory(patient=patient, clinician=other_clinician, start=at(MONDAY, 14))
    assert at(MONDAY, 14) in starts(day_slots(rotterdam, treatment))
    assert at(MONDAY, 14) not in starts(day_slots(rotterdam, treatment, patient=patient))


def test_api_returns_the_list_envelope_with_clinic_offsets(api, hours, front_desk, treatment):
    response = api(front_desk).get(
        URL,
        {
            "location": "rotterdam",
            "appointment_type": treatment.id,
            "start": "2027-06-07",
            "end": "2027-06-07",
        },
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["next"] is None and body["previous"] is None
    first = body["results"][0]
    assert first["start"] == "2027-06-07T09:00:00+02:00"
    assert first["end"] == "2027-06-07T09:30:00+02:00"
    assert first["location"] == "rotterdam"
    assert len(body["results"]) == 31


def test_api_accepts_iso_datetimes_and_a_clinician_filter(
    api, hours, patient, treatment, clinician, rotterdam
):
    work_week(ClinicianFactory(user__locations=[rotterdam]), rotterdam)
    response = api(patient.user).get(
        URL,
        {
            "location": "rotterdam",
            "appointment_type": treatment.id,
            "start": "2027-06-07T12:00:00+02:00",
            "end": "2027-06-07T13:00:00+02:00",
            "clinician": clinician.id,
        },
    )
    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["start"][11:16] for r in results] == ["12:00", "12:15", "12:30", "12:45"]
    assert {r["clinician"] for r in results} == {clinician.id}


@pytest.mark.parametrize(
    "params, field",
    [
        ({"appointment_type": "1"}, "location"),
        ({"location": "rotterdam"}, "appointment_type"),
        ({"location": "nowhere", "appointment_type": "T"}, "location"),
        ({"location": "rotterdam", "appointment_type": "abc"}, "appointment_type"),
        ({"location": "rotterdam", "appointment_type": "999999"}, "appointment_type"),
        ({"location": "rotterdam", "appointment_type": "T", "start": "yesterday"}, "start"),
        ({"location": "rotterdam", "appointment_type": "T", "start": "2027-02-30"}, "start"),
        (
            {
                "location": "rotterdam",
                "appointment_type": "T",
                "start": "2027-06-01",
                "end": "2027-07-02",
            },
            "end",
        ),
        (
            {
                "location": "rotterdam",
                "appointment_type": "T",
                "start": "2027-06-07",
                "end": "2027-06-01",
            },
            "end",
        ),
        ({"location": "rotterdam", "appointment_type": "T", "clinician": "x"}, "clinician"),
        ({"location": "rotterdam", "appointment_type": "T", "patient": "999999"}, "patient"),
    ],
)
def test_bad_availability_queries_are_400_with_the_field(api, front_desk, treatment, params, field):
    params = {k: str(treatment.id) if v == "T" else v for k, v in params.items()}
    response = api(front_desk).get(URL, params)
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"]


def test_31_days_is_the_maximum_and_allowed(api, front_desk, treatment, hours):
    response = api(front_desk).get(
        URL,
        {
            "location": "rotterdam",
            "appointment_type": treatment.id,
            "start": "2027-06-01",
            "end": "2027-07-01",
        },
    )
    assert response.status_code == 200
    assert len(response.json()["results"]) == 23 * 31  # 23 weekdays from 1 June to 1 July


def test_anonymous_gets_401(api, treatment):
    assert (
        api().get(URL, {"location": "rotterdam", "appointment_type": treatment.id}).status_code
        == 401
    )


def _count_queries(api, user, kind, days):
    with CaptureQueriesContext(connection) as ctx:
        response = api(user).get(
            URL,
            {
                "location": "rotterdam",
                "appointment_type": kind.id,
                "start": MONDAY.isoformat(),
                "end": (MONDAY + timedelta(days=days - 1)).isoformat(),
            },
        )
    assert response.status_code == 200
    return len(ctx.captured_queries), len(response.json()["results"])


def test_query_count_does_not_grow_with_clinicians_or_days(api, front_desk, rotterdam, treatment):
    def add_clinicians(n):
        for _ in range(n):
            c = ClinicianFactory(user__locations=[rotterdam])
            work_week(c, rotterdam)
            AppointmentFactory(clinician=c, location=rotterdam, start=at(MONDAY, 10))

    add_clinicians(10)
    ten, ten_slots = _count_queries(api, front_desk, treatment, 7)
    add_clinicians(10)
    twenty, twenty_slots = _count_queries(api, front_desk, treatment, 7)
    four_weeks, month_slots = _count_queries(api, front_desk, treatment, 28)
    assert twenty_slots == 2 * ten_slots and month_slots > 3 * twenty_slots
    assert ten == twenty == four_weeks


@pytest.mark.parametrize(
    "day, offset",
    [
        (date(2027, 3, 27), "+01:00"),  # the day before clocks go forward
        (date(2027, 3, 28), "+02:00"),  # clocks went forward at 02:00
        (date(2027, 10, 31), "+01:00"),  # clocks went back at 03:00
    ],
)
def test_daylight_saving_keeps_the_09_00_slot_at_09_00(
    api, front_desk, clinician, rotterdam, treatment, day, offset
):
    work_week(clinician, rotterdam, days=range(7))
    response = api(front_desk).get(
        URL,
        {
            "location": "rotterdam",
            "appointment_type": treatment.id,
            "start": day.isoformat(),
            "end": day.isoformat(),
        },
    )
    results = response.json()["results"]
    assert results[0]["start"] == f"{day.isoformat()}T09:00:00{offset}"
    assert results[-1]["end"] == f"{day.isoformat()}T17:00:00{offset}"
    assert len(results) == 31
    first = datetime.fromisoformat(results[0]["start"])
    assert first.astimezone(CLINIC_TZ).time() == time(9, 0)


def test_a_night_shift_over_the_spring_forward_gap_skips_the_missing_hour(
    clinician, rotterdam, treatment
):
    work_week(clinician, rotterdam, days=[6], start=time(1, 0), end=time(4, 0))
    day = date(2027, 3, 28)
    wall = [
        s.start.astimezone(CLINIC_TZ).strftime("%H:%M")
        for s in day_slots(rotterdam, treatment, day=day)
    ]
    assert "02:30" not in wall and "01:30" in wall and "03:00" in wall


@pytest.mark.parametrize("day", [date(2027, 3, 28), date(2027, 10, 31)])
def test_slots_around_a_clock_change_last_their_real_duration(clinician, rotterdam, treatment, day):
    work_week(clinician, rotterdam, days=[6], start=time(1, 0), end=time(4, 0))
    slots = day_slots(rotterdam, treatment, day=day)
    assert slots
    assert all(s.end.timestamp() - s.start.timestamp() == 30 * 60 for s in slots)


def test_the_longest_appointment_still_blocks_the_end_of_its_busy_time(rotterdam, clinician):
    # 8 hours plus 2 hours of buffer: the longest a clinician can be busy with one booking.
    longest = AppointmentTypeFactory(
        code="longest",
        duration_minutes=LONGEST_APPOINTMENT_MINUTES,
        buffer_after_minutes=LONGEST_BUFFER_MINUTES,
    )
    booked = AppointmentFactory(
        clinician=clinician, location=rotterdam, appointment_type=longest, start=at(MONDAY, 8)
    )
    assert booked.buffer_end - booked.start == LONGEST_BUSY
    busy = Appointment.objects.overlapping
    last_minute = booked.buffer_end - timedelta(minutes=1)
    assert list(busy(last_minute, at(MONDAY, 23), end_field="buffer_end")) == [booked]
    assert not busy(booked.buffer_end, at(MONDAY, 23), end_field="buffer_end").exists()
    assert list(busy(at(MONDAY, 7), at(MONDAY, 8, 1))) == [booked]


def test_the_database_refuses_an_appointment_busier_than_the_longest(rotterdam, clinician):
    with (
        pytest.raises(IntegrityError, match="appointment_busy_at_most_longest"),
        transaction.atomic(),
    ):
        AppointmentFactory(
            clinician=clinician,
            location=rotterdam,
            start=at(MONDAY, 8),
            end=at(MONDAY, 8) + LONGEST_BUSY,
            buffer_end=at(MONDAY, 8) + LONGEST_BUSY + timedelta(minutes=1),
        )
