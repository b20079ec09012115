"""ASGI 3 adapter: http, websocket and lifespan scopes → the App (WebSockets: :mod:`.asgi_websocket`)."""
from __future__ import annotations

from typing import Any

from ..errors import BadRequest, HTTPError, RequestHeaderFieldsTooLarge
from ..http.body import SPOOL, BodyBuffer, BodyReader, body_too_large, spool
from ..http.datastructures import LookupHeaders, join_repeated
from ..http.request import Request, RequestConfig
from .asgi_websocket import serve_websocket
from .common import (CONNECTION_CLOSE, content_length, discard_body, early_body_error, quote_path,
                     request_config, target_path)

_BODY_KEY = "wolfpy.body"


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


# Header names as the scope spells them, per name asked for: a bounded memo of a pure
# function, so it is shared by every app of the process.
_NAMES: dict[str, bytes] = {}


class ASGIIO:
    """How a Request reads what it needs out of an ASGI scope, on demand."""

    headers = ScopeHeaders

    @staticmethod
    def client(scope: Any) -> tuple[str, int] | None:
        client = scope.get("client")
        return (client[0], client[1]) if client else None

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
        value = _first(scope["headers"], b"content-length")
        return None if value is None else content_length(value)

    @staticmethod
    def body(scope: Any, limit: int) -> BodyReader:
        buffered = scope.get(_BODY_KEY)
        if buffered is None:
            return BodyReader.empty(limit)
        if type(buffered) is bytes:
            buffered = scope[_BODY_KEY] = BodyBuffer([buffered])
        return BodyReader(buffered.read, None, limit)

    @staticmethod
    def read_body(scope: Any, limit: int, content_type: str | None = None) -> bytes | None:
        """The body as it came in one message (see :class:`ASGIAdapter`), when it is not
        encoded and its Content-Type is ``content_type`` exactly when one is given (one
        pass over the headers for both); None for :meth:`body`'s reader to read it."""
        buffered = scope.get(_BODY_KEY)
        if type(buffered) is not bytes:
            return None
        found = None
        for name, value in scope["headers"]:
            if name == b"content-type":
                if found is not None:
                    return None  # two: the general path joins them
                found = value
            elif name == b"content-encoding":
                return None
        if content_type is not None and (found is None or found.decode("latin-1") != content_type):
            return None
        return buffered  # type: ignore[no-any-return]


def _first(headers: list[tuple[bytes, bytes]], name: bytes) -> bytes | None:
    for k, v in headers:
        if k == name:
            return v
    return None


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


# Headers whose values repeat from response to response: their bytes are computed once
# (a bounded memo of a pure function, shared by every app of the process).
_CONSTANT_HEADERS = frozenset({
    "content-type", "x-content-type-options", "x-frame-options", "referrer-policy",
    "content-security-policy", "strict-transport-security", "cache-control", "allow", "vary",
    "accept-ranges",
})
_ENCODED: dict[tuple[str, str], tuple[bytes, bytes]] = {}


def _path(scope: Any) -> str:
    raw = scope.get("raw_path")
    if raw:
        return target_path(raw.decode("latin-1"))  # h11 passes absolute-form targets through
    return quote_path(scope["path"].encode("utf-8"))


async def _read_body(receive: Any, limit: int, message: Any) -> BodyBuffer:
    """The rest of a request body whose first message is ``message``, received whole before
    dispatch: 413 as soon as it passes ``limit``, moved to a spooled file once it passes
    :data:`~wolfpy.http.body.SPOOL` bytes. (A short body in one message never comes here:
    :class:`ASGIAdapter` keeps its bytes as they are.)"""
    chunks: list[bytes] = []
    size = 0
    file = None
    more = True
    try:
        while more:
            if message is None:
                message = await receive()
            if message["type"] == "http.disconnect":
                raise BadRequest(message="the client disconnected before sending the whole body")
            chunk = message.get("body", b"")
            more = message.get("more_body", False)
            message = None
            size += len(chunk)
            if size > limit:
                raise body_too_large(limit)
            if file is not None:
                file.write(chunk)
            else:
                chunks.append(chunk)
                if size > SPOOL:
                    file = spool(chunks)
                    chunks = []
    except BaseException:
        if file is not None:
            file.close()
        raise
    if file is not None:
        file.seek(0)
        return BodyBuffer(None, file)
    return BodyBuffer(chunks)


def _headers_error(scope: Any, limits: Any) -> RequestHeaderFieldsTooLarge:
    """The 431 for a request whose header fields are over the count or size limit."""
    if len(scope["headers"]) > limits.max_header_count:
        return RequestHeaderFieldsTooLarge(
            message=f"more than {limits.max_header_count} request header fields")
    if sum(len(value) for _, value in scope["headers"]) > limits.max_header_size:
        return RequestHeaderFieldsTooLarge(
            message=f"request header values over {limits.max_header_size} bytes in all")
    return RequestHeaderFieldsTooLarge(message=f"a request header value over {limits.max_header_value} bytes")


class ASGIAdapter:
    """``app.asgi``: an ASGI 3 application around one App."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self._config: RequestConfig | None = None  # set once the app has started

    async def _start(self) -> RequestConfig:
        """Start the app on the first request or WebSocket (a server may send no lifespan
        events; when it did, this returns at once) and keep its request config."""
        await self.app.startup()
        config = self._config = request_config(self.app)
        return config

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
        config = self._config
        if config is None:
            config = await self._start()
        method = scope["method"]
        qs = scope["query_string"]
        raw = scope.get("raw_path")
        request = Request(app, config, IO, scope, method,
                          target_path(raw.decode("latin-1")) if raw else _path(scope),
                          qs.decode("latin-1") if qs else "", scope.get("scheme") or "http")
        response = None
        close = False
        stream: Any = None
        limits = config.limits
        headers = scope["headers"]
        # Uvicorn bounds neither the number nor the size of header fields: both are checked
        # here, in the one pass that also finds out whether a body follows.
        has_body = False
        length = None   # the first Content-Length
        too_large = len(headers) > limits.max_header_count
        if not too_large:
            size = 0
            for name, value in headers:
                size += len(value)
                if name == b"content-length":
                    has_body = value != b"0"
                    if length is None:
                        length = value
                elif name == b"transfer-encoding":
                    has_body = True
            too_large = size > limits.max_header_size
            if not too_large and size > limits.max_header_value:  # only then can one field be too long
                too_large = any(len(value) > limits.max_header_value for _, value in headers)
        try:
            if too_large:
                response = app.early_error(request, _headers_error(scope, limits))
                close = True
            elif has_body:
                limit = limits.max_body_size
                error = early_body_error(length, limit)
                if error is None:
                    message = await receive()
                    data = message.get("body", b"")
                    if (message["type"] == "http.request" and not message.get("more_body", False)
                            and type(data) is bytes and len(data) <= SPOOL and len(data) <= limit):
                        scope[_BODY_KEY] = data  # nearly every body: one message, kept as it is
                    else:
                        try:
                            scope[_BODY_KEY] = await _read_body(receive, limit, message)
                        except HTTPError as exc:
                            error = exc
                if error is not None:
                    response = app.early_error(request, error)
                    close = True
            if response is None:
                response = await app.handle_async(request)
            body = response.body
            if type(body) is not bytes:
                stream = body
            pairs = response.header_list()
            if close:
                pairs.append(CONNECTION_CLOSE)
            await send({"type": "http.response.start", "status": response.status,
                        "headers": _encode_headers(pairs)})
            if method == "HEAD":
                await send({"type": "http.response.body", "body": discard_body(body)})
                stream = None  # closed by discard_body
                return
            if stream is None:
                await send({"type": "http.response.body", "body": body})
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
                request.close()
                buffered = scope.pop(_BODY_KEY, None)
                if buffered is not None and type(buffered) is not bytes:
                    buffered.close()

    async def http(self, scope: Any, receive: Any, send: Any) -> None:
        await self(scope, receive, send)

    async def websocket(self, scope: Any, receive: Any, send: Any) -> None:
        config = self._config
        if config is None:
            config = await self._start()
        request = Request(self.app, config, IO, scope, "GET", _path(scope), scope["query_string"].decode("latin-1"),
                          scope.get("scheme") or "ws")
        await serve_websocket(self.app, request, scope["headers"], receive, send)

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
