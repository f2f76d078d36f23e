"""Throughput of notification delivery through a real Celery worker and Redis.

10,000 due notifications in a scratch PostgreSQL database (created and dropped here), a
worker and beat as processes (concurrency = CPU count), a Redis of its own, and the file
sink. Prints messages per second, duplicates (must be 0) and lateness after ``send_at``.

    .venv/bin/python bench/notifications_throughput.py [--count 10000]

Needs PostgreSQL (``BENCH_POSTGRES_URL``, default postgresql://postgres@127.0.0.1:5432/postgres)
and ``redis-server`` on the PATH.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

REPO = Path(__file__).resolve().parents[1]
CELERY = str(REPO / ".venv" / "bin" / "celery")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate, timeout: float, what: str, interval: float = 0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(interval)
    raise SystemExit(f"timed out waiting for {what}")


def stop(process: subprocess.Popen | None) -> None:
    if process is None or process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=os.cpu_count() or 2)
    args = parser.parse_args()

    admin_url = os.environ.get(
        "BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
    )
    db_name = f"bench_notifications_{os.getpid()}"
    parts = urlsplit(admin_url)
    db_url = urlunsplit(parts._replace(path=f"/{db_name}"))
    workdir = Path(tempfile.mkdtemp(prefix="bench-notifications-"))
    sink_path = workdir / "sink.jsonl"
    redis_port = free_port()
    broker = f"redis://127.0.0.1:{redis_port}/0"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-only-secret-key-not-for-production"),
        "DEBUG": "0",
        "DATABASE_URL": db_url,
        "CELERY_BROKER_URL": broker,
        "NOTIFICATION_CHANNEL_BACKEND": "notifications.channels.FileSinkBackend",
        "NOTIFICATION_SINK_PATH": str(sink_path),
        "NOTIFICATION_SWEEP_SECONDS": "1",
        "LOG_LEVEL": "WARNING",
    }
    os.environ.update(env)

    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{db_name}"')
    processes: list[subprocess.Popen] = []
    try:
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
            cwd=REPO,
            env=env,
            check=True,
        )
        redis = subprocess.Popen(
            ["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1", "--save", ""],
            stdout=subprocess.DEVNULL,
            start_new_session=True,
        )
        processes.append(redis)

        sys.path.insert(0, str(REPO))
        import django

        django.setup()
        from django.db import connection
        from django.utils import timezone

        from clinic.models import Location, Patient, User
        from notifications.models import Notification
        from notifications.services import enqueue_delivery

        location = Location.objects.get(slug="rotterdam")
        user = User.objects.create(username="bench.patient", role="patient")
        patient = Patient.objects.create(
            first_name="Bench",
            last_name="Patient",
            date_of_birth="1990-01-01",
            email="bench@example.nl",
            location=location,
            user=user,
        )
        now = timezone.now()
        Notification.objects.bulk_create(
            (
                Notification(
                    kind="escalation_digest",
                    channel=("email", "sms", "push")[i % 3],
                    audience="staff",
                    patient=patient,
                    recipient_user=user,
                    address="bench@example.nl",
                    send_at=now + datetime.timedelta(days=1),
                    idempotency_key=f"bench:{i}",
                )
                for i in range(args.count)
            ),
            batch_size=2000,
        )

        worker_log = workdir / "worker.log"
        worker = subprocess.Popen(
            [CELERY, "-A", "config", "worker", "--loglevel", "INFO", "--concurrency",
             str(args.concurrency), "--without-gossip", "--without-mingle",
             "--without-heartbeat", "-n", f"bench-{os.getpid()}@%h"],
            cwd=REPO, env={**env, "LOG_LEVEL": "INFO"}, stdout=worker_log.open("w"),
            stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        processes.append(worker)
        beat = subprocess.Popen(
            [CELERY, "-A", "config", "beat", "--loglevel", "WARNING",
             "-s", str(workdir / "beat-schedule"), "--pidfile", ""],
            cwd=REPO, env=env, stdout=(workdir / "beat.log").open("w"),
            stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        processes.append(beat)
        wait_for(lambda: "ready." in worker_log.read_text(), 60, "the worker")

        # All of them fall due now, at once: the worst case for lateness.
        started_at = timezone.now()
        Notification.objects.update(send_at=started_at)
        clock = time.monotonic()
        enqueue_delivery(count=args.concurrency)
        connection.close()

        def sent() -> int:
            return Notification.objects.filter(status="sent").count()

        wait_for(lambda: sent() >= args.count, 300, "all notifications sent", interval=0.2)
        wall = time.monotonic() - clock
        rows = list(Notification.objects.values_list("send_at", "sent_at"))
        lateness = [(sent_at - send_at).total_seconds() for send_at, sent_at in rows]
        last = max(sent_at for _, sent_at in rows)
        drain = (last - started_at).total_seconds()
        lines = [json.loads(line) for line in sink_path.read_text().splitlines()]
        per_key = Counter(line["key"] for line in lines)
        duplicates = sum(n - 1 for n in per_key.values())
        missing = args.count - len(per_key)
        connection.close()

        print(f"notifications:        {args.count}")
        print(f"cpu count:            {os.cpu_count()} (worker concurrency {args.concurrency})")
        print(f"drain time:           {drain:.2f} s (first due -> last marked sent)")
        print(f"observed wall time:   {wall:.2f} s")
        print(f"throughput:           {args.count / drain:.0f} messages/s")
        print(f"duplicates in sink:   {duplicates}")
        print(f"missing from sink:    {missing}")
        print(f"lateness p50 / p99:   {statistics.median(lateness):.2f} s / "
              f"{percentile(lateness, 99):.2f} s (max {max(lateness):.2f} s)")  # fmt: skip
        ok = duplicates == 0 and missing == 0 and drain < 20 and percentile(lateness, 99) < 60
        print("target met:           " + ("yes" if ok else "NO"))
    finally:
        for process in reversed(processes):
            stop(process)
        from django.db import connections

        connections.close_all()
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
