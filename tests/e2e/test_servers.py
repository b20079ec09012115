"""End to end: one project served by REAL gunicorn (WSGI) and uvicorn (ASGI) processes.

docs/routing.md, requests-and-responses.md, websockets.md and deployment.md. Both servers are started once for this module
(in parallel), on free loopback ports, from a project folder written to a temp
directory, and spoken to with raw HTTP (``http.client`` / ``socket``) and the
``websockets`` sync client. Each behaviour is asserted against both servers, and
the raw-path behaviour is also compared between them.
"""
from __future__ import annotations

import hashlib
import http.client
import json
import socket
from pathlib import Path
from typing import Any, NamedTuple

import pytest

from .conftest import HOST, Server, server_env, write_project

pytestmark = pytest.mark.e2e

import websockets.exceptions as ws_exceptions  # noqa: E402  (dev extra: fail, never skip)
import websockets.sync.client as websockets_sync  # noqa: E402

MAX_BODY = 4096

TOML = f"""\
[app]
name = "e2e"
max_body_size = {MAX_BODY}
"""

ROUTES = {
    "routes/index.py": """\
        def get(request):
            return "home"
    """,
    "routes/about.py": """\
        def get(request):
            return "about"
    """,
    "routes/posts/[id].py": """\
        def get(request, id: int):
            return {"id": id, "type": type(id).__name__}
    """,
    "routes/files/[...path].py": """\
        def get(request, path: list[str]):
            return {"path": path}
    """,
    "routes/wiki/[[...page]].py": """\
        def get(request, page: str):
            return {"page": page}
    """,
    "routes/(marketing)/pricing.py": """\
        def get(request):
            return "pricing"
    """,
    "routes/_helpers.py": """\
        GREETING = "hello from a private helper"
    """,
    "routes/greet.py": """\
        from routes._helpers import GREETING

        def get(request):
            return GREETING
    """,
    "routes/echo/[x].py": """\
        def get(request, x):
            return {"x": x}
    """,
    "routes/upload.py": """\
        import hashlib

        def post(request):
            f = request.files["f"]
            data = f.read()
            return {"filename": f.filename, "content_type": f.content_type, "size": f.size,
                    "read": len(data), "sha256": hashlib.sha256(data).hexdigest(),
                    "title": request.form["title"]}
    """,
    "routes/form.py": """\
        def post(request):
            return {"a": request.form.getlist("a"), "b": request.form.get("b"),
                    "missing": request.form.get("zzz", "default")}
    """,
    "routes/json_echo.py": """\
        def post(request):
            return {"got": request.json}
    """,
    "routes/body_size.py": """\
        def post(request):
            return {"size": len(request.body)}
    """,
    "routes/async_handler.py": """\
        import asyncio
        import threading

        async def get(request):
            await asyncio.sleep(0)
            return {"kind": "async", "thread": threading.current_thread().name,
                    "query": request.query.get("q")}
    """,
    "routes/sync_handler.py": """\
        import asyncio
        import threading

        def get(request):
            try:
                asyncio.get_running_loop()
                in_loop = True
            except RuntimeError:
                in_loop = False
            return {"kind": "sync", "thread": threading.current_thread().name,
                    "in_loop": in_loop, "query": request.query.get("q")}
    """,
    "routes/ws/echo.py": """\
        async def websocket(ws):
            await ws.accept()
            async for msg in ws.iter_json():
                await ws.send_json({"echo": msg})
    """,
    "routes/ws/[room].py": """\
        async def websocket(ws, room: str):
            await ws.accept()
            await ws.send_json({"room": room, "type": type(room).__name__})
            async for msg in ws.iter_json():
                await ws.send_json({"room": room, "echo": msg})
    """,
}

KINDS = ["gunicorn", "uvicorn"]


# -- fixtures -------------------------------------------------------------------------

@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_project(tmp_path_factory.mktemp("e2e") / "site", ROUTES, TOML)


# -- raw HTTP helpers ---------------------------------------------------------------

class Resp(NamedTuple):
    status: int
    headers: dict[str, str]     # lower-case names
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def fetch(server: Server, method: str, path: str, body: bytes | None = None,
          headers: dict[str, str] | None = None) -> Resp:
    """One request on a fresh connection; ``path`` goes on the wire exactly as given."""
    conn = http.client.HTTPConnection(HOST, server.port, timeout=10)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        try:
            data = resp.read()
            hdrs = {k.lower(): v for k, v in resp.getheaders()}
            return Resp(resp.status, hdrs, data)
        finally:
            resp.close()
    finally:
        conn.close()


def raw_exchange(server: Server, data: bytes, timeout: float = 5.0) -> bytes:
    """Send raw bytes and read until the server closes the connection."""
    with socket.create_connection((HOST, server.port), timeout=timeout) as sock:
        sock.sendall(data)
        chunks = []
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            chunks.append(chunk)
        return b"".join(chunks)


def parse_raw(data: bytes) -> Resp:
    head, sep, body = data.partition(b"\r\n\r\n")
    assert sep, f"no end of headers in {data[:300]!r}"
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return Resp(status, headers, body)


def multipart(boundary: str, fields: dict[str, str], files: dict[str, tuple[str, str, bytes]]) -> bytes:
    """A multipart/form-data body, built by hand."""
    out = bytearray()
    for name, value in fields.items():
        out += (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n"
                f"{value}\r\n").encode()
    for name, (filename, ctype, data) in files.items():
        out += (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; "
                f"filename=\"{filename}\"\r\nContent-Type: {ctype}\r\n\r\n").encode()
        out += data + b"\r\n"
    out += f"--{boundary}--\r\n".encode()
    return bytes(out)


# -- 1. the routing table -------------------------------------------------------------

@pytest.mark.parametrize("path, status, body", [
    ("/", 200, b"home"),
    ("/about", 200, b"about"),
    ("/pricing", 200, b"pricing"),                            # (marketing)/ adds no segment
    ("/greet", 200, b"hello from a private helper"),          # _helpers.py importable...
    ("/_helpers", 404, None),                                 # ...but not routed
    ("/(marketing)/pricing", 404, None),
    ("/files", 404, None),                                    # catch-all needs >= 1 segment
    ("/nope", 404, None),
])
def test_routing_table_pages(server, path, status, body):
    r = fetch(server, "GET", path)
    assert r.status == status, (path, r)
    if body is not None:
        assert r.body == body
        assert r.headers["content-type"] == "text/html; charset=utf-8"


@pytest.mark.parametrize("path, expected", [
    ("/posts/42", {"id": 42, "type": "int"}),
    ("/files/a/b%2Fc", {"path": ["a", "b/c"]}),
    ("/files/a", {"path": ["a"]}),
    ("/wiki", {"page": ""}),
    ("/wiki/x/y", {"page": "x/y"}),
])
def test_routing_table_json(server, path, expected):
    r = fetch(server, "GET", path)
    assert r.status == 200, r
    assert r.headers["content-type"].startswith("application/json")
    assert r.json() == expected


# -- 2. methods ---------------------------------------------------------------------

def test_undefined_method_is_405_with_allow(server):
    r = fetch(server, "DELETE", "/")
    assert r.status == 405
    allow = {m.strip() for m in r.headers["allow"].split(",")}
    assert {"GET", "HEAD", "OPTIONS"} <= allow
    assert "DELETE" not in allow and "POST" not in allow


def test_405_allow_lists_the_defined_methods(server):
    r = fetch(server, "GET", "/upload")
    assert r.status == 405
    allow = {m.strip() for m in r.headers["allow"].split(",")}
    assert "POST" in allow and "GET" not in allow


def test_head_sends_headers_without_a_body(server):
    # Raw socket: http.client would hide a body sent after a HEAD.
    raw = raw_exchange(server, f"HEAD / HTTP/1.1\r\nHost: {HOST}:{server.port}\r\n"
                               f"Connection: close\r\n\r\n".encode())
    r = parse_raw(raw)
    assert r.status == 200
    assert r.headers["content-type"] == "text/html; charset=utf-8"
    assert r.body == b""
    if "content-length" in r.headers:     # if announced, it is the GET body's length
        assert r.headers["content-length"] == "4"


def test_options_is_answered_automatically(server):
    r = fetch(server, "OPTIONS", "/about")
    assert r.status in (200, 204)
    allow = {m.strip() for m in r.headers["allow"].split(",")}
    assert {"GET", "HEAD", "OPTIONS"} <= allow


# -- 3. conversion -------------------------------------------------------------------

@pytest.mark.parametrize("bad", ["abc", "4.2", "%204"])
def test_bad_int_is_404(server, bad):
    assert fetch(server, "GET", f"/posts/{bad}").status == 404


# -- 4. trailing slash ---------------------------------------------------------------

@pytest.mark.parametrize("path, location", [
    ("/about/", "/about"),
    ("/about/?x=1", "/about?x=1"),
    ("/posts/42/", "/posts/42"),
])
def test_trailing_slash_redirects_308(server, path, location):
    r = fetch(server, "GET", path)
    assert r.status == 308
    assert r.headers["location"] == location


def test_trailing_slash_on_unknown_path_is_404(server):
    assert fetch(server, "GET", "/nope/").status == 404


@pytest.mark.parametrize("path, location", [
    ("/wiki/", "/wiki"),
    ("/wiki/x/", "/wiki/x"),
    ("/files/a/", "/files/a"),
])
def test_trailing_slash_under_catch_all_redirects_308(server, path, location):
    r = fetch(server, "GET", path)
    assert (r.status, r.headers.get("location")) == (308, location), r


def _absolute_form(server: Server) -> Resp:
    return parse_raw(raw_exchange(server, (
        f"GET {server.origin}/echo/a%2Fb?q=1 HTTP/1.1\r\n"
        f"Host: {HOST}:{server.port}\r\nConnection: close\r\n\r\n").encode()))


def test_absolute_form_request_target(server):
    # RFC 9112 3.2.2: a server MUST accept the absolute form; the path inside routes the same.
    r = _absolute_form(server)
    assert r.status == 200, r
    assert r.json() == {"x": "a/b"}


def test_absolute_form_request_target_uvicorn_h11(run_server, project):
    srv = run_server("uvicorn", project, args=("--http", "h11")).wait_ready()
    assert fetch(srv, "GET", "/echo/a%2Fb").json() == {"x": "a/b"}     # origin form: fine
    r = _absolute_form(srv)
    assert r.status == 200, r
    assert r.json() == {"x": "a/b"}


# -- 5. percent-decoding, on the raw path -----------------------------------------------

ECHO_CASES = [
    ("/echo/a%2Fb", "a/b"),              # %2F stays inside the segment
    ("/echo/%2541", "%41"),              # decoded exactly once
    ("/echo/caf%C3%A9", "caf\u00e9"),    # UTF-8
    ("/echo/a%20b", "a b"),
    ("/echo/a+b", "a+b"),                # '+' is not a space in a path
]


@pytest.mark.parametrize("path, value", ECHO_CASES)
def test_encoded_slash_stays_in_segment(server, path, value):
    r = fetch(server, "GET", path)
    assert r.status == 200, r
    assert r.json() == {"x": value}


def test_both_servers_agree_on_raw_paths(servers):
    paths = [p for p, _ in ECHO_CASES] + [
        "/files/a/b%2Fc", "/abou%74", "/posts/%34%32", "/posts/1%2F2", "/echo/%ff", "/echo/a%2fb",
        "/wiki/x%2Fy/z",
    ]
    seen = {kind: [(p, *_summary(fetch(srv, "GET", p))) for p in paths] for kind, srv in servers.items()}
    assert seen["gunicorn"] == seen["uvicorn"]


def _summary(r: Resp) -> tuple[int, str, bytes]:
    return r.status, r.headers.get("content-type", ""), r.body


# -- 6. forms and uploads ---------------------------------------------------------------

def test_multipart_upload(server):
    payload = bytes(range(256)) * 4 + b"\r\n--not-the-boundary\r\n"     # every byte value, CRLFs
    boundary = "----e2eBoundary7MA4YWxkTrZu0gW"
    body = multipart(boundary, {"title": "h\u00e9llo"},
                     {"f": ("data.bin", "application/octet-stream", payload)})
    assert len(body) < MAX_BODY
    r = fetch(server, "POST", "/upload", body=body,
              headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
    assert r.status == 200, r
    assert r.json() == {"filename": "data.bin", "content_type": "application/octet-stream",
                        "size": len(payload), "read": len(payload),
                        "sha256": hashlib.sha256(payload).hexdigest(), "title": "h\u00e9llo"}


def test_urlencoded_post(server):
    r = fetch(server, "POST", "/form", body=b"a=1&a=2+3&b=caf%C3%A9%26",
              headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status == 200, r
    assert r.json() == {"a": ["1", "2 3"], "b": "caf\u00e9&", "missing": "default"}


# -- 7. body limits and JSON ---------------------------------------------------------------

def test_body_over_max_body_size_is_413_before_it_is_read(server):
    declared = 10 * 1024
    head = (f"POST /body_size HTTP/1.1\r\nHost: {HOST}:{server.port}\r\n"
            f"Content-Type: application/octet-stream\r\nContent-Length: {declared}\r\n\r\n").encode()
    with socket.create_connection((HOST, server.port), timeout=5) as sock:
        # Only the headers and 1 KB of the 10 KB: a server that waited for the whole
        # body would never answer (the recv below times out and the test fails).
        sock.sendall(head + b"x" * 1024)
        chunks = []
        while True:
            try:
                chunk = sock.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            chunks.append(chunk)
    r = parse_raw(b"".join(chunks))
    assert r.status == 413
    assert r.headers.get("connection", "").lower() == "close"


def test_body_at_the_limit_is_accepted(server):
    r = fetch(server, "POST", "/body_size", body=b"y" * MAX_BODY,
              headers={"Content-Type": "application/octet-stream"})
    assert r.status == 200, r
    assert r.json() == {"size": MAX_BODY}


def test_json_body(server):
    r = fetch(server, "POST", "/json_echo", body=b'{"a": [1, 2.5, "x"]}',
              headers={"Content-Type": "application/json"})
    assert r.status == 200, r
    assert r.json() == {"got": {"a": [1, 2.5, "x"]}}


def test_malformed_json_is_400(server):
    r = fetch(server, "POST", "/json_echo", body=b'{"a": ',
              headers={"Content-Type": "application/json"})
    assert r.status == 400


# -- 8. async and sync handlers ------------------------------------------------------------

def test_async_handler(server):
    r = fetch(server, "GET", "/async_handler?q=1")
    assert r.status == 200, r
    data = r.json()
    assert data["kind"] == "async" and data["query"] == "1"
    if server.kind == "uvicorn":
        assert data["thread"] == "MainThread"       # on the event loop


def test_sync_handler(server):
    r = fetch(server, "GET", "/sync_handler?q=2")
    assert r.status == 200, r
    data = r.json()
    assert data == {"kind": "sync", "thread": data["thread"], "in_loop": False, "query": "2"}
    if server.kind == "uvicorn":
        assert data["thread"] != "MainThread"       # in the thread pool, not blocking the loop


# -- 9/10. WebSockets --------------------------------------------------------------------

def test_websocket_echo(uvicorn):
    with websockets_sync.connect(f"ws://{HOST}:{uvicorn.port}/ws/echo", open_timeout=5,
                                 close_timeout=2) as ws:
        for msg in ({"text": "hi"}, [1, 2, 3], "caf\u00e9", None):
            ws.send(json.dumps(msg))
            assert json.loads(ws.recv(timeout=5)) == {"echo": msg}


def test_websocket_with_path_parameter(uvicorn):
    with websockets_sync.connect(f"ws://{HOST}:{uvicorn.port}/ws/lobby", open_timeout=5,
                                 close_timeout=2) as ws:
        assert json.loads(ws.recv(timeout=5)) == {"room": "lobby", "type": "str"}
        ws.send(json.dumps({"n": 1}))
        assert json.loads(ws.recv(timeout=5)) == {"room": "lobby", "echo": {"n": 1}}


def test_websocket_path_parameter_is_decoded_once(uvicorn):
    # Same decoding as HTTP routes: %2F stays inside the value.
    with websockets_sync.connect(f"ws://{HOST}:{uvicorn.port}/ws/a%2Fb", open_timeout=5,
                                 close_timeout=2) as ws:
        assert json.loads(ws.recv(timeout=5)) == {"room": "a/b", "type": "str"}


def test_websocket_same_origin_is_accepted(uvicorn):
    with websockets_sync.connect(f"ws://{HOST}:{uvicorn.port}/ws/echo", open_timeout=5,
                                 close_timeout=2, origin=uvicorn.origin) as ws:
        ws.send(json.dumps("same-site"))
        assert json.loads(ws.recv(timeout=5)) == {"echo": "same-site"}


def test_websocket_from_foreign_origin_is_refused(uvicorn):
    with pytest.raises(ws_exceptions.InvalidStatus) as info:
        with websockets_sync.connect(f"ws://{HOST}:{uvicorn.port}/ws/echo", open_timeout=5,
                                     close_timeout=2, origin="http://evil.example"):
            pass  # pragma: no cover - the handshake must fail
    assert info.value.response.status_code == 403


def test_websocket_to_unknown_route_is_refused(uvicorn):
    with pytest.raises(ws_exceptions.InvalidStatus) as info:
        with websockets_sync.connect(f"ws://{HOST}:{uvicorn.port}/nope/nothing", open_timeout=5,
                                     close_timeout=2):
            pass  # pragma: no cover
    assert info.value.response.status_code == 403


@pytest.mark.parametrize("path", ["/ws/echo", "/ws/lobby"])
def test_plain_get_to_websocket_route_is_426(server, path):
    # Under gunicorn too: WebSockets need ASGI, and the answer says so.
    r = fetch(server, "GET", path)
    assert r.status == 426
    assert r.headers.get("upgrade", "").lower() == "websocket"


def test_websocket_handshake_to_gunicorn_is_426(servers):
    gunicorn = servers["gunicorn"]
    with pytest.raises(ws_exceptions.InvalidStatus) as info:
        with websockets_sync.connect(f"ws://{HOST}:{gunicorn.port}/ws/echo", open_timeout=5,
                                     close_timeout=2):
            pass  # pragma: no cover - WSGI cannot upgrade
    assert info.value.response.status_code == 426
    assert info.value.response.headers.get("upgrade", "").lower() == "websocket"


# -- 12. production refuses to start without a secret key -----------------------------------

@pytest.mark.parametrize("kind", KINDS)
def test_server_without_secret_key_refuses_to_start(kind, run_server, tmp_path):
    project = write_project(tmp_path / "nokey", {"routes/index.py": "def get(request):\n    return 'x'\n"},
                            "[app]\ndebug = false\n")
    srv = run_server(kind, project, server_env(secret=None))
    code = srv.wait_exit(timeout=20)
    err = srv.stderr()
    assert code != 0, err
    lines = [line for line in err.splitlines() if "secret key" in line.lower()]
    assert lines, err
    # The message is one line that says how to fix it.
    assert any("WOLFPY_SECRET_KEY" in line for line in lines), err
