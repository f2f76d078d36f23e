"""Shared pieces of the benchmarks: a scratch PostgreSQL database and a gunicorn server."""

from __future__ import annotations

import contextlib
import os
import runpy
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import django
from django.db import connections

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
POSTGRES = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432")
REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")


def bench_env(database: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=f"{POSTGRES}/{database}",
        CELERY_BROKER_URL=REDIS,
        SECRET_KEY="bench-only-secret-key-not-for-production-0123456789",
        DEBUG="0",
        LOG_LEVEL="WARNING",
        DJANGO_SETTINGS_MODULE="config.settings",
        # Every simulated user comes from 127.0.0.1: the per-address limit would be the test.
        # So would the per-address sign-in limit (30/min): every user signs in on start.
        API_RATE_USER="1000000/min",
        API_RATE_ADDRESS="1000000/min",
        LOGIN_THROTTLE_RATE="1000000/min",
    )
    return env


def manage(database: str, *args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=bench_env(database), check=True)


@contextlib.contextmanager
def scratch_database(name: str):
    """A fresh database that is dropped afterwards, whatever happens."""
    subprocess.run(["dropdb", "--if-exists", "-h", "127.0.0.1", "-U", "postgres", name], check=True)
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", name], check=True)
    try:
        manage(name, "migrate", "--noinput", "-v", "0")
        yield name
    finally:
        subprocess.run(
            ["dropdb", "--if-exists", "--force", "-h", "127.0.0.1", "-U", "postgres", name]
        )


@contextlib.contextmanager
def django_database(name: str):
    """A scratch database with Django set up on it in this process; the process's
    connections are closed at the end, so that the database can be dropped."""
    with scratch_database(name) as database:
        os.environ.update(bench_env(database))
        django.setup()
        try:
            yield database
        finally:
            connections.close_all()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def gunicorn_shape(workers: int | None = None, threads: int | None = None) -> tuple[int, int]:
    """Worker processes and threads as given, else as gunicorn.conf.py sets them."""
    conf = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    return workers or conf["workers"], threads or conf["threads"]


@contextlib.contextmanager
def gunicorn(database: str, *, workers: int | None = None, threads: int | None = None):
    """The API on gunicorn (gunicorn.conf.py; workers and threads if given) on a free
    loopback port; yields its base URL."""
    workers, threads = gunicorn_shape(workers, threads)
    port = free_port()
    process = subprocess.Popen(
        [
            str(Path(PYTHON).parent / "gunicorn"),
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=bench_env(database),
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=2) as response:  # noqa: S310
                    if response.status == 200:
                        break
            except OSError:
                time.sleep(0.5)
        else:
            raise RuntimeError("gunicorn did not become healthy")
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[index]
