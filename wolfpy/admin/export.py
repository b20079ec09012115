"""CSV export of a change list, streamed: rows are read and sent a chunk at a time.

The body is an object that is both an iterator (WSGI servers pull it) and an async
iterator (the ASGI adapter pulls it, and each chunk's query then runs in a worker
thread so the event loop never waits on the database). Memory stays that of one chunk
whatever the number of rows.
"""
from __future__ import annotations

import asyncio
import csv
import io
from typing import Any, AsyncIterator, Iterator

from .forms import form_value

CHUNK_ROWS = 1000
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> str:
    text = "" if value is None else str(value)
    # A cell that a spreadsheet would run as a formula is quoted as text.
    return "'" + text if text.startswith(_FORMULA) and not _is_number(text) else text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


class CSVStream:
    """The CSV bytes of ``query`` (ordered, filtered) for ``fields``, chunk by chunk."""

    def __init__(self, database: Any, query: Any, fields: list[Any]) -> None:
        self.database = database
        self.query = query
        self.fields = fields
        self.offset = 0
        self.header_sent = False
        self.done = False

    def _chunk(self) -> bytes | None:
        """The next chunk's CSV text, or None at the end; the connection is returned after each."""
        if self.done:
            return None
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        if not self.header_sent:
            writer.writerow([f.name for f in self.fields])
            self.header_sent = True
        opened = self.database.is_closed()
        try:
            columns = [f for f in self.fields]
            rows = self.query.select(*columns).limit(CHUNK_ROWS).offset(self.offset).tuples()
            count = 0
            for row in rows.iterator():
                writer.writerow([_cell(form_value(f, v)) for f, v in zip(self.fields, row)])
                count += 1
        finally:
            if opened and not self.database.is_closed():
                self.database.close()
        self.offset += count
        if count < CHUNK_ROWS:
            self.done = True
        data = buffer.getvalue().encode("utf-8")
        return data if data or not self.done else None

    def __iter__(self) -> Iterator[bytes]:
        while True:
            chunk = self._chunk()
            if chunk is None:
                return
            if chunk:
                yield chunk

    async def _aiter(self) -> AsyncIterator[bytes]:
        while True:
            chunk = await asyncio.to_thread(self._chunk)
            if chunk is None:
                return
            if chunk:
                yield chunk

    def __aiter__(self) -> AsyncIterator[bytes]:
        return self._aiter()

    def close(self) -> None:
        self.done = True
