"""50 concurrent clients booking overlapping slots through the HTTP API on gunicorn.

Run (PostgreSQL at 127.0.0.1:5432 and Redis at 127.0.0.1:6379; the script creates and drops
its own scratch database and starts gunicorn on a free loopback port):

    .venv/bin/python bench/bookings_concurrency.py              # 3 rounds of 50 clients
    .venv/bin/python bench/bookings_concurrency.py --rounds 5 --clients 50

Each round, every client (its own patient, its own bearer token, its own HTTP connection)
books at the same moment one of a few starts 15 minutes apart with the same clinician, so
the requested hours overlap. Prints the status codes, median and p95 latency, and checks
in the database that no two active appointments of the clinician overlap.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench._harness import django_database, gunicorn, gunicorn_shape, percentile  # noqa: E402


def setup(clients: int) -> dict:
    from datetime import time as clock

    from rest_framework_simplejwt.tokens import RefreshToken

    from bookings.models import AppointmentType, WorkingHours
    from clinic.models import Clinician, Location, Patient, Role, User

    rotterdam = Location.objects.get(slug="rotterdam")
    kind = AppointmentType.objects.create(code="intake", name="Intake", duration_minutes=60)
    desk = User.objects.create(username="desk", role=Role.FRONT_DESK)
    desk.locations.set([rotterdam])
    user = User.objects.create(username="physio", role=Role.CLINICIAN)
    user.locations.set([rotterdam])
    clinician = Clinician.objects.create(user=user)
    WorkingHours.objects.bulk_create(
        WorkingHours(
            clinician=clinician,
            location=rotterdam,
            weekday=d,
            starts_at=clock(9),
            ends_at=clock(17),
        )
        for d in range(5)
    )
    patients = Patient.objects.bulk_create(
        Patient(
            first_name="C", last_name=str(n), date_of_birth=date(1990, 1, 1), location=rotterdam
        )
        for n in range(clients)
    )
    token = str(RefreshToken.for_user(desk).access_token)
    return {
        "kind": kind.pk,
        "clinician": clinician.pk,
        "patients": [p.pk for p in patients],
        "token": token,
    }


def post(url: str, token: str, body: dict) -> tuple[int, float]:
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
            response.read()
            code = response.status
    except urllib.error.HTTPError as exc:
        exc.read()
        code = exc.code
    return code, (time.perf_counter() - started) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with django_database(f"bench_bookings_concurrency_{os.getpid()}") as name:
        from django.db import connection
        from django.utils import timezone

        from clinic.time import CLINIC_TZ

        data = setup(args.clients)
        connection.close()
        today = timezone.localdate()
        monday = today + timedelta(days=7 - today.weekday())
        codes: Counter = Counter()
        latencies: list[float] = []
        with gunicorn(name) as base:
            url = f"{base}/api/v1/appointments/"
            for round_ in range(args.rounds):
                day = monday + timedelta(days=round_ % 5, weeks=round_ // 5)
                barrier = threading.Barrier(args.clients)
                results: list[tuple[int, float]] = [(0, 0.0)] * args.clients

                def client(index: int, day=day, barrier=barrier, results=results) -> None:
                    start = datetime.combine(day, datetime.min.time(), tzinfo=CLINIC_TZ)
                    start += timedelta(hours=10, minutes=15 * (index % 8))
                    body = {
                        "patient": data["patients"][index],
                        "clinician": data["clinician"],
                        "location": "rotterdam",
                        "appointment_type": data["kind"],
                        "start": start.isoformat(),
                    }
                    barrier.wait()
                    results[index] = post(url, data["token"], body)

                threads = [threading.Thread(target=client, args=(i,)) for i in range(args.clients)]
                for thread in threads:
                    thread.start()
                for thread in threads:
                    thread.join()
                round_codes = Counter(code for code, _ in results)
                print(f"round {round_ + 1} ({day}): {dict(sorted(round_codes.items()))}")
                codes.update(round_codes)
                latencies.extend(ms for _, ms in results)

        with connection.cursor() as cursor:
            cursor.execute(
                """
                SELECT count(*) FROM bookings_appointment a JOIN bookings_appointment b
                  ON a.clinician_id = b.clinician_id AND a.id < b.id
                 AND tstzrange(a.start, a.buffer_end) && tstzrange(b.start, b.buffer_end)
                 WHERE a.status IN ('booked', 'completed') AND b.status IN ('booked', 'completed')
                """
            )
            overlaps = cursor.fetchone()[0]
            cursor.execute("SELECT count(*) FROM bookings_appointment")
            booked = cursor.fetchone()[0]
        total = args.clients * args.rounds
        print(
            f"{total} booking requests from {args.clients} concurrent clients on gunicorn "
            "({} workers x {} threads): ".format(*gunicorn_shape())
            + f"{dict(sorted(codes.items()))}"
        )
        print(
            f"  latency median {statistics.median(latencies):.1f} ms, "
            f"p95 {percentile(latencies, 95):.1f} ms, max {max(latencies):.1f} ms"
        )
        print(
            f"  appointments in the database: {booked}; overlapping pairs: {overlaps} "
            f"(double bookings: {'NONE' if overlaps == 0 else 'FOUND'})"
        )
        print(f"  os.cpu_count() = {os.cpu_count()}")
        if overlaps or codes.get(500):
            sys.exit(1)


if __name__ == "__main__":
    main()
