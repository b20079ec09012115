"""The harness of tests/e2e/test_hostile.py: one server under test, a cookie jar, and the frame
that runs one catalogue row and then asserts the invariants of docs/security.md on that server.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import re
import socket
import sqlite3
import struct
import time
from collections import Counter
from pathlib import Path
from typing import Any, Callable
from urllib.parse import urlencode

import pytest
import websockets.exceptions as ws_exc
import websockets.sync.client as ws_client

from .conftest import Server
from .hostile_support import HOST, THROTTLE_WINDOW, Resp, children, open_fds, request, rss_kb, send_raw

MAX_SERVING_THREADS = 64  # gunicorn's threads, or WolfPy's sync-handler threads under ASGI (40), with room
RSS_LIMIT_KB = 50 * 1024
FORM_CT = ("Content-Type", "application/x-www-form-urlencoded")
TRACEBACK = re.compile(r"Traceback \(most recent call last\)|File \"[^\"]+\", line \d+")
SECRETS = (b"root:x:0:0", b"TOP-SECRET", b"private key material", b"SECRET=", b"[core]")
#: One entry per row and server, for the table printed at the end of the module.
RESULTS: list[dict[str, Any]] = []


# -- the harness ----------------------------------------------------------------------------------
class Harness:
    """One server of the module, with the state the invariants need."""

    def __init__(self, server: Server, project: Path) -> None:
        self.server = server
        self.kind = server.kind
        self.port = server.port
        self.project = project
        self.origin = f"http://{HOST}:{self.port}"
        self.current: Row | None = None
        self.login_failures: list[float] = []   # failed logins from 127.0.0.1 (the throttle's count)

    # requests
    def req(self, method: str, target: str, headers: Any = None, body: Any = b"", *, label: str = "",
            record: bool = True, **kw: Any) -> Resp:
        resp = request(self.port, method, target, headers, body, **kw)
        if record and self.current is not None:
            self.current.responses.append((label or f"{method} {target[:80]}", resp))
        return resp

    def raw(self, head: bytes, body: Any = b"", *, label: str = "", method: str = "GET", timeout: float = 10.0) -> Resp:
        resp = send_raw(self.port, head, body, method=method, timeout=timeout)
        if self.current is not None:
            self.current.responses.append((label or head[:60].decode("latin-1"), resp))
        return resp

    def json_post(self, target: str, payload: bytes, *, label: str = "", ctype: str = "application/json") -> Resp:
        return self.req("POST", target, [("Content-Type", ctype)], payload, label=label)

    # process state
    def worker_pid(self) -> int:
        proc = self.server.proc
        assert proc is not None and proc.poll() is None, f"{self.kind} is not running:\n{self.server.output()[-3000:]}"
        if self.kind == "uvicorn":
            return proc.pid
        deadline = time.monotonic() + 10
        while True:
            kids = children(proc.pid)
            if kids:
                return kids[0]
            if time.monotonic() > deadline:
                raise AssertionError(f"gunicorn has no worker:\n{self.server.output()[-3000:]}")
            time.sleep(0.05)

    def db_rows(self) -> dict[str, list[tuple[Any, ...]]]:
        db = sqlite3.connect(f"file:{self.project / 'db.sqlite3'}?mode=ro", uri=True, timeout=5)
        try:
            return {t: db.execute(f'SELECT * FROM "{t}" ORDER BY id').fetchall()
                    for t in ("user", "note", "comment", "upload")}
        finally:
            db.close()

    def user(self, username: str) -> dict[str, Any] | None:
        db = sqlite3.connect(f"file:{self.project / 'db.sqlite3'}?mode=ro", uri=True, timeout=5)
        db.row_factory = sqlite3.Row
        try:
            found = db.execute('SELECT * FROM "user" WHERE username = ?', (username,)).fetchone()
            return dict(found) if found else None
        finally:
            db.close()

    @property
    def log_path(self) -> Path:
        return self.project / "logs" / "app.log"

    def log_size(self) -> int:
        return self.log_path.stat().st_size if self.log_path.exists() else 0

    def log_since(self, offset: int) -> bytes:
        """What the log file gained after ``offset``, once it stops growing: the server's log
        writer puts lines on disk a few milliseconds after each response."""
        deadline, last, settled = time.monotonic() + 2.0, -1, 0
        while time.monotonic() < deadline and settled < 3:
            size = self.log_size()
            settled = settled + 1 if size == last else 0
            last = size
            time.sleep(0.05)
        if not self.log_path.exists():
            return b""
        with open(self.log_path, "rb") as f:
            if os.fstat(f.fileno()).st_size < offset:   # rotated
                offset = 0
            f.seek(offset)
            return f.read()

    def stderr_size(self) -> int:
        return self.server.err_path.stat().st_size if self.server.err_path.exists() else 0

    def stderr_since(self, offset: int) -> str:
        with open(self.server.err_path, "rb") as f:
            f.seek(offset)
            return f.read().decode("utf-8", "replace")

    # Logins are throttled (5 failures per address within THROTTLE_WINDOW): a row that needs to log in
    # waits until its own failures (``room``) and a good login fit under the limit.
    def wait_for_login_window(self, room: int = 0) -> None:
        while True:
            now = time.monotonic()
            recent = [t for t in self.login_failures if now - t < THROTTLE_WINDOW + 0.3]
            if len(recent) + room < 5:
                return
            time.sleep(recent[0] + THROTTLE_WINDOW + 0.3 - now)

    def browser(self) -> "Browser":
        return Browser(self)

    # WebSockets
    def ws_url(self, path: str) -> str:
        return f"ws://{HOST}:{self.port}{path}"

    def ws_connect(self, path: str, *, origin: str | None = "same", cookie: str | None = None,
                   **kw: Any) -> tuple[int, Any]:
        """(101, connection) or (the refusing status, None); 0 when the handshake broke otherwise."""
        headers = {"Cookie": cookie} if cookie else {}
        try:
            sent_origin: Any = self.origin if origin == "same" else origin
            conn = ws_client.connect(self.ws_url(path), origin=sent_origin, additional_headers=headers,
                                     open_timeout=5, close_timeout=2, **kw)
        except ws_exc.InvalidStatus as exc:
            status = exc.response.status_code
            if self.current is not None:
                body = bytes(exc.response.body or b"")
                self.current.responses.append((f"WS {path}", Resp(status, {k.lower(): v for k, v in
                                                                          exc.response.headers.raw_items()},
                                                                 body, 0.0, by="ws-refusal")))
            return status, None
        except (ws_exc.InvalidHandshake, OSError, TimeoutError) as exc:
            if self.current is not None:
                self.current.problems.append(f"WS {path}: handshake broke: {type(exc).__name__}: {exc}")
            return 0, None
        # Entered as a context (closed by the caller's close()): the form every websockets version accepts.
        return 101, conn.__enter__()


class Browser:
    """A cookie jar over raw requests: Origin on unsafe methods, the CSRF token scraped from pages."""

    TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')

    def __init__(self, h: Harness) -> None:
        self.h = h
        self.cookies: dict[str, str] = {}

    def cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    def send(self, method: str, target: str, *, form: dict[str, str] | list[tuple[str, str]] | None = None,
             headers: list[tuple[str, str]] | None = None, body: bytes = b"", origin: str | None = "same",
             label: str = "", source: str | None = None) -> Resp:
        hdrs = list(headers or [])
        if form is not None:
            body = urlencode(form).encode()
            hdrs.append(FORM_CT)
        if method not in ("GET", "HEAD") and origin is not None:
            hdrs.append(("Origin", self.h.origin if origin == "same" else origin))
        if self.cookies:
            hdrs.append(("Cookie", self.cookie_header()))
        resp = self.h.req(method, target, hdrs, body, label=label, source=source)
        for line in resp.header_all("set-cookie"):
            pair, _, attrs = line.partition(";")
            name, _, value = pair.strip().partition("=")
            if "max-age=0" in attrs.lower().replace(" ", "") or not value:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        return resp

    def token(self, path: str = "/comments") -> str:
        resp = self.send("GET", path, label=f"GET {path} (for a CSRF token)")
        found = self.TOKEN.search(resp.text)
        assert resp.status == 200 and found, f"no CSRF token on {path}: {resp.short()}"
        return found.group(1)

    def login(self, username: str, password: str, next_url: str | None = None, label: str = "") -> Resp:
        token = self.token("/auth/login")
        form = {"username": username, "password": password, "csrf_token": token}
        if next_url is not None:
            form["next"] = next_url
        resp = self.send("POST", "/auth/login", form=form, label=label or f"login {username}")
        if resp.status in (400, 401):
            self.h.login_failures.append(time.monotonic())
        return resp

    def register(self, fields: dict[str, str], label: str = "") -> Resp:
        token = self.token("/auth/register")
        return self.send("POST", "/auth/register", form={**fields, "csrf_token": token}, label=label or "register")


class Row:
    """``with row:`` runs a catalogue row, then asserts its expectations and the invariants."""

    def __init__(self, h: Harness, number: int, title: str, record: Callable[[str, Any], None]) -> None:
        self.h = h
        self.number = number
        self.title = title
        self.record = record
        self.problems: list[str] = []
        self.notes: list[str] = []
        self.responses: list[tuple[str, Resp]] = []
        self.writes: set[str] = set()

    # expectations (all are checked; the row fails with the whole list)
    def check(self, ok: bool, message: str) -> bool:
        if not ok:
            self.problems.append(message)
        return ok

    def status(self, resp: Resp, allowed: set[int] | int, label: str) -> bool:
        allowed = {allowed} if isinstance(allowed, int) else allowed
        return self.check(resp.status in allowed, f"{label}: expected {sorted(allowed)}, got {resp.short()}")

    def fast(self, resp: Resp, limit: float, label: str) -> bool:
        return self.check(resp.elapsed < limit, f"{label}: took {resp.elapsed:.3f}s (limit {limit}s)")

    def no_secret(self, resp: Resp, label: str) -> bool:
        leaked = [s.decode() for s in SECRETS if s in resp.body]
        return self.check(not leaked, f"{label}: the answer leaks {leaked}")

    def allow_writes(self, *tables: str) -> None:
        self.writes.update(tables)

    def note(self, text: str) -> None:
        self.notes.append(text)

    # the frame
    def __enter__(self) -> "Row":
        h = self.h
        self.pid = h.worker_pid()
        self.rss0 = rss_kb(self.pid)
        self.fds0 = open_fds(self.pid)
        self.db0 = h.db_rows()
        self.log0 = h.log_size()
        self.err0 = h.stderr_size()
        self.tmp0 = set(os.listdir(h.project / "tmp"))
        h.current = self
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        h = self.h
        h.current = None
        if exc is not None:
            self.problems.append(f"the row stopped: {type(exc).__name__}: {str(exc)[:400]}")
        try:
            self._invariants()
        except Exception as err:  # noqa: BLE001 - reported as the row's failure
            self.problems.append(f"invariants could not be read: {type(err).__name__}: {err}")
        by = Counter(resp.answered_by for _, resp in self.responses)
        answered = ", ".join(f"{k}×{v}" for k, v in sorted(by.items())) or "-"
        RESULTS.append({"row": self.number, "server": h.kind, "title": self.title,
                        "result": "FAIL" if self.problems else "PASS", "answered_by": answered,
                        "problems": self.problems, "notes": self.notes})
        self.record("answered_by", answered)
        for text in self.notes:
            self.record("note", text)
        if self.problems:
            listing = "\n".join(f"  - {p}" for p in self.problems)
            pytest.fail(f"row {self.number} ({self.title}) under {h.kind}:\n{listing}", pytrace=False)

    def _invariants(self) -> None:
        h = self.h
        for label, resp in self.responses:
            self.check(resp.status < 500, f"{label}: 5xx: {resp.short()}")
            self.check(not TRACEBACK.search(resp.text), f"{label}: a traceback in the answer: {resp.short()}")
        # The next ordinary request, answered within 1 s.
        probe = request(h.port, "GET", "/health", timeout=5)
        self.check(probe.status == 200 and probe.elapsed < 1.0,
                   f"invariant: the next request (GET /health) got {probe.short()} in {probe.elapsed:.2f}s")
        pid = h.worker_pid()
        if not self.check(pid == self.pid, f"invariant: the worker was replaced (pid {self.pid} -> {pid}): "
                                           f"{h.stderr_since(self.err0)[-600:]!r}"):
            return
        growth = rss_kb(pid) - self.rss0
        self.check(growth < RSS_LIMIT_KB, f"invariant: worker RSS grew by {growth / 1024:.1f} MB (limit 50 MB)")
        # Each serving thread keeps its SQLite connection (the file, -wal, -shm) for its next
        # request: those are bounded by the threads, not by the requests, and counted apart.
        database = str(h.project / "db.sqlite3")
        kept = {database, database + "-wal", database + "-shm"}
        before = {fd: path for fd, path in self.fds0.items() if path not in kept}
        deadline = time.monotonic() + 3.0
        while True:
            fds = open_fds(pid)
            others = {fd: path for fd, path in fds.items() if path not in kept}
            if len(others) <= len(before) or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        extra = sorted(set(others.values()) - set(before.values()))
        self.check(len(others) <= len(before),
                   f"invariant: fd leak: {len(before)} -> {len(others)} open ({', '.join(extra[:6])})")
        connections = len(fds) - len(others)
        self.check(connections <= 3 * MAX_SERVING_THREADS,
                   f"invariant: {connections} descriptors of the SQLite database open (at most 3 per thread)")
        leftovers = set(os.listdir(h.project / "tmp")) - self.tmp0
        self.check(not leftovers, f"invariant: temporary files left behind: {sorted(leftovers)[:5]}")
        # No partial database write.
        after = h.db_rows()
        for table, rows in after.items():
            if table not in self.writes:
                self.check(rows == self.db0[table], f"invariant: table {table} changed "
                                                    f"({len(self.db0[table])} -> {len(rows)} rows)")
        # Escaped logs: only JSON lines, no raw CR or ESC, and no flood.
        log = h.log_since(self.log0)
        self.check(b"\r" not in log and b"\x1b" not in log, "invariant: raw CR or ESC in logs/app.log")
        bad = []
        lines = log.split(b"\n")
        for line in lines:
            if line.strip():
                try:
                    json.loads(line)
                except ValueError:
                    bad.append(line[:120])
        self.check(not bad, f"invariant: lines of logs/app.log that are not JSON: {bad[:3]}")
        self.check(len(lines) <= 3 * len(self.responses) + 40,
                   f"invariant: log flood: {len(lines)} lines for {len(self.responses)} requests")
        err = h.stderr_since(self.err0)
        for start, text in tracebacks(err):
            if server_only(text):
                # The server's own protocol layer refusing a client's frame before WolfPy sees
                # it (uvicorn logs "Invalid UTF-8 sequence received from client" so): noted, as
                # other answers given by the server are.
                self.notes.append("the server logged its own traceback for bad client data")
                continue
            self.problems.append(f"invariant: the server logged a traceback: "
                                 f"{err[max(0, start - 300):start + 500]!r}")


SERVER_CODE = ("/uvicorn/", "/gunicorn/", "/h11/", "/httptools/", "/websockets/", "/asyncio/")


def tracebacks(err: str) -> list[tuple[int, str]]:
    """(offset, text) of each traceback in a server's stderr, up to the next log line."""
    out = []
    for found in re.finditer(r"Traceback \(most recent call last\):", err):
        end = err.find("\nINFO:", found.start())
        out.append((found.start(), err[found.start():end if end > 0 else len(err)]))
    if not out and TRACEBACK.search(err):  # a frame line without the header: judged whole
        found = TRACEBACK.search(err)
        assert found is not None
        out.append((found.start(), err[found.start():]))
    return out


def server_only(text: str) -> bool:
    """True when every frame of a traceback is in the server's own code, none in WolfPy or the app."""
    files = re.findall(r'File "([^"]+)", line \d+', text)
    return bool(files) and all(any(part in f for part in SERVER_CODE) for f in files)


# -- small builders -------------------------------------------------------------------------------
def jdump(value: Any) -> bytes:
    return json.dumps(value).encode()


def strict_json(body: bytes) -> Any:
    """JSON as RFC 8259 has it: NaN, Infinity and lone surrogates are errors."""
    def refuse(name: str) -> Any:
        raise ValueError(f"non-finite number {name}")
    text = body.decode("utf-8")                     # strict: lone surrogates cannot be UTF-8
    return json.loads(text, parse_constant=refuse)


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def jwt_token(header: dict[str, Any], claims: dict[str, Any], key: bytes | None) -> str:
    signing = f"{b64url(jdump(header))}.{b64url(jdump(claims))}"
    sig = b"" if key is None else hmac.new(key, signing.encode(), hashlib.sha256).digest()
    return f"{signing}.{b64url(sig)}"


def session_cookie(data: dict[str, Any], keys: list[str], *, age: int = 0) -> str:
    """A session cookie signed as the cookie store signs it (``age`` seconds old)."""
    from itsdangerous import TimestampSigner, URLSafeTimedSerializer

    class Aged(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time()) - age

    return str(URLSafeTimedSerializer(keys, salt="wolfpy.session", signer=Aged).dumps(data))


def gunicorn_only_ws(row: Row, h: Harness, path: str) -> bool:
    """Under WSGI there is no WebSocket: the handshake must be refused (a 4xx), never a 5xx.
    Returns True when the row was handled that way."""
    if h.kind != "gunicorn":
        return False
    status, conn = h.ws_connect(path)
    if conn is not None:
        conn.close()
    row.check(400 <= status < 500, f"WS {path} under WSGI: expected a refused handshake (4xx), got {status}")
    row.note(f"WSGI serves no WebSocket: the handshake of {path} is refused with {status}; "
             "the row's frames are tested under uvicorn")
    return True


def close_code(conn: Any, timeout: float = 3.0) -> tuple[int | None, list[Any]]:
    """Read until the server closes: (its close code, the messages received before)."""
    got = []
    try:
        while True:
            got.append(conn.recv(timeout=timeout))
    except ws_exc.ConnectionClosed as exc:
        return (exc.rcvd.code if exc.rcvd is not None else None), got
    except TimeoutError:
        return None, got


class RawWS:
    """A WebSocket over a bare socket, for frames a library will not send and abrupt ends."""

    def __init__(self, h: Harness, path: str) -> None:
        self.sock = socket.create_connection((HOST, h.port), timeout=5)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall((f"GET {path} HTTP/1.1\r\nHost: {HOST}:{h.port}\r\nUpgrade: websocket\r\n"
                           f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
                           f"Origin: {h.origin}\r\n\r\n").encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.sock.recv(4096)
            if not chunk:
                break
            head += chunk
        self.status = int(head.split(b" ", 2)[1]) if head.startswith(b"HTTP/1.1 ") else 0
        self.buffer = head.partition(b"\r\n\r\n")[2]

    def send(self, payload: bytes, opcode: int = 1) -> None:
        mask = os.urandom(4)
        n = len(payload)
        head = bytes([0x80 | opcode])
        if n < 126:
            head += bytes([0x80 | n])
        elif n < 65536:
            head += bytes([0x80 | 126]) + struct.pack("!H", n)
        else:
            head += bytes([0x80 | 127]) + struct.pack("!Q", n)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.sock.sendall(head + mask + masked)

    def close_code(self, timeout: float = 3.0) -> int | None:
        """Read frames until a close frame (its code) or the end of the stream (None)."""
        self.sock.settimeout(timeout)
        data = self.buffer
        try:
            while True:
                while len(data) >= 2:
                    opcode, n = data[0] & 0x0F, data[1] & 0x7F
                    pos = 2
                    if n == 126:
                        if len(data) < 4:
                            break
                        n, pos = struct.unpack("!H", data[2:4])[0], 4
                    elif n == 127:
                        if len(data) < 10:
                            break
                        n, pos = struct.unpack("!Q", data[2:10])[0], 10
                    if len(data) < pos + n:
                        break
                    payload, data = data[pos:pos + n], data[pos + n:]
                    if opcode == 8:
                        return struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else 1005
                chunk = self.sock.recv(65536)
                if not chunk:
                    return None
                data += chunk
        except OSError:
            return None

    def abort(self) -> None:
        """End the TCP connection with a reset, no close frame."""
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.sock.close()

    def close(self) -> None:
        self.sock.close()
