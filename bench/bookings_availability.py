"""Availability at clinic scale: 2 locations, 20 clinicians, 50,000 appointments.

Run (PostgreSQL at 127.0.0.1:5432; the script creates and drops its own scratch database):

    .venv/bin/python bench/bookings_availability.py            # 50 calls
    .venv/bin/python bench/bookings_availability.py --calls 200

Measures GET /api/v1/availability/ for one location, all its clinicians, 4 weeks, through
Django's test client in-process (server time: URL routing, auth, queries, JSON), and
prints the median and p95, the number of SQL queries per call (for 1 vs 10 clinicians and
1 vs 4 weeks: it must not grow), and os.cpu_count(). Target: p95 under 150 ms.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench._harness import django_database, percentile  # noqa: E402

CLINICIANS_PER_LOCATION = 10
APPOINTMENTS = 50_000
PATIENTS_PER_CLINICIAN = 100


def build(random_gen: random.Random) -> dict:
    from django.utils import timezone

    from bookings.models import Appointment, AppointmentType, WorkingHours
    from clinic.models import Clinician, Location, Patient, Role, User
    from clinic.time import CLINIC_TZ

    treatment = AppointmentType.objects.create(
        code="treatment", name="Treatment", duration_minutes=30, patient_bookable=True
    )
    locations = list(Location.objects.order_by("slug"))
    desk = User.objects.create(username="desk", role=Role.FRONT_DESK)
    desk.locations.set(locations)
    clinicians: list[tuple[Clinician, Location]] = []
    for location in locations:
        for n in range(CLINICIANS_PER_LOCATION):
            user = User.objects.create(
                username=f"physio.{location.slug}.{n}", role=Role.CLINICIAN, first_name="P"
            )
            user.locations.set([location])
            clinicians.append((Clinician.objects.create(user=user), location))
    WorkingHours.objects.bulk_create(
        WorkingHours(clinician=c, location=loc, weekday=d, starts_at="09:00", ends_at="17:00")
        for c, loc in clinicians
        for d in range(5)
    )
    patients = {
        c.pk: Patient.objects.bulk_create(
            Patient(
                first_name="B",
                last_name=f"{c.pk}-{i}",
                date_of_birth=date(1990, 1, 1),
                location=loc,
            )
            for i in range(PATIENTS_PER_CLINICIAN)
        )
        for c, loc in clinicians
    }
    # About 9 of the 16 half hours of each working day taken, from half a year ago onwards.
    today = timezone.localdate()
    day = today - timedelta(days=182)
    rows: list[Appointment] = []
    while len(rows) < APPOINTMENTS:
        if day.weekday() < 5:
            for c, loc in clinicians:
                for half_hour in sorted(random_gen.sample(range(16), 9)):
                    start = datetime.combine(day, datetime.min.time(), tzinfo=CLINIC_TZ)
                    start += timedelta(hours=9, minutes=30 * half_hour)
                    end = start + timedelta(minutes=30)
                    rows.append(
                        Appointment(
                            patient=patients[c.pk][half_hour % PATIENTS_PER_CLINICIAN],
                            clinician=c,
                            location=loc,
                            appointment_type=treatment,
                            start=start,
                            end=end,
                            buffer_end=end,
                            status="completed" if day < today else "booked",
                        )
                    )
        day += timedelta(days=1)
    Appointment.objects.bulk_create(rows[:APPOINTMENTS], batch_size=5000)
    return {"treatment": treatment, "desk": desk, "last_day": day}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=50)
    args = parser.parse_args()
    with django_database(f"bench_bookings_availability_{os.getpid()}"):
        from django.db import connection
        from django.test import Client
        from django.test.utils import CaptureQueriesContext
        from django.utils import timezone
        from rest_framework_simplejwt.tokens import RefreshToken

        from bookings.models import Appointment

        started = time.perf_counter()
        data = build(random.Random(7))
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        print(
            f"set-up: {Appointment.objects.count()} appointments, 20 clinicians, 2 locations "
            f"in {time.perf_counter() - started:.1f} s (last day {data['last_day']})"
        )

        token = RefreshToken.for_user(data["desk"]).access_token
        client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
        monday = timezone.localdate() + timedelta(days=7 - timezone.localdate().weekday())

        def call(days: int, clinician: int | None = None):
            params = {
                "location": "rotterdam",
                "appointment_type": data["treatment"].id,
                "start": monday.isoformat(),
                "end": (monday + timedelta(days=days - 1)).isoformat(),
            }
            if clinician:
                params["clinician"] = clinician
            response = client.get("/api/v1/availability/", params)
            assert response.status_code == 200, response.content
            return response

        call(28)  # warm-up
        timings = []
        for _ in range(args.calls):
            t0 = time.perf_counter()
            response = call(28)
            timings.append((time.perf_counter() - t0) * 1000)
        slots = len(response.json()["results"])

        def queries(days, clinician=None):
            with CaptureQueriesContext(connection) as ctx:
                call(days, clinician)
            return len(ctx.captured_queries)

        one = (
            Appointment.objects.filter(location__slug="rotterdam")
            .values_list("clinician_id", flat=True)
            .first()
        )
        print(
            f"availability, rotterdam, 10 clinicians, 28 days ({slots} free slots), "
            f"{args.calls} calls:"
        )
        print(
            f"  median {statistics.median(timings):.1f} ms, p95 {percentile(timings, 95):.1f} ms, "
            f"max {max(timings):.1f} ms (target p95 < 150 ms)"
        )
        print(
            f"  SQL queries per call: 10 clinicians x 28 days = {queries(28)}, "
            f"10 x 7 = {queries(7)}, 1 clinician x 28 = {queries(28, one)}, "
            f"1 x 7 = {queries(7, one)}"
        )
        print(f"  os.cpu_count() = {os.cpu_count()}")


if __name__ == "__main__":
    main()
