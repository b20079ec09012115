"""The access log's file is written by a thread of its own: a slow disk does not slow the
requests, every line still reaches the file at shutdown, and a full queue drops (and
counts) lines instead of blocking."""
from __future__ import annotations

import asyncio
import http.client
import json
import threading
import time
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest

from wolfpy import logwriter
from wolfpy.logs import _RotatingFile

from .test_logging import ROUTES, TOML, access, records

SLOW = 0.2  # seconds the disk takes for each line


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass


def _slow_disk(monkeypatch: pytest.MonkeyPatch, gate: threading.Event | None = None,
               stuck: threading.Event | None = None) -> None:
    write = _RotatingFile._write

    def slow(self: _RotatingFile, line: str) -> None:
        if gate is not None and stuck is not None:
            stuck.set()
            gate.wait(10)
        else:
            time.sleep(SLOW)
        write(self, line)
    monkeypatch.setattr(_RotatingFile, "_write", slow)


def test_a_slow_disk_does_not_slow_requests_and_every_line_reaches_the_file(load_app, monkeypatch):
    _slow_disk(monkeypatch)
    app = load_app(ROUTES, toml=TOML)
    server = make_server("127.0.0.1", 0, app, handler_class=_Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    paths = [f"/hello?n={i}" if i % 2 else "/me" for i in range(10)]
    try:
        start = time.perf_counter()
        for path in paths:
            conn = http.client.HTTPConnection("127.0.0.1", server.server_port, timeout=10)
            conn.request("GET", path)
            assert conn.getresponse().status == 200
            conn.close()
        took = time.perf_counter() - start
    finally:
        server.shutdown()
        server.server_close()
    # Written on the request, the ten lines would have taken 10 × SLOW = 2 s.
    assert took < 5 * SLOW, took
    asyncio.run(app.shutdown())  # what a server's shutdown runs: the queue is written out
    assert [line["path"] for line in access(app)] == [p.split("?")[0] for p in paths]


def test_a_full_queue_drops_lines_and_says_how_many(load_app, monkeypatch):
    gate, stuck = threading.Event(), threading.Event()
    _slow_disk(monkeypatch, gate, stuck)
    monkeypatch.setattr(logwriter, "QUEUE_LIMIT", 5)
    app = load_app(ROUTES, toml=TOML)
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/hello", "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "80",
               "HTTP_HOST": "127.0.0.1", "REMOTE_ADDR": "127.0.0.1", "wsgi.url_scheme": "http",
               "SERVER_PROTOCOL": "HTTP/1.1", "QUERY_STRING": ""}

    def get() -> None:
        body = app(dict(environ), lambda status, headers, exc_info=None: None)
        assert b"".join(body) == b"hello"
    get()
    assert stuck.wait(10)  # the writer is stuck on the first line
    start = time.perf_counter()
    for _ in range(29):
        get()
    assert time.perf_counter() - start < 5  # the disk is stuck, the requests are not
    gate.set()
    asyncio.run(app.shutdown())
    lines = records(app)
    [warning] = [line for line in lines if line["logger"] == "wolfpy.logs"]
    dropped = int(warning["message"].split()[0])
    assert warning["level"] == "WARNING" and warning["message"].endswith("dropped: the log file could not keep up")
    written = access(app)
    assert (len(written), dropped) == (1 + 5, 29 - 5)  # the stuck line, a full queue, the rest dropped
    assert all(line["path"] == "/hello" for line in written)
    assert json.dumps(lines)  # every line parsed as JSON


WORKER = """
import sys, wolfpy
app = wolfpy.load(sys.argv[1])
environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/hello", "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "80",
           "HTTP_HOST": "127.0.0.1", "REMOTE_ADDR": "127.0.0.1", "wsgi.url_scheme": "http",
           "SERVER_PROTOCOL": "HTTP/1.1", "QUERY_STRING": ""}
for i in range(int(sys.argv[2])):
    env = dict(environ, PATH_INFO="/hello" if i % 2 else "/me")
    b"".join(app(env, lambda status, headers, exc_info=None: None))
"""


def test_processes_sharing_the_file_write_whole_lines(make_project, monkeypatch, tmp_path):
    import os
    import subprocess
    import sys
    root = make_project(ROUTES, TOML)
    script = tmp_path / "worker.py"
    script.write_text(WORKER)
    env = dict(os.environ, WOLFPY_SECRET_KEY="s" * 50)
    workers = [subprocess.Popen([sys.executable, str(script), str(root), "5000"], env=env) for _ in range(3)]
    assert [w.wait(120) for w in workers] == [0, 0, 0]
    raw = (root / "logs" / "app.log").read_text(encoding="utf-8")
    lines = raw.split("\n")
    assert lines[-1] == ""
    parsed = [json.loads(line) for line in lines[:-1]]  # batches of two processes never split a line
    assert len([x for x in parsed if x["logger"] == "wolfpy.access"]) == 15000
