"""End to end: hostile HTTP and WebSocket input against REAL gunicorn and uvicorn.

Each test names the row of the hostile-input catalogue (docs/security.md) it guards and
checks the catalogue's invariants that apply: no 5xx, a fast answer, the next request
served quickly, no file descriptor kept after the response. Where the server answers
before WolfPy is reached, the test says so and asserts what the server does.
"""
from __future__ import annotations

import http.client
import json
import os
import re
import socket
import threading
import time
from pathlib import Path
from typing import Any, NamedTuple

import pytest

from .conftest import HOST, Server, write_project

pytestmark = pytest.mark.e2e

import websockets.exceptions as ws_exceptions  # noqa: E402  (dev extra: fail, never skip)
import websockets.sync.client as websockets_sync  # noqa: E402

MiB = 1024 * 1024

TOML = """\
[app]
name = "hardening"

[middleware]
builtin = ["sessions", "auth"]
"""

ROUTES = {
    "routes/index.py": """\
        def get(request):
            return {"cookies": request.cookies, "query": request.query.to_dict()}
    """,
    "routes/items/[id].py": """\
        import sqlite3

        def get(request, id: int):
            # The value reaches the database driver, as a model lookup would.
            row = sqlite3.connect(":memory:").execute("select ?", (id,)).fetchone()
            return {"id": row[0]}
    """,
    "routes/json_echo.py": """\
        def post(request):
            return {"got": request.json}
    """,
    "routes/form.py": """\
        def post(request):
            return {"form": request.form.to_dict()}
    """,
    "routes/upload.py": """\
        def post(request):
            f = request.files.get("f")
            return {"filename": f.filename if f else None, "size": f.size if f else 0}
    """,
    "routes/big.py": """\
        from wolfpy import abort

        def get(request):
            return {"size": len(request.body)}

        def post(request):
            if request.query.get("skip"):       # under WSGI the server then drops the connection
                return "not read"
            size = len(request.body)
            if request.query.get("fail"):
                abort(422, "refused on purpose")
            return {"size": size}
    """,
    "models/__init__.py": "",
    "models/user.py": """\
        from wolfpy.db import Model, CharField

        class User(Model):
            username = CharField(max_length=150, unique=True)
            password_hash = CharField(max_length=255, default="")
    """,
    "routes/signin.py": """\
        from wolfpy.auth import login

        def get(request):
            User = request.app.models[0]
            request.app.database.create_tables([User], safe=True)
            user = User.get_or_none(User.username == "ada") or User.create(username="ada")
            login(request, user)
            return "signed in"
    """,
    "routes/ws/me.py": """\
        async def websocket(ws):
            await ws.accept()
            await ws.send_json({"user": ws.user.username if ws.user else None})
    """,
    "routes/ws/text.py": """\
        async def websocket(ws):
            await ws.accept()
            async for text in ws.iter_text():
                await ws.send_text(text)
    """,
    "routes/ws/json.py": """\
        async def websocket(ws):
            await ws.accept()
            async for value in ws.iter_json():
                await ws.send_json(value)
    """,
}

KINDS = ["gunicorn", "uvicorn"]


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_project(tmp_path_factory.mktemp("hardening") / "site", ROUTES, TOML)


# -- helpers ----------------------------------------------------------------------------------

class Resp(NamedTuple):
    status: int
    headers: dict[str, str]
    body: bytes
    seconds: float

    def json(self) -> Any:
        return json.loads(self.body)


def fetch(server: Server, method: str, path: str, body: bytes | None = None,
          headers: dict[str, str] | None = None) -> Resp:
    start = time.perf_counter()
    conn = http.client.HTTPConnection(HOST, server.port, timeout=10)
    try:
        conn.request(method, path, body=body, headers={"Connection": "close", **(headers or {})})
        resp = conn.getresponse()
        data = resp.read()
        return Resp(resp.status, {k.lower(): v for k, v in resp.getheaders()}, data,
                    time.perf_counter() - start)
    finally:
        conn.close()


def raw(server: Server, data: bytes, timeout: float = 10.0) -> Resp:
    """Send raw bytes; read one response (to the end of its Content-Length or the close)."""
    start = time.perf_counter()
    with socket.create_connection((HOST, server.port), timeout=timeout) as sock:
        try:
            sock.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered and closed before reading everything
        out = b""
        while True:
            try:
                chunk = sock.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            out += chunk
            head, sep, rest = out.partition(b"\r\n\r\n")
            length = re.search(rb"(?im)^content-length:\s*(\d+)", head)
            if sep and length and len(rest) >= int(length.group(1)):
                break
    elapsed = time.perf_counter() - start
    head, _, body = out.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1]) if lines and lines[0].startswith("HTTP/") else 0
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    return Resp(status, headers, body, elapsed)


def assert_next_request_is_quick(server: Server) -> None:
    r = fetch(server, "GET", "/")
    assert r.status == 200 and r.seconds < 1.0, (r.status, r.seconds)


def by_wolfpy(r: Resp) -> bool:
    """WolfPy's own error pages and JSON errors, not a server's built-in page."""
    return r.body.startswith(b"<!doctype html>") or r.body.startswith(b'{"error"')


# -- row 35 / defect: 40,000 repeated Cookie headers ------------------------------------------

def duplicate_cookies(n: int) -> bytes:
    line = b"Cookie: wolfpy_session=" + b"x" * 40 + b"\r\n"
    return b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n" + line * n + b"\r\n"


def test_40000_repeated_cookie_headers_are_refused_quickly(server: Server) -> None:
    r = raw(server, duplicate_cookies(40_000))
    assert r.status == 431, r
    assert r.seconds < 1.0, f"{server.kind} took {r.seconds:.2f}s"
    # gunicorn refuses past 100 fields itself (limit_request_fields); uvicorn has no
    # limit, and WolfPy answers.
    assert by_wolfpy(r) is (server.kind == "uvicorn"), r.body[:200]
    assert_next_request_is_quick(server)


def test_h11_refuses_40000_headers_before_wolfpy(run_server: Any, project: Path) -> None:
    # uvicorn --http h11 has a 16 KiB limit on the request head: h11 answers 400 itself.
    server = run_server("uvicorn", project, args=("--http", "h11")).wait_ready()
    r = raw(server, duplicate_cookies(40_000))
    assert r.status == 400 and not by_wolfpy(r) and r.seconds < 1.0
    assert_next_request_is_quick(server)


def test_header_count_and_size_limits(server: Server) -> None:
    request = b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
    many = b"".join(b"X-H%d: 1\r\n" % i for i in range(101))
    r = raw(server, request + many + b"\r\n")
    assert r.status == 431 and by_wolfpy(r) is (server.kind == "uvicorn")
    if server.kind == "uvicorn":
        # 70 KB in ten fields: uvicorn passes it on, WolfPy refuses it.
        split = b"".join(b"X-H%d: " % i + b"a" * 7000 + b"\r\n" for i in range(10))
        r = raw(server, request + split + b"\r\n")
        assert r.status == 431 and by_wolfpy(r) and b"bytes" in r.body
    else:
        # gunicorn bounds each field (8190 bytes) and their number, not their total.
        r = raw(server, request + b"X-Big: " + b"a" * 9000 + b"\r\n\r\n")
        assert r.status == 431 and not by_wolfpy(r)
    browser_like = b"".join(b"X-H%d: " % i + b"a" * 500 + b"\r\n" for i in range(40))
    r = raw(server, b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n" + browser_like + b"\r\n")
    assert r.status == 200


# -- row 49: integer path parameters --------------------------------------------------------

@pytest.mark.parametrize("segment, status", [
    ("9223372036854775807", 200), ("9223372036854775808", 404), ("99999999999999999999", 404),
    ("-1", 200), ("1e3", 404), ("%EF%BC%91", 404),
])
def test_int_path_param_never_overflows(server: Server, segment: str, status: int) -> None:
    r = fetch(server, "GET", f"/items/{segment}")
    assert r.status == status


# -- rows 4, 5: strict JSON ---------------------------------------------------------------------

@pytest.mark.parametrize("body", [
    b"NaN", b"[Infinity]", b'{"a": -Infinity}', b"1e999999", b'"\\ud800"', b"9" * 10**6,
    b"[" * 100_000 + b"]" * 100_000,
], ids=lambda b: b[:16].decode())
def test_non_finite_and_unencodable_json_is_400(server: Server, body: bytes) -> None:
    r = fetch(server, "POST", "/json_echo", body, {"Content-Type": "application/json"})
    assert r.status == 400 and by_wolfpy(r)
    assert r.seconds < 1.0


def test_plain_json_still_parses(server: Server) -> None:
    r = fetch(server, "POST", "/json_echo", b'{"a": [1, 2.5, "\\u00e9\\ud83d\\ude00"]}',
              {"Content-Type": "application/json"})
    assert r.status == 200 and r.json() == {"got": {"a": [1, 2.5, "\u00e9\U0001f600"]}}


# -- rows 17, 22: multipart ------------------------------------------------------------------------

def multipart(boundary: str, disposition: str, data: bytes) -> bytes:
    return (f"--{boundary}\r\nContent-Disposition: {disposition}\r\n\r\n").encode() + data \
        + f"\r\n--{boundary}--\r\n".encode()


def test_plain_filename_wins(server: Server) -> None:
    body = multipart("xyz", "form-data; name=\"f\"; filename*=UTF-8''a.php; filename=\"a.txt\"", b"<?php")
    r = fetch(server, "POST", "/upload", body, {"Content-Type": "multipart/form-data; boundary=xyz"})
    assert r.status == 200 and r.json() == {"filename": "a.txt", "size": 5}


@pytest.mark.parametrize("ctype", [
    "multipart/form-data; boundary=" + "b" * 71,
    'multipart/form-data; boundary="' + "\\\\" * 3000 + 'a"',
], ids=["71 chars", "backslashes"])
def test_bad_boundary_is_a_fast_400(server: Server, ctype: str) -> None:
    body = multipart("b" * 71, 'form-data; name="a"', b"1")
    replies = [fetch(server, "POST", "/upload", body, {"Content-Type": ctype}) for _ in range(3)]
    best = min(replies, key=lambda r: r.seconds)
    assert best.status == 400 and by_wolfpy(best)
    assert best.seconds < 0.1, f"{best.seconds:.3f}s"


# -- row 13: a 16 MiB urlencoded body of tiny pairs ----------------------------------------------

def test_16_mib_of_form_pairs_is_a_fast_413(server: Server) -> None:
    body = b"a=1&" * (4 * MiB - 1)                       # just under the 16 MiB body limit
    r = fetch(server, "POST", "/form", body, {"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status == 413 and b"too many form fields" in r.body
    assert r.seconds < 1.0, f"{r.seconds:.2f}s"
    assert_next_request_is_quick(server)


# -- rows 6, 10: invalid UTF-8 and Content-Length ----------------------------------------------------

def test_invalid_utf8(server: Server) -> None:
    r = fetch(server, "POST", "/form", b"a=%ff", {"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status == 400 and by_wolfpy(r)
    r = fetch(server, "POST", "/form", b"a=\xc3(", {"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status == 400
    r = fetch(server, "POST", "/json_echo", b'"\xff"', {"Content-Type": "application/json"})
    assert r.status == 400
    # A percent-encoded query string that is not UTF-8 is refused when it is read.
    r = fetch(server, "GET", "/?a=%ff")
    assert r.status == 400 and by_wolfpy(r)
    assert fetch(server, "GET", "/?a=%C3%A9").json()["query"] == {"a": "é"}
    # Raw non-ASCII bytes in the request line: both servers refuse them first.
    r = raw(server, b"GET /?a=\xff HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert r.status == 400 and not by_wolfpy(r)


@pytest.mark.parametrize("lengths", [[b"-1"], [b"abc"], [b"3", b"4"], [b"3, 4"], [b"+3"]])
def test_bad_content_length_is_400_from_the_server(server: Server, lengths: list[bytes]) -> None:
    head = b"POST /form HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
    head += b"".join(b"Content-Length: " + v + b"\r\n" for v in lengths)
    r = raw(server, head + b"Content-Type: application/x-www-form-urlencoded\r\n\r\na=b")
    assert r.status == 400 and not by_wolfpy(r)   # h11/httptools and gunicorn refuse first
    assert_next_request_is_quick(server)


# -- row 39: cookies that are not cookies -------------------------------------------------------------

@pytest.mark.parametrize("cookie", [
    b"=x", b";;;", b'@(x)=y;{z}=w;[a]="b;s=%00;t=%ff;' * 128, "wolfpy_session=\u00e9".encode(),
    b"=__Host-sid=e", b"=wolfpy_session=e",
], ids=["=x", ";;;", "4 KB junk", "non-ASCII", "=__Host-sid", "=wolfpy_session"])
def test_junk_cookies_are_absent(server: Server, cookie: bytes) -> None:
    r = raw(server, b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\nCookie: " + cookie + b"\r\n\r\n")
    assert r.status == 200 and json.loads(r.body)["cookies"] == {}


# -- spooled bodies and uploads are freed when the response is done --------------------------------

def deleted_files(pid: int) -> int:
    """Open descriptors of ``pid`` on files already unlinked (temporary files)."""
    count = 0
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        count += target.startswith("/") and target.endswith("(deleted)")
    return count


def worker_pid(server: Server) -> int:
    assert server.proc is not None
    pid = server.proc.pid
    if server.kind == "gunicorn":
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        assert len(children) == 1
        return int(children[0])
    return pid


def test_large_bodies_leave_no_temporary_file_open(server: Server) -> None:
    pid = worker_pid(server)
    before = deleted_files(pid)
    big = b"x" * (4 * MiB)
    upload = multipart("xyz", 'form-data; name="f"; filename="a.bin"', big)
    mp = {"Content-Type": "multipart/form-data; boundary=xyz"}
    for _ in range(4):
        if server.kind == "uvicorn":    # the ASGI adapter reads (and spools) every body first
            assert fetch(server, "POST", "/big?skip=1", big).status == 200
        assert fetch(server, "POST", "/big", big).json() == {"size": len(big)}
        assert fetch(server, "POST", "/big?fail=1", big).status == 422         # the handler refuses
        assert fetch(server, "HEAD", "/big", big).status == 200
        assert fetch(server, "POST", "/upload", upload, mp).json() == {"filename": "a.bin", "size": len(big)}
    time.sleep(0.2)
    assert deleted_files(pid) == before, os.listdir(f"/proc/{pid}/fd")


def test_a_body_over_the_limit_leaves_no_temporary_file_open(uvicorn: Server) -> None:
    before = deleted_files(uvicorn.proc.pid)  # type: ignore[union-attr]
    head = b"POST /big HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    chunk = b"%x\r\n" % MiB + b"x" * MiB + b"\r\n"
    r = raw(uvicorn, head + chunk * 17 + b"0\r\n\r\n")
    assert r.status == 413
    time.sleep(0.2)
    assert deleted_files(uvicorn.proc.pid) == before  # type: ignore[union-attr]


# -- WebSocket (uvicorn): payloads, size, rate, and the signed-in user --------------------------------

def ws_connect(server: Server, path: str, **kw: Any) -> Any:
    return websockets_sync.connect(f"ws://{HOST}:{server.port}{path}", open_timeout=5, close_timeout=2,
                                   max_size=None, **kw)


def close_code_after(ws: Any) -> int:
    with pytest.raises(ws_exceptions.ConnectionClosed) as info:
        while True:
            ws.recv(timeout=5)
    assert info.value.rcvd is not None, "the server did not send a close frame"
    return info.value.rcvd.code


def test_ws_user_is_the_signed_in_user(uvicorn: Server) -> None:
    with ws_connect(uvicorn, "/ws/me") as ws:
        assert json.loads(ws.recv(timeout=5)) == {"user": None}
    r = fetch(uvicorn, "GET", "/signin")
    assert r.status == 200
    cookie = r.headers["set-cookie"].split(";", 1)[0]
    assert cookie.startswith("wolfpy_session=")
    with ws_connect(uvicorn, "/ws/me", additional_headers={"Cookie": cookie}) as ws:
        assert json.loads(ws.recv(timeout=5)) == {"user": "ada"}


def test_ws_bad_utf8_binary_frame_closes_1007(uvicorn: Server) -> None:
    with ws_connect(uvicorn, "/ws/text") as ws:
        ws.send(b"fine")
        assert ws.recv(timeout=5) == "fine"
        ws.send(b"\xff\xfe")
        assert close_code_after(ws) == 1007
    assert_next_request_is_quick(uvicorn)


@pytest.mark.parametrize("payload", ["[" * 30_000 + "]" * 30_000, "NaN", '"\\ud800"', "{"],
                         ids=["30,000 deep", "NaN", "lone surrogate", "truncated"])
def test_ws_json_that_is_not_json_closes_1007(uvicorn: Server, payload: str) -> None:
    with ws_connect(uvicorn, "/ws/json") as ws:
        ws.send(payload)
        assert close_code_after(ws) == 1007


def test_ws_frame_over_the_limit_closes_1009(uvicorn: Server) -> None:
    with ws_connect(uvicorn, "/ws/text") as ws:
        ws.send("x" * (64 * 1024 + 1))
        assert close_code_after(ws) == 1009


def test_ws_flood_closes_1008_and_others_are_served(uvicorn: Server) -> None:
    latencies: list[float] = []
    stop = threading.Event()

    def neighbour() -> None:
        with ws_connect(uvicorn, "/ws/text") as ws:
            while not stop.is_set():
                start = time.perf_counter()
                ws.send("ping")
                assert ws.recv(timeout=5) == "ping"
                latencies.append(time.perf_counter() - start)
                time.sleep(0.02)      # 50 messages a second: under the limit

    thread = threading.Thread(target=neighbour)
    thread.start()
    try:
        with ws_connect(uvicorn, "/ws/text") as ws:
            sent = 0
            with pytest.raises(ws_exceptions.ConnectionClosed) as info:
                deadline = time.monotonic() + 10
                while time.monotonic() < deadline:
                    for _ in range(1000):       # 10,000 messages as fast as the socket takes them
                        ws.send("flood")
                        sent += 1
                    if sent >= 10_000:
                        while True:
                            ws.recv(timeout=5)
            assert info.value.rcvd is not None and info.value.rcvd.code == 1008
    finally:
        time.sleep(0.2)
        stop.set()
        thread.join(10)
    assert latencies and max(latencies) < 1.0, latencies
