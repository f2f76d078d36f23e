"""Fixtures of the notification tests: a file sink, and a real Celery worker and beat."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
import uuid
from collections import Counter
from contextlib import contextmanager
from pathlib import Path

import pytest

from config.celery import app

FILE_SINK = "notifications.channels.FileSinkBackend"


class Sink:
    """The JSON-lines file every channel writes to in these tests."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def lines(self) -> list[dict]:
        if not self.path.exists():
            return []
        return [json.loads(line) for line in self.path.read_text().splitlines() if line]

    def count_by_key(self) -> Counter:
        return Counter(line["key"] for line in self.lines())


@pytest.fixture
def sink(tmp_path, settings) -> Sink:
    settings.NOTIFICATION_CHANNEL_BACKEND = FILE_SINK
    settings.NOTIFICATION_SINK_PATH = str(tmp_path / "sink.jsonl")
    settings.NOTIFICATION_SINK_DELAY_MS = 0
    return Sink(tmp_path / "sink.jsonl")


# --- a real Celery worker and beat, on a Redis of their own -------------------------------

REPO = Path(__file__).resolve().parents[2]
CELERY = str(REPO / ".venv" / "bin" / "celery")


def wait_for(predicate, *, timeout: float, interval: float = 0.1, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"Timed out after {timeout} s waiting for {what}")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _stop(process: subprocess.Popen | None, sig=signal.SIGTERM, timeout: float = 10) -> None:
    """Stop a process and everything it started (its own process group)."""
    if process is None or process.poll() is not None:
        return
    try:
        os.killpg(process.pid, sig)
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=timeout)
    except ProcessLookupError:
        pass


class ThrowawayRedis:
    """A redis-server of the test's own on a free port, so stopping it harms no one else."""

    def __init__(self, workdir: Path) -> None:
        self.port = _free_port()
        self.workdir = workdir
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.workdir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        wait_for(self.answers, timeout=10, what="redis-server to start")

    def answers(self) -> bool:
        import redis

        try:
            return bool(redis.Redis.from_url(self.url, socket_timeout=0.5).ping())
        except redis.RedisError:
            return False

    def stop(self) -> None:
        _stop(self.process)
        self.process = None


@contextmanager
def publishing_to(url: str):
    """Make this test process enqueue on ``url``, as the API would with that broker."""

    def reset_pools():
        # Forget (do not close) the pools: kombu shares them per broker URL.
        app._pool = None
        app.amqp._producer_pool = None

    previous = app.conf.broker_url
    reset_pools()
    app.conf.broker_url = url
    try:
        yield
    finally:
        reset_pools()
        app.conf.broker_url = previous


def _database_url() -> str:
    from django.conf import settings

    db = settings.DATABASES["default"]
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgresql://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class LiveCelery:
    """A Celery worker and beat as separate processes, on the test database (committed data
    only: use ``django_db(transaction=True)``) and a throwaway Redis."""

    def __init__(self, *, workdir: Path, redis: ThrowawayRedis, sink: Sink) -> None:
        self.workdir = workdir
        self.redis = redis
        self.worker: subprocess.Popen | None = None
        self.beats: list[subprocess.Popen] = []
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": _database_url(),
            "CONN_MAX_AGE": "0",
            "CELERY_BROKER_URL": redis.url,
            "NOTIFICATION_CHANNEL_BACKEND": FILE_SINK,
            "NOTIFICATION_SINK_PATH": str(sink.path),
            "NOTIFICATION_SWEEP_SECONDS": "1",
            "NOTIFICATION_CLAIM_LEASE_SECONDS": "3",
            "NOTIFICATION_GRACE_SECONDS": "1",
            "NOTIFICATION_BATCH_SIZE": "50",
        }
        self.worker_starts = 0

    def start_worker(self, **extra_env: str) -> None:
        self.worker_starts += 1
        log = self.workdir / f"worker-{self.worker_starts}.log"
        self.worker = subprocess.Popen(
            [
                CELERY,
                "-A",
                "config",
                "worker",
                "--loglevel",
                "INFO",
                "--concurrency",
                "2",
                "-n",
                f"live-{uuid.uuid4().hex[:8]}@%h",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            cwd=REPO,
            env={**self.env, **extra_env},
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_for(lambda: "ready." in log.read_text(), timeout=30, what="the worker to start")

    def start_beat(self) -> None:
        n = len(self.beats) + 1
        log = self.workdir / f"beat-{n}.log"
        beat = subprocess.Popen(
            [
                CELERY,
                "-A",
                "config",
                "beat",
                "--loglevel",
                "INFO",
                "-s",
                str(self.workdir / f"beat-schedule-{n}"),
                "--pidfile",
                "",
            ],
            cwd=REPO,
            env=self.env,
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.beats.append(beat)

    def start(self) -> LiveCelery:
        self.start_beat()
        self.start_worker()
        return self

    def kill_worker(self) -> None:
        """SIGKILL: the worker and its pool processes die mid-task, acking nothing."""
        _stop(self.worker, sig=signal.SIGKILL)

    def stop(self) -> None:
        _stop(self.worker)
        for beat in self.beats:
            _stop(beat)


@pytest.fixture
def throwaway_redis(tmp_path):
    redis = ThrowawayRedis(tmp_path)
    redis.start()
    yield redis
    redis.stop()


@pytest.fixture
def live_celery(transactional_db, tmp_path, settings, sink, throwaway_redis):
    """Worker and beat running; this process enqueues on their Redis, with their timings."""
    settings.NOTIFICATION_GRACE_SECONDS = 1
    settings.NOTIFICATION_SWEEP_SECONDS = 1
    live = LiveCelery(workdir=tmp_path, redis=throwaway_redis, sink=sink)
    with publishing_to(throwaway_redis.url):
        try:
            yield live
        finally:
            live.stop()
