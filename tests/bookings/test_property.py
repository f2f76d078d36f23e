"""Availability never offers a slot that booking then refuses, and booking never accepts a
slot availability did not offer (hypothesis over random schedules and bookings)."""

from __future__ import annotations

from contextlib import suppress
from datetime import time, timedelta

import pytest
from django.db import IntegrityError, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bookings.availability import free_slots
from bookings.models import ExceptionKind, ScheduleException
from bookings.services.appointments import appointment_book
from clinic.errors import DomainError
from tests.bookings.conftest import MONDAY, at, work_week
from tests.bookings.factories import AppointmentFactory, AppointmentTypeFactory
from tests.factories import ClinicianFactory, PatientFactory

pytestmark = pytest.mark.django_db

NOW = at(MONDAY, 8)  # services take "now", so the test does not depend on the clock

shift = st.tuples(st.integers(7, 11), st.integers(12, 18))
existing = st.lists(
    st.tuples(
        st.integers(0, 1),  # which clinician
        st.integers(0, 4),  # day of the week
        st.integers(7 * 12, 18 * 12),  # start, in 5-minute steps: off the grid as well
        st.sampled_from([15, 30, 45, 60]),  # duration
    ),
    max_size=8,
)


class Rollback(Exception):
    pass


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    shifts=st.lists(shift, min_size=2, max_size=2),
    booked=existing,
    buffer=st.sampled_from([0, 10, 15]),
    duration=st.sampled_from([30, 45, 60]),
    leave_day=st.none() | st.integers(0, 4),
    data=st.data(),
)
def test_offered_slots_can_be_booked_and_others_cannot(
    rotterdam, front_desk, shifts, booked, buffer, duration, leave_day, data
):
    try:
        with transaction.atomic():
            clinicians = [ClinicianFactory(user__locations=[rotterdam]) for _ in shifts]
            for clinician, (start_hour, end_hour) in zip(clinicians, shifts, strict=True):
                work_week(clinician, rotterdam, start=time(start_hour), end=time(end_hour))
            kind = AppointmentTypeFactory(
                code=f"t{duration}-{buffer}", duration_minutes=duration, buffer_after_minutes=buffer
            )
            for who, day, step, minutes in booked:
                start = at(MONDAY + timedelta(days=day), 0) + timedelta(minutes=5 * step)
                other = AppointmentTypeFactory(code=f"x{minutes}", duration_minutes=minutes)
                # An overlap that PostgreSQL refuses is simply not set up.
                with suppress(IntegrityError), transaction.atomic():
                    AppointmentFactory(
                        clinician=clinicians[who],
                        location=rotterdam,
                        appointment_type=other,
                        start=start,
                    )
            if leave_day is not None:
                ScheduleException.objects.create(
                    kind=ExceptionKind.LEAVE,
                    clinician=clinicians[0],
                    starts_at=at(MONDAY + timedelta(days=leave_day), 12),
                    ends_at=at(MONDAY + timedelta(days=leave_day), 15),
                )
            patient = PatientFactory(location=rotterdam)
            offered = free_slots(
                location=rotterdam,
                appointment_type=kind,
                start=at(MONDAY, 0),
                end=at(MONDAY + timedelta(days=5), 0),
                patient=patient,
                now=NOW,
            )
            offered_keys = {(s.clinician_id, s.start) for s in offered}
            picks = [data.draw(st.sampled_from(offered)) for _ in range(3)] if offered else []
            for slot in picks:
                clinician = next(c for c in clinicians if c.pk == slot.clinician_id)
                with transaction.atomic():
                    appointment_book(
                        actor=front_desk,
                        patient_id=patient.pk,
                        clinician=clinician,
                        location=rotterdam,
                        appointment_type=kind,
                        start=slot.start,
                        now=NOW,
                    )
                    transaction.set_rollback(True)
            for _ in range(3):
                who = data.draw(st.integers(0, 1))
                start = at(MONDAY + timedelta(days=data.draw(st.integers(0, 4))), 0) + timedelta(
                    minutes=15 * data.draw(st.integers(6 * 4, 19 * 4))
                )
                if (clinicians[who].pk, start) in offered_keys:
                    continue
                with pytest.raises(DomainError), transaction.atomic():
                    appointment_book(
                        actor=front_desk,
                        patient_id=patient.pk,
                        clinician=clinicians[who],
                        location=rotterdam,
                        appointment_type=kind,
                        start=start,
                        now=NOW,
                    )
            raise Rollback
    except Rollback:
        pass
