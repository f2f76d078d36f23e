"""Backup and restore of the clinic's database: ``pg_dump -Fc`` / ``pg_restore`` on
PostgreSQL, SQLite's online backup API on SQLite.

A restore goes into a new (or empty) database; afterwards the outbox is told when it was
restored (``events.database_restored``), so no message that may have gone out from the old
database goes out twice.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import time
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import psycopg
from django.db import connections
from psycopg import sql

from clinic import events


@dataclass(frozen=True)
class BackupResult:
    path: Path
    bytes: int
    seconds: float


def _settings(alias: str = "default") -> dict:
    return connections[alias].settings_dict


def _is_sqlite(db: dict) -> bool:
    return db["ENGINE"] == "django.db.backends.sqlite3"


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise FileNotFoundError(f"{name} is not installed (PostgreSQL client tools).")
    return path


def _sqlite_copy(source_path: Path, target_path: Path) -> None:
    """SQLite's online backup API: a consistent copy while others keep writing."""
    with (
        closing(sqlite3.connect(source_path)) as source,
        closing(sqlite3.connect(target_path)) as target,
    ):
        source.backup(target)


def _libpq_env(db: dict) -> dict[str, str]:
    """pg_dump and pg_restore read the connection from libpq's variables: no password on
    the command line, where other users could read it."""
    env = {**os.environ, "PGUSER": db["USER"] or "", "PGDATABASE": db["NAME"]}
    env["PGHOST"] = db["HOST"] or ""
    env["PGPORT"] = str(db["PORT"] or "")
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return {key: value for key, value in env.items() if value != ""}


def database_backup(*, path: Path, alias: str = "default") -> BackupResult:
    """Write a consistent copy of the database to ``path`` while the service runs."""
    db = _settings(alias)
    path.parent.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    if _is_sqlite(db):
        _sqlite_copy(Path(db["NAME"]), path)
    else:
        # -Fc: compressed, and pg_restore can pick tables or run in parallel from it.
        subprocess.run(  # noqa: S603 - our own arguments, no shell
            [_tool("pg_dump"), "--format=custom", "--no-owner", f"--file={path}"],
            env=_libpq_env(db),
            check=True,
        )
    return BackupResult(path, path.stat().st_size, time.monotonic() - started)


def _create_empty_database(db: dict) -> None:
    env = _libpq_env(db)
    params = {
        "host": env.get("PGHOST"),
        "port": env.get("PGPORT"),
        "user": env.get("PGUSER"),
        "password": env.get("PGPASSWORD"),
        "dbname": "postgres",
    }
    with psycopg.connect(**{k: v for k, v in params.items() if v}, autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]])
        if exists.fetchone() is None:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(db["NAME"])))
            return
    with psycopg.connect(**{**params, "dbname": db["NAME"]}) as target:
        tables = target.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
        ).fetchone()[0]
    if tables:
        raise FileExistsError(
            f"Database {db['NAME']} is not empty; restore into a new database and switch over."
        )


def database_restore(*, path: Path, alias: str = "default", jobs: int = 2) -> float:
    """Restore ``path`` into the configured database, which must be new or empty; then
    settle the outbox. Returns the seconds it took."""
    db = _settings(alias)
    started = time.monotonic()
    connections[alias].close()
    if _is_sqlite(db):
        target_path = Path(db["NAME"])
        if target_path.exists() and target_path.stat().st_size:
            raise FileExistsError(f"{target_path} exists; restore into a new file.")
        _sqlite_copy(path, target_path)
    else:
        _create_empty_database(db)
        subprocess.run(  # noqa: S603 - our own arguments, no shell
            [_tool("pg_restore"), "--no-owner", "--exit-on-error", f"--jobs={jobs}"]
            + ["-d", db["NAME"], str(path)],
            env=_libpq_env(db),
            check=True,
        )
    events.database_restored.send(sender=None)
    return time.monotonic() - started
