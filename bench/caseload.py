"""Benchmark of GET /api/v1/caseload/ for a clinician with 300 active programs.

    .venv/bin/python bench/caseload.py [--programs 300] [--calls 100]

Creates a scratch PostgreSQL database (dropped afterwards), fills it with one clinician's
active programs, each patient with check-ins, some escalations and an upcoming appointment,
and calls the endpoint through Django's test client (the whole stack except the network:
middleware, JWT auth, the annotated query, serialization, access log). Prints p50/p95,
the number of queries per call and the machine's core count. Target: p95 < 100 ms.
"""

from __future__ import annotations

import argparse
import datetime
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _harness import django_database, percentile  # noqa: E402


def populate(n_programs: int):
    from django.utils import timezone

    from bookings.models import Appointment, AppointmentType
    from clinic.models import Clinician, Location, Patient, Role, User
    from escalations.models import Escalation
    from programs.models import CheckIn, Program

    rotterdam = Location.objects.get(slug="rotterdam")
    user = User.objects.create_user(username="bench.physio", password="x", role=Role.CLINICIAN)
    user.locations.set([rotterdam])
    clinician = Clinician.objects.create(user=user)
    now = timezone.now()
    patients = Patient.objects.bulk_create(
        Patient(
            first_name=f"Patient{i}",
            last_name="Bench",
            date_of_birth=datetime.date(1990, 1, 1),
            location=rotterdam,
            primary_clinician=clinician,
        )
        for i in range(n_programs)
    )
    Program.objects.bulk_create(
        Program(
            patient=p,
            clinician=clinician,
            step=1 + i % 5,
            check_in_every_days=(2, 2, 3, 3, 7)[i % 5],
            started_at=now - datetime.timedelta(days=30 + i % 20),
        )
        for i, p in enumerate(patients)
    )
    # Twelve check-ins per patient over the last month.
    CheckIn.objects.bulk_create(
        CheckIn(
            patient=p,
            submitted_at=now - datetime.timedelta(days=2.5 * k + i % 7, hours=i % 11),
            pain_now=(i + k) % 8,
            pain_activity=(i + 2 * k) % 9,
            pain_character="dull",
            pain_course="stable",
        )
        for i, p in enumerate(patients)
        for k in range(12)
    )
    severities = ("urgent", "high", "normal")
    Escalation.objects.bulk_create(
        Escalation(patient=p, rule=rule, severity=severities[(i + j) % 3], reason="bench")
        for i, p in enumerate(patients)
        if i % 3 == 0
        for j, rule in enumerate(("no_progress", "stop_signal")[: 1 + i % 2])
    )
    kind, _ = AppointmentType.objects.get_or_create(
        code="bench_treatment", defaults={"name": "Treatment", "duration_minutes": 30}
    )
    start = now.replace(minute=0, second=0, microsecond=0) + datetime.timedelta(days=1)
    Appointment.objects.bulk_create(
        Appointment(
            patient=p,
            clinician=clinician,
            location=rotterdam,
            appointment_type=kind,
            start=start + datetime.timedelta(hours=i),
            end=start + datetime.timedelta(hours=i, minutes=30),
            buffer_end=start + datetime.timedelta(hours=i, minutes=30),
        )
        for i, p in enumerate(patients)
    )
    return user


def measure(user, *, calls: int, page_size: int) -> None:
    from django.db import connection
    from django.test import Client
    from rest_framework_simplejwt.tokens import RefreshToken

    client = Client(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(user).access_token}")
    url = f"/api/v1/caseload/?page_size={page_size}"
    for _ in range(5):  # warm up connections and caches
        assert client.get(url).status_code == 200
    queries = []

    def count(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            queries.append((sql, (time.perf_counter() - started) * 1000))

    with connection.execute_wrapper(count):
        rows = len(client.get(url).json()["results"])
    timings = []
    for _ in range(calls):
        started = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    p95 = percentile(timings, 95)
    print(f"caseload: {rows} rows per call (page_size={page_size}), {calls} calls")
    print(
        f"  p50 {statistics.median(timings):.1f} ms   p95 {p95:.1f} ms   max {max(timings):.1f} ms"
    )
    print(f"  queries per call: {len(queries)} (auth, the caseload, the page count, access log)")
    for sql, ms in queries:
        print(f"    {ms:6.1f} ms  {sql[:70]}")
    print(f"  os.cpu_count(): {os.cpu_count()}")
    print(f"  target p95 < 100 ms: {'met' if p95 < 100 else 'NOT met'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--programs", type=int, default=300)
    parser.add_argument("--calls", type=int, default=100)
    args = parser.parse_args()
    with django_database(f"clinic_bench_caseload_{os.getpid()}"):
        user = populate(args.programs)
        print(f"{args.programs} active programs with check-ins, escalations and appointments")
        measure(user, calls=args.calls, page_size=50)  # the default page, as the app asks
        measure(user, calls=args.calls, page_size=args.programs)  # the whole caseload at once


if __name__ == "__main__":
    main()
