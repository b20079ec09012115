"""The WebSocket object handed to a route module's ``websocket(ws, ...)`` function.

Protocol-free: it talks to a *transport* that the ASGI adapter provides
(``accept``, ``receive`` → ``(kind, data)``, ``send``, ``close``).
"""
from __future__ import annotations

import time
from typing import Any, AsyncIterator, Protocol

from ..http.request import loads_json
from ..http.response import dumps


class WebSocketDisconnect(Exception):
    """The client went away (``code`` is the close code it sent)."""

    def __init__(self, code: int = 1000, reason: str = "") -> None:
        super().__init__(code, reason)
        self.code = code
        self.reason = reason


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
        await self._transport.close(code, reason)

    # Receiving.
    async def _receive(self) -> tuple[str, Any]:
        if not self.accepted:
            raise RuntimeError("call await ws.accept() before receiving")
        kind, data = await self._transport.receive()
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

    async def send_bytes(self, data: bytes) -> None:
        await self._ensure_open()
        await self._transport.send("bytes", data)

    async def send_json(self, data: Any) -> None:
        await self._ensure_open()
        await self._transport.send("text", dumps(data).decode())

    async def _ensure_open(self) -> None:
        if not self.accepted:
            raise RuntimeError("call await ws.accept() before sending")
        if self.closed:
            raise WebSocketDisconnect(1006, "the connection is closed")

    def __repr__(self) -> str:
        return f"<WebSocket {self.request.raw_path}>"
