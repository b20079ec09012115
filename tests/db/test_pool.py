"""The pooled PostgreSQL and MySQL databases: no round trip when a connection leaves the
pool, and a connection the server ended is still replaced before a query fails on it.

Runs against the real servers (each test on its own throw-away database)."""
from __future__ import annotations

import time
from typing import Any

import pytest

from wolfpy.db import database_from_url
from wolfpy.db.pool import MySQLPool, PostgresqlPool

SERVER_SIDE_ID = {"postgresql": "SELECT pg_backend_pid()", "mysql": "SELECT CONNECTION_ID()"}


def _one(db: Any, sql: str, params: tuple[Any, ...] = ()) -> Any:
    return db.execute_sql(sql, params).fetchone()[0]


def _request(db: Any, sql: str) -> Any:
    """What a request does: the first query checks a connection out, the response returns it."""
    db.connect(reuse_if_open=True)
    try:
        return _one(db, sql)
    finally:
        db.close()


def _kill(backend: str, url: str, server_id: int) -> None:
    admin = database_from_url(url, pooled=False)
    admin.connect()
    try:
        if backend == "postgresql":
            assert _one(admin, "SELECT pg_terminate_backend(%s)", (server_id,)) is True
            gone = "SELECT count(*) FROM pg_stat_activity WHERE pid = %s"
        else:
            admin.execute_sql(f"KILL CONNECTION {int(server_id)}")
            gone = "SELECT count(*) FROM information_schema.processlist WHERE id = %s"
        deadline = time.monotonic() + 10
        while _one(admin, gone, (server_id,)) and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        admin.close()


@pytest.mark.parametrize("backend", ["postgresql", "mysql"])
def test_a_connection_the_server_ended_is_replaced_before_the_next_request_uses_it(
        backend: str, throwaway_url: Any) -> None:
    url = throwaway_url(backend)
    db = database_from_url(url)
    assert isinstance(db, PostgresqlPool if backend == "postgresql" else MySQLPool)
    try:
        first = _request(db, SERVER_SIDE_ID[backend])
        assert _request(db, SERVER_SIDE_ID[backend]) == first  # the pool hands the same one back
        _kill(backend, url, first)
        # The next request neither fails nor needs a retry: the dead one is never handed out.
        second = _request(db, SERVER_SIDE_ID[backend])
        assert second != first
        assert _request(db, "SELECT 40 + 2") == 42
    finally:
        db.close_all()


def test_no_round_trip_when_a_recently_used_connection_leaves_the_pool(throwaway_url: Any) -> None:
    url = throwaway_url("postgresql")
    db = database_from_url(url)
    watcher = database_from_url(url, pooled=False)
    watcher.connect()
    last_query = "SELECT query FROM pg_stat_activity WHERE pid = %s"
    try:
        pid = _request(db, "SELECT pg_backend_pid() /* marker */")
        db.connect()  # check-out only, as at the start of a request's first query
        try:
            # The server's last statement on that connection is still the request's query.
            assert _one(watcher, last_query, (pid,)) == "SELECT pg_backend_pid() /* marker */"
        finally:
            db.close()
        # Idle longer than the threshold: the check-out asks the server, as before.
        db.ping_idle_seconds = 0.0
        time.sleep(0.01)
        db.connect()
        try:
            assert _one(watcher, last_query, (pid,)) == "SELECT 1"
        finally:
            db.close()
    finally:
        watcher.close()
        db.close_all()


@pytest.mark.parametrize("backend", ["postgresql", "mysql"])
def test_a_request_after_the_server_ended_the_pooled_connection_is_served(
        backend: str, throwaway_url: Any, make_project: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    import wolfpy
    from wolfpy.testing import TestClient
    url = throwaway_url(backend)
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("WOLFPY_SECRET_KEY", "s" * 50)
    root = make_project({
        "models/note.py": "from wolfpy.db import Model, CharField\n\nclass Note(Model):\n    text = CharField()\n",
        "routes/whoami.py": "from wolfpy.db import DATABASE\n\ndef get(request):\n"
                            f"    return str(DATABASE.execute_sql({SERVER_SIDE_ID[backend]!r}).fetchone()[0])\n",
    }, toml="[app]\ndebug = false\n[middleware]\nbuiltin = []\n")
    app = wolfpy.load(root)
    client = TestClient(app)
    try:
        first = client.get("/whoami").text
        assert client.get("/whoami").text == first  # the connection went back to the pool and came out again
        _kill(backend, url, int(first))
        answer = client.get("/whoami")
        assert answer.status_code == 200 and answer.text not in ("", first)
    finally:
        app.database.close_all()


def test_a_connection_above_descriptor_1024_is_kept_and_checked_without_a_round_trip(throwaway_url: Any) -> None:
    """A process with many open files or sockets (a server holding WebSockets) gets descriptors
    past ``select``'s limit of 1024: the connection is still reused, with no query sent."""
    import os
    import resource
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < 1200:
        pytest.fail(f"the open-file limit ({hard}) is too low for this test")
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, 1200), hard))
    held = [os.open(os.devnull, os.O_RDONLY) for _ in range(1100)]
    url = throwaway_url("postgresql")
    db = database_from_url(url)
    watcher = database_from_url(url, pooled=False)
    watcher.connect()
    try:
        pid = _request(db, "SELECT pg_backend_pid() /* high fd */")
        db.connect()
        try:
            assert _one(db, "SELECT pg_backend_pid()") == pid          # the same connection, reused
        finally:
            db.close()
        last = _one(watcher, "SELECT query FROM pg_stat_activity WHERE pid = %s", (pid,))
        assert last == "SELECT pg_backend_pid()"                     # no SELECT 1 before it
    finally:
        watcher.close()
        db.close_all()
        for fd in held:
            os.close(fd)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
