"""Live fixtures: gunicorn serving the API as in production, and for the fault drills a
PostgreSQL cluster of the test's own (so restarting it harms no one)."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

import psycopg
import pytest
import requests
from django.core.cache import caches

from tests.notifications.conftest import (  # noqa: F401 - throwaway_redis is a fixture
    REPO,
    _database_url,
    _free_port,
    _stop,
    throwaway_redis,
    wait_for,
)

POSTGRES_BIN = Path(os.environ.get("POSTGRES_BIN", "/usr/lib/postgresql/15/bin"))
# Ports of the drills; the first free one is used.
POSTGRES_PORTS = range(55460, 55470)
HTTP_PORTS = range(8160, 8170)
GUNICORN = str(REPO / ".venv" / "bin" / "gunicorn")


def free_port(candidates: range) -> int:
    for port in candidates:
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"No free port in {candidates}")


def _as_postgres(command: list[str]) -> list[str]:
    """initdb and postgres refuse to run as root: run them as the postgres user."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


class OwnPostgres:
    """A throwaway PostgreSQL cluster (initdb into a temporary folder, its own port)."""

    def __init__(self) -> None:
        # Not under pytest's tmp_path: the postgres user must be able to reach the folder.
        self.root = Path(tempfile.mkdtemp(prefix="clinic-pg-"))
        self.data = self.root / "data"
        self.log = self.root / "postgres.log"
        self.port = free_port(POSTGRES_PORTS)
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/clinic"
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")

    def _run(self, *args: str, timeout: float = 60) -> float:
        started = time.monotonic()
        subprocess.run(
            _as_postgres([str(POSTGRES_BIN / args[0]), *args[1:]]),
            check=True,
            capture_output=True,
            timeout=timeout,
        )
        return time.monotonic() - started

    def _ctl(self, *args: str) -> float:
        return self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", *args)

    def start(self) -> None:
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8")
        options = (
            f"-c port={self.port} -c listen_addresses=127.0.0.1 "
            f"-c unix_socket_directories={self.root} -c max_connections=60 -c fsync=off"
        )
        self._ctl("-o", options, "start")
        with psycopg.connect(self.admin_url, autocommit=True) as admin:
            admin.execute("CREATE DATABASE clinic")

    @property
    def admin_url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def restart_fast(self) -> float:
        """``pg_ctl restart -m fast``: every connection is cut, the server comes back."""
        return self._ctl("restart", "-m", "fast")

    def copy_from(self, source_url: str) -> None:
        """The source database's schema and rows, with pg_dump -Fc | pg_restore."""
        dump = subprocess.run(
            ["pg_dump", "-Fc", "--no-owner", source_url], check=True, capture_output=True
        ).stdout
        subprocess.run(
            ["pg_restore", "--no-owner", "--exit-on-error", "-d", self.url],
            input=dump,
            check=True,
            capture_output=True,
        )

    def stop(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self._ctl("stop", "-m", "immediate")
        shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture
def own_postgres():
    if not (POSTGRES_BIN / "initdb").exists():
        pytest.skip(f"needs PostgreSQL's initdb in {POSTGRES_BIN} (set POSTGRES_BIN)")
    cluster = OwnPostgres()
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop()


class Gunicorn:
    """The API on gunicorn (gunicorn.conf.py: preloaded, gthread), as a separate process."""

    def __init__(self, *, workdir: Path, database_url: str, broker_url: str, **env: str) -> None:
        self.port = free_port(HTTP_PORTS)
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = workdir / f"gunicorn-{self.port}.log"
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": database_url,
            "CELERY_BROKER_URL": broker_url,
            "WEB_CONCURRENCY": "2",
            "WEB_THREADS": "4",
            **env,
        }
        self.process: subprocess.Popen | None = None

    def start(self, *args: str) -> Gunicorn:
        self.process = subprocess.Popen(
            [GUNICORN, "config.wsgi", "--bind", f"127.0.0.1:{self.port}", *args],
            cwd=REPO,
            env=self.env,
            stdout=self.log.open("a"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_for(self.answers, timeout=60, interval=0.2, what="gunicorn to answer")
        return self

    def answers(self) -> bool:
        try:
            return requests.get(f"{self.url}/healthz", timeout=2).status_code in (200, 503)
        except requests.RequestException:
            return False

    def stop(self, timeout: float = 30) -> None:
        _stop(self.process, timeout=timeout)


@pytest.fixture
def gunicorn(tmp_path):
    """``gunicorn(database_url=..., broker_url=...)`` → a started server, stopped after."""
    servers: list[Gunicorn] = []

    def start(*args: str, **kwargs) -> Gunicorn:
        server = Gunicorn(workdir=tmp_path, **kwargs)
        servers.append(server)
        return server.start(*args)

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def test_database_url(transactional_db) -> str:
    return _database_url()


class LiveAPI:
    """gunicorn (3 workers, as gunicorn.conf.py) on the test database: committed data only,
    provided by the ``live_api`` fixture."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.port = _free_port()
        self.process: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, **env: str) -> LiveAPI:
        log = self.workdir / "gunicorn.log"
        self.process = subprocess.Popen(
            [GUNICORN, "config.wsgi", "--bind", f"127.0.0.1:{self.port}", "--workers", "3"],
            cwd=REPO,
            env={**os.environ, "DATABASE_URL": _database_url(), "CONN_MAX_AGE": "0", **env},
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_for(self._healthy, timeout=60, interval=0.3, what=f"gunicorn ({log})")
        return self

    def _healthy(self) -> bool:
        if self.process.poll() is not None:
            raise AssertionError((self.workdir / "gunicorn.log").read_text())
        try:
            with urllib.request.urlopen(f"{self.base}/healthz", timeout=2) as response:
                return response.status == 200
        except OSError:
            return False

    def stop(self) -> None:
        _stop(self.process)


@pytest.fixture
def live_api(transactional_db, django_db_serialized_rollback, tmp_path):
    # serialized_rollback: the flush afterwards would otherwise drop the migrated locations
    # (and recreate content types under the next serialized test's feet).
    live = LiveAPI(tmp_path)
    try:
        yield live
    finally:
        live.stop()
        # Committed sign-in counts (the database store) would throttle later tests.
        caches["login"].clear()
