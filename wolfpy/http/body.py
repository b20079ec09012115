"""Request body readers: a byte stream that never yields more than the limit."""
from __future__ import annotations

from typing import Callable

from ..errors import PayloadTooLarge

CHUNK = 64 * 1024


class BodyReader:
    """Reads a request body through ``read(n)`` with the size limit enforced.

    ``source`` is any ``read(n) -> bytes`` callable (the WSGI input stream's, or
    an in-memory buffer's under ASGI). With a declared ``content_length`` the
    reader stops there; without one (chunked uploads) it reads to EOF and raises
    :class:`PayloadTooLarge` as soon as more than ``limit`` bytes arrive.
    """

    __slots__ = ("_read", "_remaining", "_limit", "_seen")

    def __init__(self, source: Callable[[int], bytes], content_length: int | None, limit: int) -> None:
        if content_length is not None and content_length > limit:
            raise PayloadTooLarge(message=f"request body over the limit of {limit} bytes")
        self._read = source
        self._remaining = content_length  # None: until EOF
        self._limit = limit
        self._seen = 0

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
                raise PayloadTooLarge(message=f"request body over the limit of {self._limit} bytes")
            if n >= 0 or got >= want:
                break
        if self._remaining is not None:
            self._remaining -= got
        return b"".join(chunks) if len(chunks) != 1 else chunks[0]

    def read_all(self) -> bytes:
        return self.read(-1)
