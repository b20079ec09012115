"""Connection pools for PostgreSQL and MySQL that skip the round trip on check-out.

peewee's pools check every connection they hand out with a round trip to the server
(``SELECT 1`` on PostgreSQL, ``ping`` on MySQL): one extra query per request. These pools
instead look at the socket, which costs no round trip: a server that ended the session
(a restart, ``pg_terminate_backend``, ``KILL``, an idle timeout) closes it, so it reads as
ready; a healthy idle connection has nothing to read. Only then, or when the connection
has been idle for longer than :data:`PING_IDLE_SECONDS`, is the server asked, as before,
and a dead connection is replaced before the request sees it.

On the way back in, a connection is rolled back only when a transaction is open (peewee's
MySQL pool sends ``ROLLBACK`` every time, since PyMySQL does not say), so a request that
runs one query sends the server that one statement.
"""
from __future__ import annotations

import select
import time
from typing import Any

from playhouse.pool import PooledMySQLDatabase, PooledPostgresqlDatabase

from .sqlcache import CachedSQL

__all__ = ["PING_IDLE_SECONDS", "PostgresqlPool", "MySQLPool"]

# Two of the MySQL protocol's server status flags (SERVER_STATUS_IN_TRANS, _AUTOCOMMIT).
_MYSQL_IN_TRANSACTION = 1
_MYSQL_AUTOCOMMIT = 2

#: A connection idle for longer than this is checked with a round trip when it leaves
#: the pool (a peer that vanished without closing the socket gives no sign locally).
PING_IDLE_SECONDS = 30.0


def _readable(fd: int) -> bool:
    """Whether ``fd`` has something to read (or was closed by the peer), without waiting.
    ``poll`` has no limit on descriptor numbers, where ``select`` stops at 1024."""
    if hasattr(select, "poll"):
        poller = select.poll()
        poller.register(fd, select.POLLIN | select.POLLERR | select.POLLHUP)
        return bool(poller.poll(0))
    return bool(select.select([fd], [], [], 0)[0])


class _LocalCheck:
    """Remembers when each connection went back to the pool; checks it locally on the way out."""

    ping_idle_seconds = PING_IDLE_SECONDS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._returned: dict[int, float] = {}  # conn_key -> time.monotonic() of check-in
        super().__init__(*args, **kwargs)

    def _fileno(self, conn: Any) -> int | None:  # pragma: no cover - per driver
        raise NotImplementedError

    def _is_closed(self, conn: Any) -> bool:
        returned = self._returned.pop(self.conn_key(conn), None)  # type: ignore[attr-defined]
        if returned is not None and time.monotonic() - returned <= self.ping_idle_seconds:
            try:
                fd = self._fileno(conn)
                if fd is not None and fd >= 0 and not _readable(fd):
                    return False  # nothing to read: the server has not closed or spoken
            except (OSError, ValueError):
                pass  # cannot tell locally: ask the server below
        return super()._is_closed(conn)  # type: ignore[misc,no-any-return]

    def _close(self, conn: Any, close_conn: bool = False) -> None:
        if not close_conn:
            self._returned[self.conn_key(conn)] = time.monotonic()  # type: ignore[attr-defined]
        super()._close(conn, close_conn)  # type: ignore[misc]

    def _close_raw(self, conn: Any) -> None:
        self._returned.pop(self.conn_key(conn), None)  # type: ignore[attr-defined]
        super()._close_raw(conn)  # type: ignore[misc]


class PostgresqlPool(CachedSQL, _LocalCheck, PooledPostgresqlDatabase):
    """``PooledPostgresqlDatabase`` without the ``SELECT 1`` on every check-out
    (and with the SQL text of common query shapes cached: :mod:`wolfpy.db.sqlcache`)."""

    def _fileno(self, conn: Any) -> int | None:
        if conn.closed:
            return None
        return int(conn.fileno())


class MySQLPool(CachedSQL, _LocalCheck, PooledMySQLDatabase):
    """``PooledMySQLDatabase`` without the ``ping`` on every check-out, nor the
    ``ROLLBACK`` on every check-in (and with common SQL text cached)."""

    def _fileno(self, conn: Any) -> int | None:
        sock = getattr(conn, "_sock", None)  # PyMySQL's socket; None once closed
        return sock.fileno() if sock is not None else None

    def _can_reuse(self, conn: Any) -> bool:
        # PyMySQL's connection tells peewee nothing about a transaction, so peewee's pool
        # sends ROLLBACK at every check-in to be safe. The server does tell: every OK
        # packet carries its status flags, kept in ``server_status`` (PyMySQL does not
        # read them from the EOF ending a result set, but no SELECT ends a transaction,
        # and with autocommit on none starts one). Only a connection in a transaction,
        # with autocommit turned off, or that cannot say, is rolled back.
        status = getattr(conn, "server_status", None)
        result = getattr(conn, "_result", None)
        if (isinstance(status, int) and status & _MYSQL_AUTOCOMMIT and not status & _MYSQL_IN_TRANSACTION
                and not getattr(result, "unbuffered_active", False)):
            return True
        return super()._can_reuse(conn)  # type: ignore[no-any-return]
