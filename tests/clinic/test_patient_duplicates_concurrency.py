"""Two desks registering the same person at the same moment: one record, one 409."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from clinic.models import Patient
from tests.conftest import bearer_client
from tests.factories import UserFactory

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_simultaneous_registrations_of_one_person_create_one_record(rotterdam, zoetermeer):
    desks = [
        UserFactory(role="front_desk", locations=[rotterdam]),
        UserFactory(role="front_desk", locations=[zoetermeer]),
    ]
    for attempt in range(5):
        body = {
            "first_name": "Daan",
            "last_name": f"Bakker{attempt}",
            "date_of_birth": "1975-06-01",
        }
        barrier = threading.Barrier(2)
        codes = []

        def post(desk, location, body=body, barrier=barrier, codes=codes):
            try:
                client = bearer_client(desk)
                barrier.wait()
                response = client.post(
                    "/api/v1/patients/", {**body, "location": location}, format="json"
                )
                codes.append(response.status_code)
            finally:
                connection.close()

        threads = [
            threading.Thread(target=post, args=(desk, slug))
            for desk, slug in zip(desks, ["rotterdam", "zoetermeer"], strict=True)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        assert sorted(codes) == [201, 409]
        assert Patient.objects.filter(last_name=body["last_name"]).count() == 1
