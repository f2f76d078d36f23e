"""A live API: gunicorn with its configured workers, as a process of its own."""

from __future__ import annotations

import os
import subprocess
import urllib.request
from pathlib import Path

import pytest
from django.core.cache import caches

from tests.notifications.conftest import _database_url, _free_port, _stop, wait_for

REPO = Path(__file__).resolve().parents[2]
GUNICORN = str(REPO / ".venv" / "bin" / "gunicorn")


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
