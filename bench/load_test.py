"""Load test of the mixed clinic workload on gunicorn + PostgreSQL at clinic scale.

    .venv/bin/pip install -e ".[bench]"
    .venv/bin/python bench/load_test.py                 # 20,000 patients, 50 users, 60 s
    .venv/bin/python bench/load_test.py --growth        # read endpoints at 10k vs 1M check-ins

It creates (and drops) its own PostgreSQL databases, fills them with ``seed_scale``, starts
gunicorn on a free loopback port, and runs locust headless against it. Prints per endpoint:
requests/s, p50, p95, p99 and errors, and the machine's core count.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import os
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

from _harness import (
    PYTHON,
    ROOT,
    bench_env,
    gunicorn,
    gunicorn_shape,
    manage,
    percentile,
    scratch_database,
)


@contextlib.contextmanager
def seeded_database(args):
    """The database to load: a fresh one filled by seed_scale, or --database as it is."""
    if args.database:
        manage(args.database, "migrate", "--noinput", "-v", "0")
        yield args.database
        return
    with scratch_database(f"clinic_load_{os.getpid()}") as db:
        started = time.monotonic()
        manage(db, "seed_scale", "--patients", str(args.patients), "--no-progress")
        print(f"seeded {args.patients:,} patients in {time.monotonic() - started:.0f} s")
        yield db


def run_mixed(args) -> None:
    with (
        seeded_database(args) as db,
        gunicorn(db, workers=args.workers, threads=args.threads) as base,
        tempfile.TemporaryDirectory() as tmp,
    ):
        prefix = Path(tmp) / "load"
        subprocess.run(
            [
                str(Path(PYTHON).parent / "locust"),
                "-f",
                str(ROOT / "bench" / "locustfile.py"),
                "--headless",
                "--users",
                str(args.users),
                "--spawn-rate",
                str(args.spawn_rate),
                "--run-time",
                f"{args.seconds}s",
                "--host",
                base,
                "--csv",
                str(prefix),
                "--only-summary",
                "--loglevel",
                "WARNING",
            ],
            cwd=ROOT,
            env={
                **bench_env(db),
                "LOAD_WAIT_MIN": str(args.wait[0]),
                "LOAD_WAIT_MAX": str(args.wait[1]),
            },
            check=False,
        )
        failures = print_stats(prefix.with_name("load_stats.csv"), args)
    if failures:
        # A load that fails its requests measures nothing: make bench must fail with it.
        raise SystemExit(f"{failures} requests failed")


def print_stats(path: Path, args) -> int:
    """Prints the figures per endpoint; returns how many requests failed (or 1 if none ran)."""
    print()
    print(
        f"mixed workload: {args.users} users waiting {args.wait[0]:g}-{args.wait[1]:g} s, "
        f"{args.seconds} s, {args.patients:,} patients, "
        "gunicorn {} workers x {} threads, ".format(*gunicorn_shape(args.workers, args.threads))
        + f"{os.cpu_count()} cores"
    )
    print("target: ALL at least 200 req/s with p95 under 250 ms (stress: --wait 0.2 1)")
    print(f"{'endpoint':<26} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'errors':>7}")
    failures, requests = 0, 0
    if not path.exists():
        print("locust wrote no statistics")
        return 1
    with path.open() as handle:
        for row in csv.DictReader(handle):
            name = f"{row['Type']} {row['Name']}" if row["Name"] != "Aggregated" else "ALL"
            print(
                f"{name:<26} {float(row['Requests/s']):>7.1f} {row['50%']:>7} {row['95%']:>7} "
                f"{row['99%']:>7} {row['Failure Count']:>7}"
            )
            if row["Name"] == "Aggregated":
                failures, requests = int(row["Failure Count"]), int(row["Request Count"])
    return failures if requests else 1


READ_ENDPOINTS = {
    "caseload": "/api/v1/caseload/",
    # A patient's own list fills up as the data grows (about 1 check-in each at 10k, a full
    # page at 1M): the one-row page shows what the query itself costs at either size.
    "check-ins (patient)": "/api/v1/check-ins/?patient={patient}",
    "check-ins (patient, 1)": "/api/v1/check-ins/?patient={patient}&page_size=1",
    "check-ins (all)": "/api/v1/check-ins/",
    "programs": "/api/v1/programs/",
    "escalations": "/api/v1/escalations/",
    "patients": "/api/v1/patients/",
    "appointments": "/api/v1/appointments/",
}


def _get(url: str, token: str) -> tuple[float, int]:
    """Milliseconds for one GET, and how many rows its page held."""
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})  # noqa: S310
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        body = response.read()
        assert response.status == 200, response.status
    took = (time.perf_counter() - started) * 1000
    return took, len(json.loads(body)["results"])


def measure_reads(base: str, calls: int) -> dict[str, tuple[float, float, int]]:
    body = json.dumps({"username": "scale.physio.0", "password": "scale-test-password"}).encode()
    login = urllib.request.Request(  # noqa: S310
        f"{base}/api/v1/auth/token/", data=body, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(login) as response:  # noqa: S310
        token = json.load(response)["access"]
    caseload = json.load(
        urllib.request.urlopen(  # noqa: S310
            urllib.request.Request(  # noqa: S310
                f"{base}/api/v1/caseload/", headers={"Authorization": f"Bearer {token}"}
            )
        )
    )
    patient = caseload["results"][0]["patient"]
    figures = {}
    for name, path in READ_ENDPOINTS.items():
        url = base + path.format(patient=patient)
        _, rows = _get(url, token)  # warm up
        times = [_get(url, token)[0] for _ in range(calls)]
        figures[name] = (percentile(times, 50), percentile(times, 95), rows)
    return figures


def run_growth(args) -> None:
    results = {}
    for check_ins in (10_000, 1_000_000):
        with scratch_database(f"clinic_growth_{check_ins}_{os.getpid()}") as db:
            manage(
                db,
                "seed_scale",
                "--patients",
                str(args.patients),
                "--check-ins",
                str(check_ins),
                "--no-progress",
            )
            with gunicorn(db) as base:
                results[check_ins] = measure_reads(base, args.calls)
    print()
    print(f"paged read endpoints, {args.patients:,} patients, {os.cpu_count()} cores")
    header = ("rows", "p50 10k", "p95 10k", "rows", "p50 1M", "p95 1M", "ratio p95")
    print(f"{'endpoint':<24} " + " ".join(f"{h:>8}" for h in header))
    for name in READ_ENDPOINTS:
        small, large = results[10_000][name], results[1_000_000][name]
        print(
            f"{name:<24} {small[2]:>8} {small[0]:>8.1f} {small[1]:>8.1f} "
            f"{large[2]:>8} {large[0]:>8.1f} {large[1]:>8.1f} {large[1] / small[1]:>8.2f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--patients", type=int, default=20000)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument(
        "--database",
        help="load an already seeded database (e.g. from seed_scale) instead of a fresh one",
    )
    parser.add_argument(
        "--wait",
        nargs=2,
        type=float,
        default=(1.0, 3.0),
        metavar=("MIN", "MAX"),
        help="seconds each user waits between actions (default 1 3; 0.2 1 is a stress run)",
    )
    parser.add_argument(
        "--spawn-rate", type=float, default=5, help="users starting (signing in) per second"
    )
    parser.add_argument("--workers", type=int, help="gunicorn processes (gunicorn.conf.py: 3)")
    parser.add_argument("--threads", type=int, help="gunicorn threads each (gunicorn.conf.py: 2)")
    parser.add_argument("--growth", action="store_true", help="10k vs 1M check-ins, reads only")
    parser.add_argument("--calls", type=int, default=100, help="calls per endpoint (--growth)")
    args = parser.parse_args()
    os.chdir(ROOT)
    run_growth(args) if args.growth else run_mixed(args)


if __name__ == "__main__":
    main()
