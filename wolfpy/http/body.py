"""Request bodies, bounded: a reader that never yields more than the limit, and the buffer
of a body received whole before dispatch (in memory, or in a spooled file)."""
from __future__ import annotations

import tempfile
from typing import Any, Callable

from ..errors import PayloadTooLarge

CHUNK = 64 * 1024
#: A body buffered ahead of dispatch moves from memory to a temporary file past this size.
SPOOL = 1024 * 1024


def body_too_large(limit: int) -> PayloadTooLarge:
    """The 413 of a body over ``limit`` bytes, whether declared or received."""
    return PayloadTooLarge(message=f"request body over the limit of {limit} bytes")


def read_declared(read: Callable[[int], bytes], length: int) -> bytes:
    """``length`` bytes through ``read``, fewer only if the stream ends first (a socket
    may give less than asked); ``length`` is a declared length already checked against
    the limit, so nothing more is read."""
    data = read(length)
    while len(data) < length:
        more = read(length - len(data))
        if not more:
            break
        data += more
    return data


def _no_bytes(n: int = -1) -> bytes:
    return b""


class BodyReader:
    """Reads a request body through ``read(n)`` with the size limit enforced.

    ``source`` is any ``read(n) -> bytes`` callable (the WSGI input stream's, or
    a :class:`BodyBuffer`'s under ASGI). With a declared ``content_length`` the
    reader stops there; without one (chunked uploads) it reads to EOF and raises
    :class:`PayloadTooLarge` as soon as more than ``limit`` bytes arrive.
    """

    __slots__ = ("_read", "_remaining", "_limit", "_seen")

    def __init__(self, source: Callable[[int], bytes], content_length: int | None, limit: int) -> None:
        if content_length is not None and content_length > limit:
            raise body_too_large(limit)
        self._read = source
        self._remaining = content_length  # None: until EOF
        self._limit = limit
        self._seen = 0

    @classmethod
    def empty(cls, limit: int) -> "BodyReader":
        """The reader of a request that declares no body: every read is ``b""``."""
        return cls(_no_bytes, 0, limit)

    def read(self, n: int = -1) -> bytes:
        if self._remaining is not None:
            if self._remaining <= 0:
                return b""
            want = self._remaining if n < 0 else min(n, self._remaining)
        else:
            want = (self._limit + 1 - self._seen) if n < 0 else n
        if want <= 0:
            want = 1
        chunks = []
        got = 0
        # A socket read may return less than asked: loop for read(-1) semantics.
        while True:
            data = self._read(min(want - got, CHUNK) if n < 0 else want - got)
            if not data:
                break
            chunks.append(data)
            got += len(data)
            self._seen += len(data)
            if self._seen > self._limit:
                raise body_too_large(self._limit)
            if n >= 0 or got >= want:
                break
        if self._remaining is not None:
            self._remaining -= got
        return b"".join(chunks) if len(chunks) != 1 else chunks[0]

    def read_all(self) -> bytes:
        return self.read(-1)


class BodyBuffer:
    """A body received whole before dispatch: bytes in memory (joined from the chunks as
    they came), or a spooled temporary file past :data:`SPOOL` bytes (see
    :func:`spool`). :meth:`close` frees the file now, not when the collector runs."""

    __slots__ = ("_file", "_data", "_pos")

    def __init__(self, chunks: list[bytes] | None, file: Any = None) -> None:
        self._data = b"".join(chunks) if chunks is not None else b""
        self._file = file
        self._pos = 0

    def read(self, n: int = -1) -> bytes:
        if self._file is not None:
            return self._file.read(n)  # type: ignore[no-any-return]
        end = len(self._data) if n < 0 else self._pos + n
        chunk = self._data[self._pos:end]
        self._pos += len(chunk)
        return chunk

    def close(self) -> None:
        """Free the body now (a spooled file's disk space)."""
        file = self._file
        if file is not None:
            self._file = None
            file.close()
        self._data = b""


def spool(chunks: list[bytes]) -> Any:
    """A spooled temporary file holding ``chunks``, for a body that has grown past :data:`SPOOL`."""
    file = tempfile.SpooledTemporaryFile(max_size=SPOOL)
    for chunk in chunks:
        file.write(chunk)
    return file
