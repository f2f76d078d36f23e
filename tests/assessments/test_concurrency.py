"""Two clinicians saving the first assessment of the same leg at the same moment."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from assessments.models import Assessment, InjuryEpisode
from clinic.time import local_date
from escalations.models import Escalation
from tests.conftest import bearer_client
from tests.factories import ClinicianFactory, PatientFactory

# serialized_rollback: the flush after each test would otherwise drop the locations that a
# data migration created.
pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_simultaneous_intakes_share_one_episode_and_one_escalation(rotterdam):
    first = ClinicianFactory(user__locations=[rotterdam])
    second = ClinicianFactory(user__locations=[rotterdam])
    onset = (local_date(timezone.now()) - timedelta(days=3)).isoformat()
    for _ in range(5):
        patient = PatientFactory(location=rotterdam)
        body = {
            "patient": patient.id,
            "side": "left",
            "onset_date": onset,
            "red_flags": ["audible_snap"],
        }
        barrier = threading.Barrier(2)
        codes = []

        def post(clinician, body=body, barrier=barrier, codes=codes):
            try:
                client = bearer_client(clinician.user)
                barrier.wait()
                codes.append(client.post("/api/v1/assessments/", body, format="json").status_code)
            finally:
                connection.close()

        threads = [threading.Thread(target=post, args=(c,)) for c in (first, second)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        assert codes == [201, 201]
        assert InjuryEpisode.objects.filter(patient=patient).count() == 1
        kinds = sorted(Assessment.objects.filter(patient=patient).values_list("kind", flat=True))
        assert kinds == ["intake", "reassessment"]
        escalation = Escalation.objects.get(patient=patient)
        assert escalation.occurrences == 2
