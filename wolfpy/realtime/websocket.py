"""The WebSocket object handed to a route module's ``websocket(ws, ...)`` function.

Protocol-free: it talks to a *transport* that the ASGI adapter provides
(``accept``, ``receive`` → ``(kind, data)``, ``send``, ``close``).
"""
from __future__ import annotations

import json as _json
from typing import Any, AsyncIterator, Protocol

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

    def __init__(self, request: Any, transport: Transport, max_message: int = 64 * 1024) -> None:
        self.request = request
        self._transport = transport
        self.max_message = max_message
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
            await self.close(1009, "message too big")
            raise WebSocketDisconnect(1009, "message too big")
        return kind, data

    async def receive_text(self) -> str:
        kind, data = await self._receive()
        return data if kind == "text" else data.decode("utf-8")

    async def receive_bytes(self) -> bytes:
        kind, data = await self._receive()
        return data if kind == "bytes" else data.encode("utf-8")

    async def receive_json(self) -> Any:
        kind, data = await self._receive()
        try:
            return _json.loads(data)
        except ValueError:
            await self.close(1007, "malformed JSON")
            raise WebSocketDisconnect(1007, "malformed JSON") from None

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
