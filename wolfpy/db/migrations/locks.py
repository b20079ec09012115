"""The migration lock: two ``migrate``/``rollback`` runs on one database never overlap.

- PostgreSQL: a session advisory lock (``pg_try_advisory_lock``), per database;
- MySQL: ``GET_LOCK('wolfpy_migrate:<database>')`` (named locks are server-wide);
- SQLite: the run is one ``BEGIN IMMEDIATE`` transaction (the write lock), each
  migration a savepoint in it; foreign keys are off during the run (a table rebuild
  must not cascade) and checked with ``PRAGMA foreign_key_check`` per migration.

Session locks go away with the connection, so a crashed run never leaves one behind.
"""
from __future__ import annotations

import time
import zlib
from contextlib import contextmanager
from typing import Any, Iterator

from ...errors import MigrationError

TIMEOUT = 60.0
_PG_KEY = zlib.crc32(b"wolfpy_migrations")


def mysql_lock_name(db: Any) -> str:
    return f"wolfpy_migrate:{db.database}"[:64]


def lock_preamble(backend: str) -> list[str]:
    """The statements the lock runs around a migration run (shown by ``--dry-run``)."""
    if backend == "sqlite":
        return ["PRAGMA foreign_keys = OFF", "BEGIN IMMEDIATE"]
    return []


def lock_epilogue(backend: str) -> list[str]:
    return ["COMMIT", "PRAGMA foreign_keys = ON"] if backend == "sqlite" else []


@contextmanager
def migration_lock(db: Any, backend: str, timeout: float = TIMEOUT) -> Iterator[None]:
    """Hold the migration lock of ``db`` (waiting up to ``timeout`` seconds for it)."""
    deadline = time.monotonic() + timeout
    busy = (f"another `wolfpy db migrate` or `rollback` held the migration lock for {timeout:g} s; "
            "try again when it has finished")
    cursor = db.cursor()
    if backend == "postgresql":
        while True:
            cursor.execute(f"SELECT pg_try_advisory_lock({_PG_KEY})")
            if cursor.fetchone()[0]:
                break
            if time.monotonic() > deadline:
                raise MigrationError(busy)
            time.sleep(0.05)
        try:
            yield
        finally:
            db.cursor().execute(f"SELECT pg_advisory_unlock({_PG_KEY})")
    elif backend == "mysql":
        name = mysql_lock_name(db).replace("\\", "\\\\").replace("'", "''")
        cursor.execute(f"SELECT GET_LOCK('{name}', {max(0, int(timeout))})")
        if cursor.fetchone()[0] != 1:
            raise MigrationError(busy)
        try:
            yield
        finally:
            db.cursor().execute(f"SELECT RELEASE_LOCK('{name}')")
    else:
        cursor.execute("PRAGMA foreign_keys")
        enforced = bool(cursor.fetchone()[0])
        cursor.execute("PRAGMA foreign_keys = OFF")
        while True:
            try:
                cursor.execute("BEGIN IMMEDIATE")
                break
            except Exception as exc:  # sqlite3.OperationalError: database is locked
                if "locked" not in str(exc) and "busy" not in str(exc):
                    raise
                if time.monotonic() > deadline:
                    raise MigrationError(busy) from None
                time.sleep(0.05)
        try:
            yield
        finally:
            # Every savepoint released by then is a whole migration and its row.
            try:
                cursor.execute("COMMIT")
            except Exception:
                cursor.execute("ROLLBACK")
                raise
            finally:
                if enforced:
                    cursor.execute("PRAGMA foreign_keys = ON")
