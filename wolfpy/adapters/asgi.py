"""ASGI 3 adapter: http, websocket and lifespan scopes → the App."""
from __future__ import annotations

import logging
import tempfile
from typing import Any
from urllib.parse import quote

from ..errors import BadRequest, HTTPError, PayloadTooLarge, RequestHeaderFieldsTooLarge
from ..http.body import BodyReader
from ..http.datastructures import LookupHeaders, join_repeated
from ..http.request import Request
from ..middleware import Hooks
from ..realtime.websocket import WebSocket, WebSocketDisconnect

log = logging.getLogger("wolfpy")

_SAFE_PATH = "/:@!$&'()*+,;=-._~"
_BODY_KEY = "wolfpy.body"
_SPOOL = 1024 * 1024


class ScopeHeaders(LookupHeaders):
    """Request headers read from ``scope["headers"]``: ``get`` scans the (short) list for one
    name; the decoded mapping is built only when someone iterates."""

    __slots__ = ("_pairs",)

    def __init__(self, scope: Any) -> None:
        self._pairs = scope["headers"]
        self._map = None
        self._raw = None  # type: ignore[assignment]

    def get(self, key: str, default: Any = None) -> Any:
        name = _NAMES.get(key)
        if name is None:
            name = key.lower().encode("latin-1")
            if len(_NAMES) < 256:
                _NAMES[key] = name
        found = more = None
        for k, v in self._pairs:
            if k == name:
                if found is None:
                    found = v
                elif more is None:
                    more = [found, v]
                else:
                    more.append(v)
        if more is not None:
            # A repeated header: its values are joined once (linear however often it repeats).
            return b", ".join(more).decode("latin-1")
        return default if found is None else found.decode("latin-1")

    def getlist(self, key: str) -> list[str]:
        name = key.lower().encode("latin-1")
        return [v.decode("latin-1") for k, v in self._pairs if k == name]

    def _mapping(self) -> dict[str, str]:
        if self._map is None:
            self._raw = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in self._pairs]
            self._map = join_repeated(self._raw)
        return self._map

    def raw(self) -> list[tuple[str, str]]:
        self._mapping()
        return list(self._raw)


_NAMES: dict[str, bytes] = {}


class ASGIIO:
    """How a Request reads what it needs out of an ASGI scope, on demand."""

    headers = ScopeHeaders

    @staticmethod
    def client(scope: Any) -> tuple[str, int] | None:
        client = scope.get("client")
        return (client[0], client[1]) if client else None

    @staticmethod
    def scheme(scope: Any) -> str:
        return scope.get("scheme") or ("ws" if scope["type"] == "websocket" else "http")

    @staticmethod
    def host(scope: Any) -> str:
        for k, v in scope["headers"]:
            if k == b"host":
                return v.decode("latin-1")
        server = scope.get("server")
        if not server:
            return "localhost"
        host, port = server[0], server[1]
        return host if port in (80, 443, None) else f"{host}:{port}"

    @staticmethod
    def content_length(scope: Any) -> int | None:
        for k, v in scope["headers"]:
            if k == b"content-length":
                if not v.isdigit():
                    raise BadRequest(message="invalid Content-Length header")
                return int(v)
        return None

    @staticmethod
    def body(scope: Any, limit: int) -> BodyReader:
        buffered = scope.get(_BODY_KEY)
        if buffered is None:
            return BodyReader(lambda n: b"", 0, limit)
        return BodyReader(buffered.read, None, limit)


IO = ASGIIO()


def _encode_headers(pairs: list[tuple[str, str]]) -> list[tuple[bytes, bytes]]:
    out = []
    for pair in pairs:
        encoded = _ENCODED.get(pair)
        if encoded is None:
            encoded = (pair[0].encode("latin-1"), pair[1].encode("latin-1"))
            if pair[0] in _CONSTANT_HEADERS and len(_ENCODED) < 512:
                _ENCODED[pair] = encoded
        out.append(encoded)
    return out


# Headers whose values repeat from response to response: their bytes are computed once.
_CONSTANT_HEADERS = frozenset({
    "content-type", "x-content-type-options", "x-frame-options", "referrer-policy",
    "content-security-policy", "strict-transport-security", "cache-control", "allow", "vary",
    "accept-ranges",
})
_ENCODED: dict[tuple[str, str], tuple[bytes, bytes]] = {}


def _path(scope: Any) -> str:
    raw = scope.get("raw_path")
    if raw:
        path = raw.decode("latin-1")
        if "?" in path:
            path = path.partition("?")[0]
        if path[:1] != "/":  # absolute-form target "http://host/path" (h11 passes it through)
            rest = path.partition("://")[2]
            path = "/" + rest.partition("/")[2] if rest else "/"
        return path
    return quote(scope["path"].encode("utf-8"), safe=_SAFE_PATH)


class _Buffer:
    """The request body read ahead of dispatch: bytes in memory, or a spooled file."""

    __slots__ = ("_file", "_data", "_pos")

    def __init__(self, chunks: list[bytes] | None, file: Any = None) -> None:
        self._data = b"".join(chunks) if chunks is not None else b""
        self._file = file
        self._pos = 0

    def read(self, n: int = -1) -> bytes:
        if self._file is not None:
            return self._file.read(n)
        end = len(self._data) if n < 0 else self._pos + n
        chunk = self._data[self._pos:end]
        self._pos += len(chunk)
        return chunk

    def close(self) -> None:
        """Free the body now (a spooled file's disk space), not when the collector runs."""
        file = self._file
        if file is not None:
            self._file = None
            file.close()
        self._data = b""


async def _read_body(receive: Any, limit: int) -> _Buffer:
    chunks: list[bytes] = []
    size = 0
    spool = None
    more = True
    try:
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise BadRequest(message="the client disconnected before sending the whole body")
            chunk = message.get("body", b"")
            more = message.get("more_body", False)
            size += len(chunk)
            if size > limit:
                raise PayloadTooLarge(message=f"request body over the limit of {limit} bytes")
            if spool is not None:
                spool.write(chunk)
            else:
                chunks.append(chunk)
                if size > _SPOOL:
                    spool = tempfile.SpooledTemporaryFile(max_size=_SPOOL)
                    for c in chunks:
                        spool.write(c)
                    chunks = []
    except BaseException:
        if spool is not None:
            spool.close()
        raise
    if spool is not None:
        spool.seek(0)
        return _Buffer(None, spool)
    return _Buffer(chunks)


def _headers_error(scope: Any, limits: Any) -> RequestHeaderFieldsTooLarge:
    """The 431 for a request whose header fields are over the count or size limit."""
    if len(scope["headers"]) > limits.max_header_count:
        return RequestHeaderFieldsTooLarge(
            message=f"more than {limits.max_header_count} request header fields")
    return RequestHeaderFieldsTooLarge(
        message=f"request header values over {limits.max_header_size} bytes in all")


class ASGIAdapter:
    """``app.asgi``: an ASGI 3 application around one App."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        # HTTP is handled right here (one coroutine less per request); the rest is delegated.
        kind = scope["type"]
        if kind != "http":
            if kind == "websocket":
                await self.websocket(scope, receive, send)
            elif kind == "lifespan":
                await self.lifespan(scope, receive, send)
            return
        app = self.app
        if "async" not in app._prepared:
            await app.startup()
        method = scope["method"]
        qs = scope["query_string"]
        request = Request(app, IO, scope, method, _path(scope), qs.decode("latin-1") if qs else "")
        response = None
        close = False
        stream: Any = None
        limits = app.settings.limits
        headers = scope["headers"]
        # Uvicorn bounds neither the number nor the size of header fields: both are checked
        # here, in the one pass that also finds out whether a body follows.
        has_body = False
        too_large = len(headers) > limits.max_header_count
        if not too_large:
            size = 0
            for name, value in headers:
                size += len(value)
                if name == b"content-length":
                    has_body = value != b"0"
                elif name == b"transfer-encoding":
                    has_body = True
            too_large = size > limits.max_header_size
        try:
            if too_large:
                response = app.early_error(request, _headers_error(scope, limits))
                close = True
            elif has_body:
                limit = limits.max_body_size
                try:
                    declared = IO.content_length(scope)
                    if declared is not None and declared > limit:
                        raise PayloadTooLarge(message=f"request body over the limit of {limit} bytes")
                    scope[_BODY_KEY] = await _read_body(receive, limit)
                except HTTPError as exc:
                    response = app.early_error(request, exc)
                    close = True
            if response is None:
                response = await app.handle_async(request)
            body = response.body
            if type(body) is not bytes:
                stream = body
            headers = _encode_headers(response.header_list())
            if close:
                headers.append((b"connection", b"close"))
            await send({"type": "http.response.start", "status": response.status, "headers": headers})
            if stream is None:
                await send({"type": "http.response.body", "body": b"" if method == "HEAD" else body})
                return
            if method == "HEAD":
                await send({"type": "http.response.body", "body": b""})
                return
            if hasattr(stream, "__aiter__"):
                async for chunk in stream:
                    await send({"type": "http.response.body", "body": chunk, "more_body": True})
            else:
                for chunk in stream:
                    await send({"type": "http.response.body", "body": chunk, "more_body": True})
            await send({"type": "http.response.body", "body": b""})
        finally:
            # What the request held is released now, whatever happened above (an error,
            # HEAD, a client gone mid-stream): the response's file, uploads, the spooled
            # body; not whenever the garbage collector runs.
            if stream is not None and hasattr(stream, "close"):
                stream.close()
            if has_body:
                if request._files:
                    request.close()
                buffered = scope.pop(_BODY_KEY, None)
                if buffered is not None:
                    buffered.close()

    async def http(self, scope: Any, receive: Any, send: Any) -> None:
        await self(scope, receive, send)

    async def websocket(self, scope: Any, receive: Any, send: Any) -> None:
        app = self.app
        if "async" not in app._prepared:
            await app.startup()
        request = Request(app, IO, scope, "GET", _path(scope), scope["query_string"].decode("latin-1"))
        transport = _Transport(receive, send)
        found = None
        try:
            headers = scope["headers"]
            limits = app.settings.limits
            if (len(headers) <= limits.max_header_count
                    and sum(len(value) for _, value in headers) <= limits.max_header_size
                    and _origin_allowed(request, app)):
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
        try:
            await route.websocket(ws, **params)
        except WebSocketDisconnect:
            pass
        except Exception:
            log.exception("unhandled exception in WebSocket %s", request.raw_path)
            if ws.accepted and not ws.closed:
                await ws.close(1011, "internal error")
            elif not ws.accepted:
                await transport.reject()
            return
        if not ws.accepted:
            if not ws.closed:  # a handler that closed before accepting has refused already
                await transport.reject()
        elif not ws.closed and not transport.disconnected:
            await ws.close(1000)

    async def lifespan(self, scope: Any, receive: Any, send: Any) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                try:
                    await self.app.startup()
                except Exception as exc:
                    await send({"type": "lifespan.startup.failed", "message": str(exc)})
                    return
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.app.shutdown()
                await send({"type": "lifespan.shutdown.complete"})
                return


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
            if request._session is not None:
                request._session.get("")  # read the cookie (or Redis) now
            request.user  # noqa: B018 - resolves the lazy user
        finally:
            for close in closers:  # hand the thread's connection back, as after a request
                close(request, None)
    await app.threads.run(load)


def _origin_allowed(request: Request, app: Any) -> bool:
    """A browser's WebSocket from another site is refused (cross-site WebSocket hijacking)."""
    origin = request.headers.get("origin")
    if not origin:
        return True  # not a browser: no ambient credentials to abuse
    origin_host = origin.partition("://")[2].rstrip("/")
    if origin_host == request.host:
        return True
    allowed = app.settings.app.allowed_hosts
    bare = origin_host.rsplit(":", 1)[0] if not origin_host.endswith("]") else origin_host
    return origin_host in allowed or bare in allowed


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
