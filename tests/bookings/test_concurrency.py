"""No double booking under real concurrency: separate threads, separate connections."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, transaction

from bookings.models import ACTIVE_STATUSES, Appointment
from tests.bookings.conftest import MONDAY, at
from tests.bookings.factories import AppointmentFactory
from tests.conftest import bearer_client
from tests.factories import PatientFactory

# serialized_rollback: the flush after each test would otherwise drop the locations that a
# data migration created.
pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

URL = "/api/v1/appointments/"


def race(requests):
    """Send the (client, body) requests at the same moment, each thread on its own DB
    connection; return the status codes."""
    barrier = threading.Barrier(len(requests))
    codes = [None] * len(requests)

    def run(index, client, body):
        try:
            barrier.wait()
            codes[index] = client.post(URL, body, format="json").status_code
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, *r)) for i, r in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return codes


def overlapping_pairs(clinician):
    active = Appointment.objects.filter(clinician=clinician, status__in=ACTIVE_STATUSES)
    rows = sorted(active.values_list("start", "buffer_end"))
    return [(a, b) for a, b in zip(rows, rows[1:], strict=False) if b[0] < a[1]]


def test_two_bookings_of_the_same_slot_exactly_one_wins_20_times(
    hours, front_desk, clinician, treatment
):
    client_a, client_b = bearer_client(front_desk), bearer_client(front_desk)
    for repetition in range(20):
        start = (
            at(MONDAY, 9)
            + timedelta(minutes=30 * (repetition % 16))
            + timedelta(days=repetition // 16)
        )
        patients = PatientFactory.create_batch(2)
        codes = race(
            [
                (
                    client,
                    {
                        "patient": p.id,
                        "clinician": clinician.id,
                        "location": "rotterdam",
                        "appointment_type": treatment.id,
                        "start": start.isoformat(),
                    },
                )
                for client, p in zip([client_a, client_b], patients, strict=True)
            ]
        )
        assert sorted(codes) == [201, 409], (repetition, codes)
    assert Appointment.objects.count() == 20
    assert overlapping_pairs(clinician) == []


def test_overlapping_ranges_racing_exactly_one_wins(
    hours, front_desk, clinician, treatment, intake
):
    for repetition in range(10):
        day = MONDAY + timedelta(days=repetition % 5, weeks=repetition // 5)
        patients = PatientFactory.create_batch(2)
        codes = race(
            [
                (
                    bearer_client(front_desk),
                    {
                        "patient": patients[0].id,
                        "clinician": clinician.id,
                        "location": "rotterdam",
                        "appointment_type": intake.id,
                        "start": at(day, 10).isoformat(),
                    },
                ),
                (
                    bearer_client(front_desk),
                    {
                        "patient": patients[1].id,
                        "clinician": clinician.id,
                        "location": "rotterdam",
                        "appointment_type": treatment.id,
                        "start": at(day, 10, 30).isoformat(),
                    },
                ),
            ]
        )
        assert sorted(codes) == [201, 409], (repetition, codes)
    assert overlapping_pairs(clinician) == []


def test_the_database_itself_refuses_an_overlap_the_service_never_saw(clinician, rotterdam):
    AppointmentFactory(clinician=clinician, location=rotterdam, start=at(MONDAY, 10))
    with (
        pytest.raises(IntegrityError, match="appointment_clinician_no_overlap"),
        transaction.atomic(),
    ):
        AppointmentFactory(clinician=clinician, location=rotterdam, start=at(MONDAY, 10, 15))
    patient = PatientFactory()
    AppointmentFactory(patient=patient, start=at(MONDAY, 12))
    with (
        pytest.raises(IntegrityError, match="appointment_patient_no_overlap"),
        transaction.atomic(),
    ):
        AppointmentFactory(patient=patient, start=at(MONDAY, 12, 15))
    # Cancelled appointments take no time.
    AppointmentFactory(
        clinician=clinician, location=rotterdam, start=at(MONDAY, 10), status="cancelled"
    )
