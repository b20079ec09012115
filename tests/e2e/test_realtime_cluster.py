"""The chat example on two real uvicorn servers sharing Redis and PostgreSQL.

One module-scoped pair of servers (A and B) runs ``examples/chat`` with
``[realtime] backend = "redis"`` and Redis sessions. The tests run in file order: the
last one kills B with SIGKILL.
"""
from __future__ import annotations

import http.client
import json
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from base64 import b64encode
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import urlencode, urlsplit, urlunsplit

import pytest

from tests.e2e.conftest import HOST, Server, server_env
from tests.services import service_url

pytestmark = pytest.mark.e2e

import websockets.sync.client as websockets_sync  # noqa: E402  # the dev extra installs it: missing is a failure, never a skip

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "chat"
PASSWORD = "correct horse battery staple"
PRESENCE_TTL = 3
BOUND = PRESENCE_TTL * 4 / 3

FLOOD = '''
from wolfpy.realtime import broadcast
from wolfpy.realtime.stats import local_stats


async def get(request):
    n = min(int(request.query.get("n", "0")), 5000)
    pad = "x" * min(int(request.query.get("size", "10")), 100_000)
    for _ in range(n):
        await broadcast(request.query.get("room", "lobby"), {"from": "flood", "text": pad})
    return local_stats(request.app)
'''


def wolfpy_cli(project: Path, env: dict[str, str], *args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "wolfpy.cli.main", *args], cwd=project, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    import psycopg2
    import redis
    pg, redis_url = service_url("postgres"), service_url("redis")
    tag = uuid.uuid4().hex[:10]
    dbname = f"wolfpy_rt_{tag}"
    admin = psycopg2.connect(pg)
    admin.autocommit = True
    admin.cursor().execute(f'CREATE DATABASE "{dbname}"')
    parts = urlsplit(pg)
    db_url = urlunsplit((parts.scheme, parts.netloc, "/" + dbname, parts.query, ""))
    prefix = f"wolfpy-test:{tag}:"
    root = tmp_path_factory.mktemp("chat") / "chat"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns("*.sqlite3", "logs", "__pycache__"))
    (root / "routes" / "testing").mkdir()
    (root / "routes" / "testing" / "flood.py").write_text(FLOOD)
    env = server_env(DATABASE_URL=db_url, REDIS_URL=redis_url, WOLFPY_APP_NAME=f"chat-{tag}",
                     WOLFPY_REALTIME_BACKEND="redis", WOLFPY_REALTIME_REDIS_PREFIX=prefix,
                     WOLFPY_REALTIME_PRESENCE_TTL=str(PRESENCE_TTL), WOLFPY_REALTIME_MAX_QUEUE="16",
                     WOLFPY_SESSION_BACKEND="redis", WOLFPY_SESSION_LIFETIME="600")
    servers: list[Server] = []
    try:
        wolfpy_cli(root, env, "db", "migrate", "--yes")
        for name in ("ann", "bob", "zed"):
            wolfpy_cli(root, env, "create", "user", name, "--password", PASSWORD)
        wolfpy_cli(root, env, "create", "user", "root", "--password", PASSWORD, "--admin")
        logs = tmp_path_factory.mktemp("chat-logs")
        servers = [Server("uvicorn", root, logs, env) for _ in range(2)]
        for server in servers:
            server.start()
        for server in servers:
            server.wait_ready()
        # Signed in once here: the throttling test blocks further logins from 127.0.0.1.
        sessions = {name: signed_in(servers[i % 2], name) for i, name in enumerate(("ann", "bob", "zed", "root"))}
        yield {"a": servers[0], "b": servers[1], "as": sessions}
    finally:
        for server in servers:
            server.stop()
        client = redis.Redis.from_url(redis_url)
        for pattern in (prefix + "*", f"wolfpy:throttle:chat-{tag}:*"):
            keys = list(client.scan_iter(match=pattern))
            if keys:
                client.delete(*keys)
        client.close()
        admin.cursor().execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
        admin.close()


class Browser:
    """Cookies kept across servers (one site, two ports), Origin on POSTs."""

    def __init__(self) -> None:
        self.cookies: dict[str, str] = {}

    def request(self, server: Server, method: str, path: str, form: dict[str, str] | None = None,
                headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], str]:
        conn = http.client.HTTPConnection(HOST, server.port, timeout=30)
        hdrs = {"Host": f"{HOST}:{server.port}"}
        body = None
        if form is not None:
            body = urlencode(form).encode()
            hdrs["Content-Type"] = "application/x-www-form-urlencoded"
            hdrs["Origin"] = server.origin
        if self.cookies:
            hdrs["Cookie"] = self.cookie_header
        hdrs.update(headers or {})
        try:
            conn.request(method, path, body=body, headers=hdrs)
            resp = conn.getresponse()
            status, reply_headers, text = resp.status, resp.getheaders(), resp.read().decode("utf-8", "replace")
        finally:
            conn.close()
        for name, value in reply_headers:
            if name.lower() == "set-cookie":
                jar: SimpleCookie = SimpleCookie()
                jar.load(value)
                for key, morsel in jar.items():
                    self.cookies[key] = morsel.value
        return status, {k.lower(): v for k, v in reply_headers}, text

    @property
    def cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    def login(self, server: Server, username: str, password: str = PASSWORD) -> int:
        status, _, page = self.request(server, "GET", "/auth/login")
        assert status == 200, page[:300]
        token = re.search(r'name="csrf_token" value="([^"]+)"', page)
        assert token, page[:300]
        status, _, _ = self.request(server, "POST", "/auth/login",
                                    {"username": username, "password": password, "csrf_token": token.group(1)})
        return status


def signed_in(server: Server, username: str) -> Browser:
    browser = Browser()
    assert browser.login(server, username) == 303
    return browser


def connect(server: Server, browser: Browser | None, room: str = "lobby", since: int | None = None) -> Any:
    query = f"?since={since}" if since is not None else ""
    headers = {"Origin": server.origin}
    if browser is not None:
        headers["Cookie"] = browser.cookie_header
    return websockets_sync.connect(f"ws://{HOST}:{server.port}/rooms/{room}{query}",
                                   additional_headers=headers, open_timeout=10)


def receive_until(ws: Any, predicate: Any, timeout: float = 10) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        message = json.loads(ws.recv(timeout=max(deadline - time.monotonic(), 0.01)))
        if predicate(message):
            return message


def members(event: dict[str, Any], key: str) -> list[str]:
    return sorted(m["identity"] for m in event[key])


def presence_has(*names: str) -> Any:
    return lambda m: m.get("type") == "presence" and set(names) <= set(members(m, "joins"))


def test_a_session_made_on_one_server_is_valid_on_the_other(cluster):
    a, b = cluster["a"], cluster["b"]
    ann = signed_in(a, "ann")
    status, _, page = ann.request(b, "GET", "/rooms/lobby")
    assert status == 200 and "ann" in page and "#lobby" in page
    status, headers, _ = Browser().request(b, "GET", "/rooms/lobby")
    assert status == 303 and headers["location"].startswith("/auth/login")


def test_the_handshake_reads_the_session_and_checks_origin(cluster):
    a = cluster["a"]
    ann = cluster["as"]["ann"]
    with connect(a, ann) as ws:  # joined as ann: the first message is the member list
        assert members(json.loads(ws.recv(timeout=10)), "joins") == ["ann"]
    with connect(a, None) as anonymous:  # no session: authorize() refuses the join
        with pytest.raises(Exception):
            anonymous.recv(timeout=10)
        assert anonymous.close_code == 4403
    with pytest.raises(Exception):
        websockets_sync.connect(f"ws://{HOST}:{a.port}/rooms/lobby", open_timeout=10,
                                additional_headers={"Origin": "http://evil.example",
                                                    "Cookie": ann.cookie_header})


def test_a_message_sent_through_one_server_reaches_the_other_and_presence_spans_both(cluster):
    a, b = cluster["a"], cluster["b"]
    ann, bob = cluster["as"]["ann"], cluster["as"]["bob"]
    with connect(a, ann, "random") as on_a, connect(b, bob, "random") as on_b:
        receive_until(on_a, presence_has("bob"))
        on_b.send(json.dumps({"text": "hello from B"}))
        got = receive_until(on_a, lambda m: m.get("text") == "hello from B")
        assert got["from"] == "bob" and isinstance(got["id"], int)
        on_a.send(json.dumps({"text": "hello from A"}))
        assert receive_until(on_b, lambda m: m.get("text") == "hello from A")["from"] == "ann"
        # The member list a newcomer on B receives names the members of both servers.
        with connect(b, cluster["as"]["zed"], "random") as late:
            assert members(json.loads(late.recv(timeout=10)), "joins") == ["ann", "bob", "zed"]


def test_a_reconnect_with_since_gets_exactly_the_missed_messages(cluster):
    a, b = cluster["a"], cluster["b"]
    ann, bob = cluster["as"]["ann"], cluster["as"]["bob"]
    with connect(b, bob, "random") as sender:
        receive_until(sender, presence_has("bob"))
        with connect(a, ann, "random") as first:
            sender.send(json.dumps({"text": "before"}))
            last_seen = receive_until(first, lambda m: m.get("text") == "before")["id"]
        missed = [f"missed {n}" for n in range(5)]
        for text in missed:
            sender.send(json.dumps({"text": text}))
        receive_until(sender, lambda m: m.get("text") == missed[-1])
        with connect(a, ann, "random", since=last_seen) as again:
            got = [json.loads(again.recv(timeout=10)) for _ in range(6)]
            texts = [m["text"] for m in got if m.get("type") != "presence"]
            assert texts == missed  # nothing lost, nothing twice
            with pytest.raises(TimeoutError):
                again.recv(timeout=0.5)


def rss_kb(server: Server) -> int:
    assert server.proc is not None
    status = Path(f"/proc/{server.proc.pid}/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+)", status).group(1))


def test_a_client_that_does_not_read_is_disconnected_and_memory_stays_flat(cluster):
    a = cluster["a"]
    ann, bob, admin = cluster["as"]["ann"], cluster["as"]["bob"], cluster["as"]["root"]
    # A raw client: the handshake, then it never reads again (its receive window fills).
    raw = socket.create_connection((HOST, a.port), timeout=10)
    raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    key = b64encode(uuid.uuid4().bytes).decode()
    raw.sendall((f"GET /rooms/random HTTP/1.1\r\nHost: {HOST}:{a.port}\r\nUpgrade: websocket\r\n"
                 f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
                 f"Origin: {a.origin}\r\nCookie: {ann.cookie_header}\r\n\r\n").encode())
    assert raw.recv(12) == b"HTTP/1.1 101"
    try:
        before = rss_kb(a)
        # 1,000 messages of 64 kB (64 MB): buffered without limit they would show in RSS.
        for _ in range(4):
            status, _, _ = bob.request(a, "GET", "/testing/flood?room=random&n=250&size=65536")
            assert status == 200
        deadline = time.monotonic() + 20
        while True:
            status, _, text = admin.request(a, "GET", "/_wolfpy/stats")
            assert status == 200, text
            mine = [p for p in json.loads(text)["processes"] if p["pid"] == a.proc.pid]
            if mine and mine[0]["slow_disconnects"] >= 1 or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert mine[0]["slow_disconnects"] == 1
        growth_mb = (rss_kb(a) - before) / 1024
        assert growth_mb < 50, f"RSS grew by {growth_mb:.0f} MB"
    finally:
        raw.close()


def test_login_throttling_counts_across_both_servers(cluster):
    a, b = cluster["a"], cluster["b"]
    browser = Browser()
    statuses = [browser.login(server, "zed", "wrong password") for server in (a, b, a, b, a)]
    assert statuses == [401] * 5
    assert browser.login(b, "zed", "wrong password") == 429
    assert browser.login(a, "zed") == 429  # even the right password, until the window passes


def test_stats_list_both_servers_and_a_killed_server_leaves_presence_within_the_bound(cluster):
    a, b = cluster["a"], cluster["b"]
    with connect(a, cluster["as"]["ann"], "lobby") as watcher, connect(b, cluster["as"]["bob"], "lobby"):
        receive_until(watcher, presence_has("bob"))
        status, _, text = cluster["as"]["root"].request(a, "GET", "/_wolfpy/stats")
        pids = sorted(p["pid"] for p in json.loads(text)["processes"])
        assert status == 200 and pids == sorted([a.proc.pid, b.proc.pid])
        status, _, _ = cluster["as"]["ann"].request(a, "GET", "/_wolfpy/stats")
        assert status == 403
        b._signal(signal.SIGKILL)
        killed = time.monotonic()
        left = receive_until(watcher, lambda m: m.get("type") == "presence" and m["leaves"], timeout=BOUND + 10)
        took = time.monotonic() - killed
        assert members(left, "leaves") == ["bob"]
        assert took <= BOUND + 2, f"bob left {took:.1f}s after the kill (bound {BOUND:.1f}s)"
