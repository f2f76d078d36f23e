"""Benchmark of a patient's record export (FHIR R4 Bundle, and the PDF summary) for a
patient with 5,000 check-ins.

    .venv/bin/python bench/record_export.py [--check-ins 5000] [--runs 3]

Creates a scratch PostgreSQL database (dropped afterwards) with one patient: an assessment,
a program that moved two steps, 5,000 check-ins, 40 appointments, 500 messages sent and a
few escalations. Calls GET /api/v1/me/export/ through Django's test client (middleware, JWT,
access log, the streamed bundle with every resource validated by the R4 models), reading
the stream piece by piece as a client would. Prints the time, the size, the peak Python
memory while streaming (tracemalloc, a separate run: tracing slows it down) and the
process's peak RSS, and the machine's core count.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _harness import django_database  # noqa: E402


def populate(n_check_ins: int):
    from django.utils import timezone

    from assessments.services import assessment_record
    from bookings.models import Appointment, AppointmentType
    from clinic.models import Clinician, Location, Patient, Role, User
    from escalations.models import Escalation
    from notifications.models import Audience, Channel, Kind, Notification, Status
    from programs.models import CheckIn, Program, StepTransition

    rotterdam = Location.objects.get(slug="rotterdam")
    physio = User.objects.create_user(
        username="bench.physio", password="x", role=Role.CLINICIAN, first_name="Eva"
    )
    physio.locations.set([rotterdam])
    clinician = Clinician.objects.create(user=physio)
    account = User.objects.create_user(username="bench.patient", password="x", role=Role.PATIENT)
    patient = Patient.objects.create(
        first_name="Sanne",
        last_name="Bench",
        date_of_birth=datetime.date(1990, 1, 1),
        location=rotterdam,
        primary_clinician=clinician,
        user=account,
        email="sanne@example.nl",
        language="en",
    )
    now = timezone.now()
    years = datetime.timedelta(days=2 * n_check_ins)  # one check-in every two days
    assessment = assessment_record(
        clinician_user=physio,
        patient=patient,
        side="right",
        onset_date=(now - years).date(),
        grade=2,
        red_flags=["pain_increases_with_activity"],
        readiness={"walks_without_limp": True, "strength_symmetry_percent": 85},
        pain_rest=2,
        pain_walking=4,
        assessed_at=now - years,
    )
    program = Program.objects.create(
        patient=patient,
        clinician=clinician,
        episode=assessment.episode,
        step=3,
        started_at=now - years,
    )
    StepTransition.objects.bulk_create(
        StepTransition(
            program=program, from_step=s, to_step=s + 1, at=now - years / (s + 1), by=physio
        )
        for s in (1, 2)
    )
    CheckIn.objects.bulk_create(
        (
            CheckIn(
                patient=patient,
                program=program,
                submitted_at=now - datetime.timedelta(days=2 * k, hours=k % 5),
                pain_now=k % 8,
                pain_activity=(k * 3) % 10,
                pain_character=("dull", "sharp")[k % 2],
                pain_course=("stable", "decreasing", "increasing")[k % 3],
                walking_minutes=20 + k % 40,
                complaints_elsewhere=["knee"] if k % 17 == 0 else [],
                note="Felt fine after the walk." if k % 9 == 0 else "",
                alerts=["next_day_pain"] if k % 11 == 0 else [],
            )
            for k in range(n_check_ins)
        ),
        batch_size=1000,
    )
    Escalation.objects.bulk_create(
        Escalation(patient=patient, rule=rule, severity="normal", reason="bench")
        for rule in ("no_progress", "pain_trend_rising")
    )
    kind, _ = AppointmentType.objects.get_or_create(
        code="bench_treatment", defaults={"name": "Treatment", "duration_minutes": 30}
    )
    Appointment.objects.bulk_create(
        Appointment(
            patient=patient,
            clinician=clinician,
            location=rotterdam,
            appointment_type=kind,
            start=now - datetime.timedelta(days=14 * i),
            end=now - datetime.timedelta(days=14 * i, minutes=-30),
            buffer_end=now - datetime.timedelta(days=14 * i, minutes=-30),
            status="completed",
        )
        for i in range(1, 41)
    )
    Notification.objects.bulk_create(
        (
            Notification(
                kind=Kind.CHECK_IN_REMINDER,
                channel=Channel.EMAIL,
                audience=Audience.PATIENT,
                patient=patient,
                address=patient.email,
                send_at=now - datetime.timedelta(days=2 * k),
                sent_at=now - datetime.timedelta(days=2 * k),
                status=Status.SENT,
                subject="Time for your check-in",
                body="How is your hamstring today?",
                idempotency_key=f"bench:{k}",
            )
            for k in range(500)
        ),
        batch_size=500,
    )
    return account


def stream_export(client, url: str, sink=None) -> tuple[float, int]:
    """Wall-clock seconds and bytes of one export, read piece by piece."""
    started = time.perf_counter()
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    size = 0
    for piece in response.streaming_content:
        size += len(piece)
        if sink is not None:
            sink.write(piece)
    return time.perf_counter() - started, size


def measure(account, *, runs: int, n_check_ins: int) -> None:
    from django.test import Client
    from rest_framework_simplejwt.tokens import RefreshToken

    client = Client(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(account).access_token}")
    url = "/api/v1/me/export/"

    cpu_started = time.process_time()
    timings = [stream_export(client, url)[0] for _ in range(runs)]
    # CPU time of this process (the whole request but PostgreSQL's side): less sensitive
    # than wall-clock time to other work on a shared machine.
    cpu_per_export = (time.process_time() - cpu_started) / runs
    tracemalloc.start()
    stream_export(client, url)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    # Once to a file, to check the result is one JSON document of the expected size.
    with tempfile.TemporaryFile() as sink:
        _, size = stream_export(client, url, sink)
        sink.seek(0)
        bundle = json.load(sink)
    kinds: dict[str, int] = {}
    for entry in bundle["entry"]:
        kind = entry["resource"]["resourceType"]
        kinds[kind] = kinds.get(kind, 0) + 1
    assert kinds["QuestionnaireResponse"] == n_check_ins, kinds

    started = time.perf_counter()
    pdf = client.get(url + "?format=pdf")
    pdf_seconds = time.perf_counter() - started
    assert pdf.status_code == 200

    print(f"record export, FHIR R4 bundle of a patient with {n_check_ins:,} check-ins")
    print(f"  resources: {sum(kinds.values()):,} in {len(kinds)} kinds")
    print("   " + ", ".join(f"{k} {v:,}" for k, v in sorted(kinds.items())))
    print(
        f"  time: median {statistics.median(timings):.2f} s over {runs} runs "
        f"(min {min(timings):.2f} s, max {max(timings):.2f} s)"
    )
    print(f"  CPU time of this process per export: {cpu_per_export:.2f} s")
    print(f"  size: {size / 1e6:.1f} MB ({size:,} bytes)")
    print(f"  peak Python memory while streaming (tracemalloc): {peak / 1e6:.1f} MB")
    print(f"  peak RSS of the process after the exports (getrusage): {rss_kib / 1024:.0f} MiB")
    print(f"  PDF summary: {pdf_seconds:.2f} s, {len(pdf.content) / 1e3:.0f} kB")
    print(f"  nproc (os.cpu_count()): {os.cpu_count()}, load average {os.getloadavg()[0]:.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check-ins", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with django_database(f"clinic_bench_record_export_{os.getpid()}"):
        account = populate(args.check_ins)
        measure(account, runs=args.runs, n_check_ins=args.check_ins)


if __name__ == "__main__":
    main()
