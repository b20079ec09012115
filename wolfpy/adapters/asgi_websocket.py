"""The WebSocket side of the ASGI adapter: the handshake's checks, the session and user of
the handshake, and the transport a :class:`~wolfpy.realtime.websocket.WebSocket` talks through."""
from __future__ import annotations

import logging
from typing import Any

from ..errors import HTTPError
from ..http.hosts import origin_allowed
from ..http.request import Request
from ..middleware import Hooks
from ..realtime.hub import hub_for
from ..realtime.websocket import JoinRefused, WebSocket, WebSocketDisconnect

log = logging.getLogger("wolfpy")


def _headers_too_large(headers: list[tuple[bytes, bytes]], limits: Any) -> bool:
    return (len(headers) > limits.max_header_count
            or sum(len(value) for _, value in headers) > limits.max_header_size
            or any(len(value) > limits.max_header_value for _, value in headers))


async def serve_websocket(app: Any, request: Request, headers: list[tuple[bytes, bytes]], receive: Any,
                          send: Any) -> None:
    """Run one WebSocket: refuse it (code 1008) when its header fields are over the limits,
    its ``Origin`` is another site's (:func:`~wolfpy.http.hosts.origin_allowed`) or no route
    takes it; else give it its session and user and hand it to the route's ``websocket``."""
    config = request.config
    transport = _Transport(receive, send)
    found = None
    try:
        origin = request.headers.get("origin")
        # No Origin: not a browser, so no ambient credentials to abuse.
        if (not _headers_too_large(headers, config.limits)
                and (not origin or origin_allowed(origin, request.host, config.hosts))):
            found = app.match_websocket(request)
    except HTTPError:
        found = None
    if found is None:
        await transport.reject()
        return
    route, params = found
    try:
        await _load_identity(app, request, route)
    except Exception:
        log.exception("loading the session of WebSocket %s failed", request.raw_path)
        await transport.reject()
        return
    security = app.settings.security
    ws = WebSocket(request, transport, security.websocket_max_message,
                   security.get("websocket_max_messages_per_second", 0))
    hub = ws.hub = hub_for(app)
    # A route module's authorize(ws, room) decides every join of its sockets.
    ws.authorize = getattr(route.websocket, "__globals__", {}).get("authorize")
    hub.connections += 1
    try:
        await route.websocket(ws, **params)
    except WebSocketDisconnect:
        pass
    except JoinRefused as exc:
        if ws.accepted and not ws.closed:
            await ws.close(4403, str(exc)[:120])
        elif not ws.accepted:
            await transport.reject()
        return
    except Exception:
        log.exception("unhandled exception in WebSocket %s", request.raw_path)
        if ws.accepted and not ws.closed:
            await ws.close(1011, "internal error")
        elif not ws.accepted:
            await transport.reject()
        return
    finally:
        hub.connections -= 1
        await ws.release()
    if not ws.accepted:
        if not ws.closed:  # a handler that closed before accepting has refused already
            await transport.reject()
    elif not ws.closed and not transport.disconnected:
        await ws.close(1000)


_IDENTITY = ("sessions", "auth")


async def _load_identity(app: Any, request: Request, route: Any) -> None:
    """Give a WebSocket's request its session and user, as an HTTP request to the same
    URL gets them: the ``sessions`` and ``auth`` built-ins' ``before`` run at the
    handshake, then the user is read (a database query, maybe a Redis one) in a
    worker thread, not on the event loop."""
    layers = getattr(route, "layers", None) or ()
    befores: list[Any] = [mw.before for mw in layers
                          if isinstance(mw, Hooks) and mw.name in _IDENTITY and mw.before is not None]
    if not befores:
        return
    for before in befores:
        before(request)  # both only install lazy loaders; neither answers early
    closers: list[Any] = [mw.after for mw in layers
                          if isinstance(mw, Hooks) and mw.name == "database" and mw.after is not None]

    def load() -> None:
        try:
            if request.has_session:
                request.session.get("")  # read the cookie (or Redis) now
            request.user  # noqa: B018 - resolves the lazy user
        finally:
            for close in closers:  # hand the thread's connection back, as after a request
                close(request, None)
    await app.threads.run(load)


class _Transport:
    """The ASGI side of a WebSocket."""

    def __init__(self, receive: Any, send: Any) -> None:
        self._receive = receive
        self._send = send
        self._connected = False
        self.disconnected = False

    async def _await_connect(self) -> None:
        if not self._connected:
            message = await self._receive()
            if message["type"] != "websocket.connect":
                self.disconnected = True
                raise WebSocketDisconnect(1006)
            self._connected = True

    async def reject(self) -> None:
        try:
            await self._await_connect()
        except WebSocketDisconnect:
            return
        await self._send({"type": "websocket.close", "code": 1008})

    async def accept(self, subprotocol: str | None, headers: list[tuple[str, str]]) -> None:
        await self._await_connect()
        message: dict[str, Any] = {"type": "websocket.accept", "subprotocol": subprotocol}
        if headers:
            message["headers"] = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in headers]
        await self._send(message)

    async def receive(self) -> tuple[str, Any]:
        message = await self._receive()
        kind = message["type"]
        if kind == "websocket.disconnect":
            self.disconnected = True
            return "close", message.get("code", 1000)
        if message.get("text") is not None:
            return "text", message["text"]
        return "bytes", message.get("bytes") or b""

    async def send(self, kind: str, data: Any) -> None:
        if self.disconnected:
            raise WebSocketDisconnect(1006)
        key = "text" if kind == "text" else "bytes"
        await self._send({"type": "websocket.send", key: data})

    async def close(self, code: int, reason: str) -> None:
        if self.disconnected:
            return
        await self._send({"type": "websocket.close", "code": code, "reason": reason})
