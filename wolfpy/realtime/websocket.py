"""The WebSocket object handed to a route module's ``websocket(ws, ...)`` function.

Protocol-free: it talks to a *transport* that the ASGI adapter provides
(``accept``, ``receive`` → ``(kind, data)``, ``send``, ``close``). Rooms
(``join``/``leave``) are kept by the App's realtime hub (:mod:`wolfpy.realtime.hub`);
what a room sends goes through a bounded outbox, so a client that does not read is
disconnected instead of buffered without limit.
"""
from __future__ import annotations

import asyncio
import inspect
import time
from collections import deque
from typing import Any, AsyncIterator, Protocol

from ..http.request import loads_json
from ..http.response import dumps

#: Rooms one connection may be in, and the size of its identity and merged meta as JSON:
#: each room's presence entry carries them, so both bound what one socket can make grow.
MAX_ROOMS_PER_CONNECTION = 1000
MAX_META_BYTES = 4096


class WebSocketDisconnect(Exception):
    """The client went away (``code`` is the close code it sent)."""

    def __init__(self, code: int = 1000, reason: str = "") -> None:
        super().__init__(code, reason)
        self.code = code
        self.reason = reason


class JoinRefused(Exception):
    """``authorize(ws, room)`` refused the join. Uncaught, it closes the socket with 4403."""

    def __init__(self, room: str) -> None:
        super().__init__(f"not allowed to join {room!r}")
        self.room = room


class InvalidJoin(JoinRefused, ValueError):
    """``join`` was given a room name that is not one, an identity and meta over the size
    limit, or a room past the limit of rooms (a ``ValueError`` too). Uncaught, it is a
    refused join (4403): a room name or an identity often comes from the URL or a message."""

    def __init__(self, room: Any, reason: str) -> None:
        Exception.__init__(self, reason)
        self.room = room


class Transport(Protocol):  # pragma: no cover - structural type
    async def accept(self, subprotocol: str | None, headers: list[tuple[str, str]]) -> None: ...
    async def receive(self) -> tuple[str, Any]: ...
    async def send(self, kind: str, data: Any) -> None: ...
    async def close(self, code: int, reason: str) -> None: ...


class WebSocket:
    """One WebSocket connection. Request data (headers, query, cookies, params) is on it too."""

    def __init__(self, request: Any, transport: Transport, max_message: int = 64 * 1024,
                 max_rate: float = 0) -> None:
        self.request = request
        self._transport = transport
        self.max_message = max_message
        # Messages per second a client may send (0: no limit): a token bucket that
        # holds one second's worth, so a short burst passes and a flood does not.
        self.max_rate = max_rate
        self._allowance = float(max_rate)
        self._last = time.monotonic()
        self.accepted = False
        self.closed = False
        self.identity: Any = None
        self.rooms: set[str] = set()
        self.meta: dict[str, Any] = {}
        self.connection_id = ""
        self.hub: Any = None         # the App's realtime hub (set by the adapter)
        self.authorize: Any = None   # the route module's authorize(ws, room), if any
        # Room messages waiting for this client (at most max_queue), and the future the
        # writer waits on when there is none: cheaper than an asyncio.Queue per socket.
        self._outbox: deque[str] | None = None
        self._max_queue = 0
        self._wake: asyncio.Future[None] | None = None
        self._writer: asyncio.Task[None] | None = None
        self.too_slow = False
        self._joined_at = 0.0
        self.skip_once: str | None = None

    # Request data, for convenience.
    @property
    def app(self) -> Any:
        return self.request.app

    @property
    def path(self) -> str:
        return self.request.path

    @property
    def params(self) -> dict[str, Any]:
        return self.request.params

    @property
    def headers(self) -> Any:
        return self.request.headers

    @property
    def query(self) -> Any:
        return self.request.query

    @property
    def cookies(self) -> dict[str, str]:
        return self.request.cookies

    @property
    def user(self) -> Any:
        return self.request.user

    @property
    def session(self) -> Any:
        return self.request.session

    @property
    def state(self) -> dict[str, Any]:
        return self.request.state

    # Lifecycle.
    async def accept(self, subprotocol: str | None = None,
                     headers: list[tuple[str, str]] | None = None) -> None:
        if self.accepted:
            return
        await self._transport.accept(subprotocol, headers or [])
        self.accepted = True

    async def close(self, code: int = 1000, reason: str = "") -> None:
        if self.closed:
            return
        self.closed = True
        # A close frame holds at most 123 bytes of reason (RFC 6455 5.5): cut it there.
        reason = reason.encode("utf-8")[:123].decode("utf-8", "ignore")
        await self._transport.close(code, reason)

    # Receiving.
    async def _receive(self) -> tuple[str, Any]:
        if not self.accepted:
            raise RuntimeError("call await ws.accept() before receiving")
        kind, data = await self._transport.receive()
        if self.hub is not None:
            self.hub.messages_in += 1
        if kind == "close":
            self.closed = True
            raise WebSocketDisconnect(data or 1000)
        if len(data) > self.max_message:
            await self._refuse(1009, "message too big")
        rate = self.max_rate
        if rate:
            now = time.monotonic()
            allowance = min(float(rate), self._allowance + (now - self._last) * rate)
            self._last = now
            if allowance < 1:
                await self._refuse(1008, "too many messages")
            self._allowance = allowance - 1
        return kind, data

    async def _refuse(self, code: int, reason: str) -> Any:
        """Close with ``code`` (RFC 6455 section 7.4.1) and end the handler's receive."""
        await self.close(code, reason)
        raise WebSocketDisconnect(code, reason)

    async def receive_text(self) -> str:
        """The next message as text; a binary one must be UTF-8 (else close 1007)."""
        kind, data = await self._receive()
        if kind == "text":
            return data
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            return await self._refuse(1007, "invalid UTF-8")

    async def receive_bytes(self) -> bytes:
        kind, data = await self._receive()
        return data if kind == "bytes" else data.encode("utf-8")

    async def receive_json(self) -> Any:
        """The next message parsed as JSON, by the rules of ``request.json`` (size, depth,
        no NaN, Infinity or lone surrogates); anything else closes with 1007. JSON comes
        in text messages: a binary one closes with 1003 (data this endpoint does not take)."""
        kind, text = await self._receive()
        if kind != "text":
            return await self._refuse(1003, "expected a text message with JSON")
        limits = self.request.config.limits
        if len(text) > limits.max_json_size:
            await self._refuse(1009, "JSON message too big")
        try:
            return loads_json(text, limits.max_json_depth)
        except ValueError:
            return await self._refuse(1007, "malformed JSON")

    async def iter_text(self) -> AsyncIterator[str]:
        try:
            while True:
                yield await self.receive_text()
        except WebSocketDisconnect:
            return

    async def iter_json(self) -> AsyncIterator[Any]:
        try:
            while True:
                yield await self.receive_json()
        except WebSocketDisconnect:
            return

    # Sending.
    async def send_text(self, data: str) -> None:
        await self._ensure_open()
        await self._transport.send("text", data)
        self._count_out()

    async def send_bytes(self, data: bytes) -> None:
        await self._ensure_open()
        await self._transport.send("bytes", data)
        self._count_out()

    async def send_json(self, data: Any) -> None:
        await self._ensure_open()
        await self._transport.send("text", dumps(data).decode())
        self._count_out()

    def _count_out(self) -> None:
        if self.hub is not None:
            self.hub.messages_out += 1

    # Rooms.
    async def join(self, room: str, identity: Any = None, meta: dict[str, Any] | None = None) -> None:
        """Join ``room``: receive what is broadcast to it; with an ``identity``, be listed
        by ``presence(room)`` (with ``meta``) and announced to its members.

        Raises:
            JoinRefused: the route module's ``authorize(ws, room)`` returned a falsy value.
            InvalidJoin: ``room`` is not 1 to 200 characters without control characters, the
                connection is in 1,000 rooms, or identity and meta take over 4 KiB as JSON
                (a ``JoinRefused`` and a ``ValueError``).
        """
        from .hub import check_room, hub_for
        try:
            check_room(room)
        except ValueError as exc:
            raise InvalidJoin(room, str(exc)[:120]) from None
        await self._ensure_open()
        if room in self.rooms:
            return
        if len(self.rooms) >= MAX_ROOMS_PER_CONNECTION:
            raise InvalidJoin(room, f"a connection is in at most {MAX_ROOMS_PER_CONNECTION} rooms; leave one first")
        if self.authorize is not None:
            if inspect.iscoroutinefunction(self.authorize):
                allowed = await self.authorize(self, room)
            else:  # a sync authorize may query the database: not on the event loop
                allowed = await self.app.threads.run(self.authorize, self, room)
            if not allowed:
                raise JoinRefused(room)
        if identity is not None or meta:
            try:
                size = len(dumps([identity, {**self.meta, **(meta or {})}]))
            except (TypeError, ValueError):
                raise TypeError("a presence identity and meta are JSON values (a user's name or id, "
                                f"not the user object): got {type(identity).__name__}") from None
            if size > MAX_META_BYTES:
                raise InvalidJoin(room, f"a presence identity and meta take at most {MAX_META_BYTES} bytes as JSON")
        if identity is not None:
            if self.identity is not None and identity != self.identity:
                raise ValueError(f"this connection is already {self.identity!r}; one identity per connection")
            self.identity = identity
        if meta:
            self.meta.update(meta)
        hub = self.hub or hub_for(self.app)
        self.hub = hub
        if not self.connection_id:
            self.connection_id = hub.new_connection_id()
            self._joined_at = time.time()
        if self._outbox is None:
            self._outbox = deque()
            self._max_queue = hub.config.max_queue
            self._writer = asyncio.ensure_future(self._write())
        self.rooms.add(room)
        await hub.add(room, self)

    async def leave(self, room: str) -> None:
        """Leave ``room`` (every room is left when the connection ends)."""
        if room in self.rooms:
            self.rooms.discard(room)
            await self.hub.remove(room, self)

    def presence_entry(self, room: str) -> dict[str, Any]:
        return {"identity": self.identity,
                "meta": {**self.meta, "conn": self.connection_id, "joined_at": self._joined_at}}

    def enqueue(self, text: str) -> None:
        """Queue a room's message for this client; a full queue disconnects it (1008)."""
        if self.too_slow or self.closed or self._outbox is None:
            return
        if self.skip_once is not None and text == self.skip_once:
            self.skip_once = None
            return
        outbox = self._outbox
        if len(outbox) >= self._max_queue:
            self.too_slow = True
            self.hub.slow_disconnects += 1
            asyncio.ensure_future(self._drop())
            return
        outbox.append(text)
        wake = self._wake
        if wake is not None:
            self._wake = None
            if not wake.done():
                wake.set_result(None)

    async def _drop(self) -> None:
        await self.release()
        try:
            await self.close(1008, "too slow: the outgoing buffer is full")
        except Exception:  # the client is gone already
            pass

    async def _write(self) -> None:
        outbox = self._outbox
        assert outbox is not None
        loop = asyncio.get_running_loop()
        while True:
            if not outbox:
                self._wake = loop.create_future()
                await self._wake
                continue
            text = outbox.popleft()
            try:
                await self._transport.send("text", text)
            except Exception:  # the client went away: the handler learns it from receive
                return
            self._count_out()

    async def release(self) -> None:
        """Leave every room and stop the outbox (the adapter calls it when the socket ends)."""
        for room in list(self.rooms):
            await self.leave(room)
        writer, self._writer = self._writer, None
        if writer is not None and writer is not asyncio.current_task():
            writer.cancel()

    async def _ensure_open(self) -> None:
        if not self.accepted:
            raise RuntimeError("call await ws.accept() before sending")
        if self.closed:
            raise WebSocketDisconnect(1006, "the connection is closed")

    def __repr__(self) -> str:
        return f"<WebSocket {self.request.raw_path}>"
