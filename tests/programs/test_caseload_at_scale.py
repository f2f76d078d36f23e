"""The caseload at a realistic size: its indexes serve it, its queries stay few."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from clinic.models import User
from programs.selectors import caseload_for

pytestmark = [pytest.mark.django_db, pytest.mark.postgres_only]

URL = "/api/v1/caseload/"

# The tables that grow with the clinic: none may be read whole for one clinician's list.
# (clinic_patient is left out: at this test's 4,000 patients the planner still finds a
# whole read of it cheaper than the primary key for the members' hash join.)
BIG_TABLES = (
    "programs_program",
    "programs_escalation",
    "programs_checkin",
    "assessments_assessment",
    "bookings_appointment",
)


@pytest.fixture
def scale_physio(is_postgres):
    if not is_postgres:
        pytest.skip("query plans are PostgreSQL's")
    call_command(
        "seed_scale",
        patients=4000,
        clinicians=20,
        check_ins=20000,
        appointments=8000,
        accounts=20,
        no_progress=True,
        stdout=open("/dev/null", "w"),  # noqa: SIM115
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return User.objects.get(username="scale.physio.0")


def test_the_caseload_plan_reads_no_big_table_whole(scale_physio):
    queryset = caseload_for(user=scale_physio, now=timezone.now())
    assert queryset.exists()
    plan = queryset.explain()
    scanned_whole = [
        line.strip()
        for line in plan.splitlines()
        if "Seq Scan" in line and any(f" on {table}" in line for table in BIG_TABLES)
    ]
    assert scanned_whole == [], plan


def test_the_query_count_does_not_grow_with_the_page(api, scale_physio):
    client = api(scale_physio)
    with CaptureQueriesContext(connection) as one:
        assert len(client.get(URL, {"page_size": 1}).json()["results"]) == 1
    with CaptureQueriesContext(connection) as many:
        body = client.get(URL, {"page_size": 200}).json()
    assert len(body["results"]) > 20
    assert len(many) == len(one)
