"""TestClient: drive an App in-process over WSGI or ASGI, WebSockets included.

    client = TestClient(app)                    # WSGI
    client = TestClient(app, protocol="asgi")   # ASGI, on a background event loop
    r = client.post("/login", data={"user": "a"}); r.status_code, r.text, r.json()
    client.login(user)                          # signed in, without the login form
    client.post("/posts", data={...})           # forms carry the session's CSRF token;
    client.post("/posts", data={...}, csrf=False)   # sends none (TestClient(app, csrf=False): never)
    with client.websocket_connect("/chat/lobby") as ws: ws.send_json({"text": "hi"}); ws.receive_json()
"""
from __future__ import annotations

import asyncio
import io
import json as _json
import queue
import sys
import threading
import uuid
from http.cookies import SimpleCookie
from typing import Any, Mapping
from urllib.parse import quote, unquote, urlencode, urlsplit

from .http.datastructures import Headers
from .logwriter import flush_all

__all__ = ["TestClient", "TestResponse", "WebSocketSession", "WebSocketRejected"]


class TestResponse:
    """What the app answered: ``status_code``, ``headers``, ``content``, ``text``, ``json()``."""

    __test__ = False  # not a pytest test class

    def __init__(self, status: int, headers: list[tuple[str, str]], content: bytes, url: str) -> None:
        self.status_code = status
        self.headers = Headers(headers)
        self.content = content
        self.url = url

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", errors="replace")

    def json(self) -> Any:
        return _json.loads(self.content)

    def __repr__(self) -> str:
        return f"<TestResponse {self.status_code} {self.url}>"


class WebSocketRejected(Exception):
    """The app closed the WebSocket before accepting it."""

    def __init__(self, code: int) -> None:
        super().__init__(f"WebSocket rejected with close code {code}")
        self.code = code


class TestClient:
    """An in-process HTTP client for an App (WSGI by default, or ASGI)."""

    __test__ = False

    def __init__(self, app: Any, protocol: str = "wsgi", base_url: str = "http://testserver",
                 headers: Mapping[str, str] | None = None, client_addr: tuple[str, int] = ("127.0.0.1", 50000),
                 csrf: bool = True) -> None:
        if protocol not in ("wsgi", "asgi"):
            raise ValueError("protocol must be 'wsgi' or 'asgi'")
        self.app = app
        self.protocol = protocol
        parts = urlsplit(base_url)
        self.scheme = parts.scheme or "http"
        self.host = parts.netloc or "testserver"
        self.default_headers = dict(headers or {})
        self.cookies: dict[str, str] = {}
        self.client_addr = client_addr
        #: add the session's CSRF token to unsafe requests (``csrf=False`` on one request or client opts out)
        self.csrf = csrf
        from .testsession import ClientSession
        self.session = ClientSession(app, self.cookies)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._lifespan: Any = None

    # -- HTTP ------------------------------------------------------------------
    def request(self, method: str, url: str, *, params: Mapping[str, Any] | None = None,
                data: Any = None, json: Any = None, files: Mapping[str, Any] | None = None,
                headers: Mapping[str, str] | None = None, content: bytes | None = None,
                follow_redirects: bool = False, csrf: bool | None = None) -> TestResponse:
        method = method.upper()
        for _ in range(10):
            if (method not in ("GET", "HEAD", "OPTIONS", "TRACE") and (self.csrf if csrf is None else csrf)
                    and content is None and not isinstance(data, (str, bytes))):
                data, headers = self._with_csrf(data, files, headers)
            response = self._request_once(method, url, params, data, json, files, headers, content)
            flush_all()  # the log file has the request's lines (written by a thread) when the test reads it
            if not follow_redirects or response.status_code not in (301, 302, 303, 307, 308):
                return response
            url = response.headers["location"]
            params = None
            if response.status_code == 303 or (response.status_code in (301, 302) and method == "POST"):
                method, data, json, files, content = "GET", None, None, None, None
        raise RuntimeError("too many redirects")

    def _with_csrf(self, data: Any, files: Any, headers: Any) -> tuple[Any, Any]:
        """``data`` and ``headers`` carrying the session's token (a form field in a form post,
        the ``X-CSRF-Token`` header otherwise), unless they carry one already. A raw body
        (``content=``, or ``data`` as text or bytes) is sent as it is."""
        sent = {k.lower() for k in (headers or {})}
        if "x-csrf-token" in sent or (isinstance(data, Mapping) and "csrf_token" in data):
            return data, headers
        token = self.session.csrf_token()
        if token is None:
            return data, headers
        if isinstance(data, Mapping) or (files and data is None):
            return {**(data or {}), "csrf_token": token}, headers
        return data, {**(headers or {}), "X-CSRF-Token": token}

    def login(self, user: Any) -> None:
        """Sign ``user`` in for the next requests (as ``wolfpy.auth.login`` would), no form needed."""
        self.session.login(user)

    def logout(self) -> None:
        """Forget the session: the next requests are anonymous."""
        self.session.logout()

    def get(self, url: str, **kw: Any) -> TestResponse:
        return self.request("GET", url, **kw)

    def head(self, url: str, **kw: Any) -> TestResponse:
        return self.request("HEAD", url, **kw)

    def options(self, url: str, **kw: Any) -> TestResponse:
        return self.request("OPTIONS", url, **kw)

    def post(self, url: str, **kw: Any) -> TestResponse:
        return self.request("POST", url, **kw)

    def put(self, url: str, **kw: Any) -> TestResponse:
        return self.request("PUT", url, **kw)

    def patch(self, url: str, **kw: Any) -> TestResponse:
        return self.request("PATCH", url, **kw)

    def delete(self, url: str, **kw: Any) -> TestResponse:
        return self.request("DELETE", url, **kw)

    def _request_once(self, method: str, url: str, params: Any, data: Any, json_body: Any,
                      files: Any, headers: Any, content: bytes | None) -> TestResponse:
        if url.startswith("/"):  # a path: "//x" is a path here, not a host
            raw_path, _, query = url.partition("?")
        else:
            parts = urlsplit(url)
            raw_path, query = parts.path or "/", parts.query
        if any(ord(c) > 127 or c == " " for c in raw_path):
            raw_path = quote(raw_path, safe="/%:@!$&'()*+,;=-._~")
        if params:
            extra = urlencode(params, doseq=True)
            query = f"{query}&{extra}" if query else extra
        hdrs: dict[str, str] = {"host": self.host, "user-agent": "wolfpy-testclient"}
        hdrs.update({k.lower(): v for k, v in self.default_headers.items()})
        body = b""
        if content is not None:
            body = content
        elif json_body is not None:
            body = _json.dumps(json_body).encode()
            hdrs["content-type"] = "application/json"
        elif files:
            body, ctype = encode_multipart(data or {}, files)
            hdrs["content-type"] = ctype
        elif isinstance(data, Mapping):
            body = urlencode(data, doseq=True).encode()
            hdrs["content-type"] = "application/x-www-form-urlencoded"
        elif isinstance(data, str):
            body = data.encode()
        elif isinstance(data, bytes):
            body = data
        if body or method in ("POST", "PUT", "PATCH"):
            hdrs["content-length"] = str(len(body))
        if self.cookies:
            hdrs["cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        hdrs.update({k.lower(): v for k, v in (headers or {}).items()})
        if self.protocol == "wsgi":
            status, out_headers, out_body = self._call_wsgi(method, raw_path, query, hdrs, body)
        else:
            status, out_headers, out_body = self._call_asgi(method, raw_path, query, hdrs, body)
        self._store_cookies(out_headers)
        full = f"{self.scheme}://{self.host}{raw_path}" + (f"?{query}" if query else "")
        return TestResponse(status, out_headers, out_body, full)

    def _store_cookies(self, headers: list[tuple[str, str]]) -> None:
        for name, value in headers:
            if name.lower() != "set-cookie":
                continue
            jar: SimpleCookie = SimpleCookie()
            jar.load(value)
            for key, morsel in jar.items():
                max_age = morsel["max-age"]
                if morsel.value == "" or (max_age and int(max_age) <= 0):
                    self.cookies.pop(key, None)
                else:
                    self.cookies[key] = morsel.value

    # -- WSGI ------------------------------------------------------------------
    def _call_wsgi(self, method: str, raw_path: str, query: str, headers: dict[str, str],
                   body: bytes) -> tuple[int, list[tuple[str, str]], bytes]:
        environ: dict[str, Any] = {
            "REQUEST_METHOD": method,
            "SCRIPT_NAME": "",
            "PATH_INFO": unquote(raw_path, encoding="latin-1"),
            "RAW_URI": raw_path + (f"?{query}" if query else ""),
            "QUERY_STRING": query,
            "SERVER_NAME": self.host.split(":")[0],
            "SERVER_PORT": self.host.split(":")[1] if ":" in self.host else ("443" if self.scheme == "https" else "80"),
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": self.client_addr[0],
            "REMOTE_PORT": str(self.client_addr[1]),
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": self.scheme,
            "wsgi.input": io.BytesIO(body),
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": True,
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
        }
        for key, value in headers.items():
            if key == "content-type":
                environ["CONTENT_TYPE"] = value
            elif key == "content-length":
                environ["CONTENT_LENGTH"] = value
            else:
                environ["HTTP_" + key.upper().replace("-", "_")] = value
        captured: dict[str, Any] = {}

        def start_response(status: str, response_headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            captured["status"] = int(status.split(" ", 1)[0])
            captured["headers"] = list(response_headers)
            return lambda data: None

        result = self.app(environ, start_response)
        try:
            out = b"".join(result)
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()
        return captured["status"], captured["headers"], out

    # -- ASGI ------------------------------------------------------------------
    def _portal(self) -> asyncio.AbstractEventLoop:
        if self._loop is None:
            loop = asyncio.new_event_loop()
            ready = threading.Event()

            def run() -> None:
                asyncio.set_event_loop(loop)
                loop.call_soon(ready.set)
                loop.run_forever()

            self._thread = threading.Thread(target=run, name="wolfpy-testclient", daemon=True)
            self._thread.start()
            ready.wait()
            self._loop = loop
            self._run(self._start_lifespan())
        return self._loop

    def _run(self, coro: Any, timeout: float = 60) -> Any:
        loop = self._loop if self._loop is not None else self._portal()
        return asyncio.run_coroutine_threadsafe(coro, loop).result(timeout)

    async def _start_lifespan(self) -> None:
        inbox: asyncio.Queue = asyncio.Queue()
        outbox: asyncio.Queue = asyncio.Queue()
        task = asyncio.ensure_future(self.app.asgi({"type": "lifespan", "asgi": {"version": "3.0"}},
                                                   inbox.get, outbox.put))
        await inbox.put({"type": "lifespan.startup"})
        message = await outbox.get()
        if message["type"] == "lifespan.startup.failed":
            raise RuntimeError(f"lifespan startup failed: {message.get('message')}")
        self._lifespan = (task, inbox, outbox)

    async def _stop_lifespan(self) -> None:
        if self._lifespan is None:
            return
        task, inbox, outbox = self._lifespan
        await inbox.put({"type": "lifespan.shutdown"})
        await outbox.get()
        await task
        self._lifespan = None

    def _scope(self, kind: str, raw_path: str, query: str, headers: dict[str, str]) -> dict[str, Any]:
        return {
            "type": kind,
            "asgi": {"version": "3.0", "spec_version": "2.3"},
            "http_version": "1.1",
            "method": "GET",
            "scheme": ("wss" if self.scheme == "https" else "ws") if kind == "websocket" else self.scheme,
            "path": unquote(raw_path),
            "raw_path": raw_path.encode("latin-1"),
            "query_string": query.encode("latin-1"),
            "root_path": "",
            "headers": [(k.encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()],
            "client": self.client_addr,
            "server": (self.host.split(":")[0], 80),
        }

    def _call_asgi(self, method: str, raw_path: str, query: str, headers: dict[str, str],
                   body: bytes) -> tuple[int, list[tuple[str, str]], bytes]:
        scope = self._scope("http", raw_path, query, headers)
        scope["method"] = method

        async def call() -> tuple[int, list[tuple[str, str]], bytes]:
            sent = False
            result: dict[str, Any] = {"body": []}

            async def receive() -> dict[str, Any]:
                nonlocal sent
                if not sent:
                    sent = True
                    return {"type": "http.request", "body": body, "more_body": False}
                await asyncio.sleep(3600)  # pragma: no cover - a well-behaved app never gets here
                return {"type": "http.disconnect"}

            async def send(message: dict[str, Any]) -> None:
                if message["type"] == "http.response.start":
                    result["status"] = message["status"]
                    result["headers"] = [(k.decode("latin-1"), v.decode("latin-1"))
                                         for k, v in message.get("headers", [])]
                elif message["type"] == "http.response.body":
                    result["body"].append(message.get("body", b""))

            await self.app.asgi(scope, receive, send)
            return result["status"], result["headers"], b"".join(result["body"])

        self._portal()
        return self._run(call())

    # -- WebSocket ---------------------------------------------------------------
    def websocket_connect(self, url: str, headers: Mapping[str, str] | None = None,
                          subprotocols: list[str] | None = None) -> "WebSocketSession":
        """Open a WebSocket to ``url`` (always through ``app.asgi``)."""
        parts = urlsplit(url)
        hdrs = {"host": self.host, "connection": "upgrade", "upgrade": "websocket",
                "sec-websocket-version": "13", "sec-websocket-key": uuid.uuid4().hex[:22] + "=="}
        if self.cookies:
            hdrs["cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        hdrs.update({k.lower(): v for k, v in (headers or {}).items()})
        scope = self._scope("websocket", parts.path or "/", parts.query, hdrs)
        scope["subprotocols"] = list(subprotocols or [])
        if self._loop is None:
            self._portal()
        return WebSocketSession(self, scope)

    # -- lifecycle ---------------------------------------------------------------
    def close(self) -> None:
        loop = self._loop
        if loop is None:
            return
        try:
            self._run(self._stop_lifespan(), timeout=10)
        finally:
            loop.call_soon_threadsafe(loop.stop)
            if self._thread is not None:
                self._thread.join(5)
            loop.close()
            self._loop = None
            self._thread = None

    def __enter__(self) -> "TestClient":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


class WebSocketSession:
    """The client end of a WebSocket opened by :meth:`TestClient.websocket_connect`."""

    def __init__(self, client: TestClient, scope: dict[str, Any]) -> None:
        self._client = client
        self._scope = scope
        self._to_app: asyncio.Queue | None = None
        self._from_app: queue.Queue = queue.Queue()
        self._task: Any = None
        self.accepted_subprotocol: str | None = None
        self.close_code: int | None = None

    def __enter__(self) -> "WebSocketSession":
        client = self._client

        async def start() -> None:
            self._to_app = asyncio.Queue()
            await self._to_app.put({"type": "websocket.connect"})

            async def send(message: dict[str, Any]) -> None:
                self._from_app.put(message)

            async def run() -> None:
                try:
                    await client.app.asgi(self._scope, self._to_app.get, send)  # type: ignore[union-attr]
                finally:
                    self._from_app.put({"type": "_done"})
            self._task = asyncio.ensure_future(run())

        client._run(start())
        message = self._from_app.get(timeout=30)
        if message["type"] == "websocket.close":
            self.close_code = message.get("code", 1000)
            self._wait_done()
            raise WebSocketRejected(self.close_code)
        if message["type"] != "websocket.accept":
            self._wait_done()
            raise WebSocketRejected(1006)
        self.accepted_subprotocol = message.get("subprotocol")
        return self

    def _wait_done(self) -> None:
        if self._task is not None:
            async def wait(task: Any = self._task) -> None:
                await task
            self._client._run(wait())
            self._task = None

    def _put(self, message: dict[str, Any]) -> None:
        async def put() -> None:
            await self._to_app.put(message)  # type: ignore[union-attr]
        self._client._run(put())

    def send_text(self, data: str) -> None:
        self._put({"type": "websocket.receive", "text": data})

    def send_bytes(self, data: bytes) -> None:
        self._put({"type": "websocket.receive", "bytes": data})

    def send_json(self, data: Any) -> None:
        self.send_text(_json.dumps(data))

    def receive(self, timeout: float = 10) -> dict[str, Any]:
        message = self._from_app.get(timeout=timeout)
        if message["type"] in ("websocket.close", "_done"):
            self.close_code = message.get("code", 1000) if message["type"] == "websocket.close" else (
                self.close_code or 1006)
        return message

    def receive_text(self, timeout: float = 10) -> str:
        message = self.receive(timeout)
        if message["type"] != "websocket.send":
            raise WebSocketRejected(self.close_code or 1006)
        text = message.get("text")
        return text if text is not None else message["bytes"].decode()

    def receive_bytes(self, timeout: float = 10) -> bytes:
        message = self.receive(timeout)
        if message["type"] != "websocket.send":
            raise WebSocketRejected(self.close_code or 1006)
        data = message.get("bytes")
        return data if data is not None else message["text"].encode()

    def receive_json(self, timeout: float = 10) -> Any:
        return _json.loads(self.receive_text(timeout))

    def close(self, code: int = 1000) -> None:
        if self._task is None:
            return
        self._put({"type": "websocket.disconnect", "code": code})
        self._wait_done()

    def __exit__(self, *exc: Any) -> None:
        self.close()


def encode_multipart(data: Mapping[str, Any], files: Mapping[str, Any]) -> tuple[bytes, str]:
    """A multipart/form-data body from fields and files.

    A file is ``bytes``, a file object, ``(filename, content)`` or
    ``(filename, content, content_type)``.
    """
    boundary = uuid.uuid4().hex
    out = io.BytesIO()
    for name, value in data.items():
        values = value if isinstance(value, (list, tuple)) else [value]
        for v in values:
            out.write(f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n".encode())
            out.write(str(v).encode() + b"\r\n")
    for name, spec in files.items():
        if isinstance(spec, tuple):
            filename, content, *rest = spec
            ctype = rest[0] if rest else "application/octet-stream"
        else:
            filename, content, ctype = getattr(spec, "name", name), spec, "application/octet-stream"
        if hasattr(content, "read"):
            content = content.read()
        if isinstance(content, str):
            content = content.encode()
        out.write(f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; "
                  f"filename=\"{filename}\"\r\nContent-Type: {ctype}\r\n\r\n".encode())
        out.write(content + b"\r\n")
    out.write(f"--{boundary}--\r\n".encode())
    return out.getvalue(), f"multipart/form-data; boundary={boundary}"
