"""Room history in the project database: a model WolfPy ships, one row per persisted message.

Ids are the table's autoincrement primary key, so they grow across every process and
host that writes to the same database: ``history(room, since=ID)`` is "the rows of
``room`` with an id above ``ID``". The table is made on first use (``CREATE TABLE IF
NOT EXISTS``, with its index) on SQLite, PostgreSQL and MySQL alike; see
``docs/realtime.md`` for why it is not one of the project's migrations.
"""
from __future__ import annotations

import contextlib
import json
import threading
import time
from typing import TYPE_CHECKING, Any, Iterator

from ..http.response import dumps

if TYPE_CHECKING:  # pragma: no cover
    import peewee

TABLE = "wolfpy_realtime_message"
_MAX_ID = 2 ** 63 - 1  # the largest id SQL databases store


def make_model(database: "peewee.Database") -> Any:
    """The history model bound to ``database`` (one class per database: an App's own)."""
    import peewee  # here, not at import: ``wolfpy.realtime`` is imported by ``import wolfpy``

    class RealtimeMessage(peewee.Model):
        id = peewee.BigAutoField()
        room = peewee.CharField(max_length=200)
        data = peewee.TextField()
        created = peewee.DoubleField(default=time.time)

        class Meta:
            table_name = TABLE
            indexes = ((("room", "id"), False),)

    RealtimeMessage.bind(database, bind_refs=False, bind_backrefs=False)
    return RealtimeMessage


@contextlib.contextmanager
def connected(database: Any) -> Iterator[None]:
    """A connection for the block: the thread's own when a request already opened one (it
    is left open for the request), else one taken and given back here."""
    if not database.is_closed():
        yield
        return
    with database.connection_context():
        yield


class History:
    """Write and read one App's room history (blocking calls: run them in a worker thread)."""

    def __init__(self, database: "peewee.Database", max_per_room: int, retention: float) -> None:
        self.database = database
        self.model: Any = make_model(database)
        self.max_per_room = max_per_room
        self.retention = retention
        self._ready = False
        self._lock = threading.Lock()
        self._writes = 0

    def _ensure_table(self) -> None:
        if self._ready:
            return
        with self._lock:
            if not self._ready:
                with connected(self.database):
                    self.model.create_table(safe=True)
                self._ready = True

    def add(self, room: str, data: dict[str, Any]) -> int:
        """Store ``data`` in ``room``'s history; its id. Old rows beyond the cap and the
        retention are removed now and then (every 50th write), so a write stays cheap."""
        self._ensure_table()
        text = dumps(data).decode()
        with connected(self.database):
            row_id = self.model.insert(room=room, data=text, created=time.time()).execute()
            self._writes += 1
            if self._writes % 50 == 1:
                self._prune(room)
        return int(row_id)

    def _prune(self, room: str) -> None:
        m = self.model
        if self.retention > 0:
            m.delete().where(m.room == room, m.created < time.time() - self.retention).execute()
        if self.max_per_room > 0:
            keep = (m.select(m.id).where(m.room == room).order_by(m.id.desc())
                    .limit(1).offset(self.max_per_room - 1).scalar())
            if keep is not None:
                m.delete().where(m.room == room, m.id < keep).execute()

    def read(self, room: str, limit: int = 50, since: int | None = None) -> list[dict[str, Any]]:
        """``room``'s messages, oldest first, each with its ``id``: the last ``limit`` ones,
        or with ``since``, the first ``limit`` after that id (read again from the last id
        to get the rest)."""
        self._ensure_table()
        limit = min(max(0, int(limit)), _MAX_ID)
        if since is not None:  # an id a client sent may be any size: keep it within 64 bits
            if int(since) >= _MAX_ID:
                return []
            since = max(int(since), -1)
        if self.max_per_room > 0:
            limit = min(limit, self.max_per_room)
        m = self.model
        query = m.select(m.id, m.data, m.created).where(m.room == room)
        if self.retention > 0:
            query = query.where(m.created >= time.time() - self.retention)
        with connected(self.database):
            if since is not None:
                if self.max_per_room > 0:  # rows past the cap that are not deleted yet stay hidden
                    floor = (m.select(m.id).where(m.room == room).order_by(m.id.desc())
                             .limit(1).offset(self.max_per_room - 1).scalar())
                    if floor is not None:
                        query = query.where(m.id >= floor)
                rows = list(query.where(m.id > int(since)).order_by(m.id).limit(limit).tuples())
            else:
                rows = list(query.order_by(m.id.desc()).limit(limit).tuples())
                rows.reverse()
        return [message(row_id, json.loads(text)) for row_id, text, _ in rows]


def message(row_id: int, data: dict[str, Any]) -> dict[str, Any]:
    """A persisted message as clients see it, live or from history: its data and ``id``."""
    return {"id": row_id, **data}
