"""End to end: the ``wolfpy`` command line as a user runs it (docs/getting-started.md).

Every test drives the real ``wolfpy`` console script of the running interpreter in a
subprocess (its own process group, output to files, killed at teardown) on a free
loopback port, and talks to it over plain HTTP (``http.client``) or a raw socket.

- ``wolfpy new demo`` + ``wolfpy serve --no-reload``: the welcome page and its stylesheet.
- ``wolfpy serve`` (reloading): a new route is served within seconds, edits show up (in the
  same process: more in test_devserver_reload.py), a
  syntax error becomes an error page naming ``file:line`` and the site comes back when it
  is fixed; a template edit is picked up without restarting the serving process;
  debug HTML pages carry the live-reload script and ``/_wolfpy/livereload`` emits
  ``event: reload`` when a template or a static file changes.
- A busy port, and running outside a project: one-line errors, non-zero exits.
- ``wolfpy serve --prod``: gunicorn serves the app; without a secret key it refuses.

Regression tests: a template saved in the same wall-clock second as its last render is
re-read, and SIGTERM to ``wolfpy serve`` stops what it started (uvicorn child / gunicorn).

The measured latencies (file written -> change served) are printed and recorded with
``record_property``; run with ``-rP`` (or ``-s``) to see them.
"""
from __future__ import annotations

import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Callable, Iterator, NamedTuple

import pytest

from .conftest import HOST, SECRET, Server, free_port, server_env

pytestmark = pytest.mark.e2e

EDIT_DEADLINE = 10.0       # generous bound for polling; the assertion below is tighter
EDIT_BUDGET = 5.0          # "within a few seconds": a file edit must be served within this
CLI_TIMEOUT = 30.0


# --------------------------------------------------------------------------- helpers

def wolfpy_cmd() -> list[str]:
    """The ``wolfpy`` console script of this interpreter (or the same entry point via -c)."""
    script = Path(sys.executable).with_name("wolfpy")
    if script.is_file() and os.access(script, os.X_OK):
        return [str(script)]
    return [sys.executable, "-c", "from wolfpy.cli.main import main; main()"]


class Result(NamedTuple):
    returncode: int
    stdout: str
    stderr: str


def run_cli(args: list[str], cwd: Path, env: dict[str, str] | None = None,
            timeout: float = CLI_TIMEOUT) -> Result:
    """Run ``wolfpy ARGS`` to completion in its own process group (killed whole on timeout)."""
    proc = subprocess.Popen([*wolfpy_cmd(), *args], cwd=cwd,
                            env=server_env(secret=None) if env is None else env,
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True)
    with proc:
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _killpg(proc.pid)
            out, err = proc.communicate()
            raise AssertionError(f"wolfpy {' '.join(args)} still running after {timeout}s:\n"
                                 f"{out.decode(errors='replace')}\n{err.decode(errors='replace')}") from None
        finally:
            _killpg(proc.pid)  # anything it left behind in its group
    return Result(proc.returncode, out.decode(errors="replace"), err.decode(errors="replace"))


def _killpg(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


class CliServer(Server):
    """``wolfpy serve --port P ARGS`` run from ``project`` (reuses the conftest's lifecycle)."""

    def __init__(self, project: Path, logs: Path, args: tuple[str, ...] = (),
                 env: dict[str, str] | None = None) -> None:
        super().__init__("wolfpy-serve", project, logs, server_env(secret=None) if env is None else env, args)

    def start(self) -> "CliServer":
        self._out = open(self.out_path, "wb")
        self._err = open(self.err_path, "wb")
        self.proc = subprocess.Popen([*wolfpy_cmd(), "serve", "--port", str(self.port), *self.args],
                                     cwd=self.project, env=self.env, stdin=subprocess.DEVNULL,
                                     stdout=self._out, stderr=self._err, start_new_session=True)
        return self

    def stdout(self) -> str:
        return self.out_path.read_text(errors="replace") if self.out_path.exists() else ""

    def wait_for_stdout(self, pattern: str, timeout: float = 10.0) -> re.Match[str]:
        deadline = time.monotonic() + timeout
        while True:
            match = re.search(pattern, self.stdout())
            if match:
                return match
            if time.monotonic() > deadline:
                raise AssertionError(f"{pattern!r} not printed within {timeout}s:\n{self.output()}")
            time.sleep(0.05)


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Callable[..., CliServer]]:
    """``serve(project, args, env)``: a started ``wolfpy serve``, stopped (whole group) at teardown."""
    started: list[CliServer] = []

    def start(project: Path, args: tuple[str, ...] = (), env: dict[str, str] | None = None) -> CliServer:
        server = CliServer(project, tmp_path / "logs", args, env)
        started.append(server)
        return server.start()

    yield start
    for server in started:
        server.stop()


class Reply(NamedTuple):
    status: int
    headers: dict[str, str]
    text: str


def get(port: int, path: str, timeout: float = 5.0) -> Reply:
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request("GET", path)
        resp = conn.getresponse()
        body = resp.read()
        headers = {k.lower(): v for k, v in resp.getheaders()}
        return Reply(resp.status, headers, body.decode("utf-8", errors="replace"))
    finally:
        conn.close()


def poll(port: int, path: str, accept: Callable[[Reply], bool], timeout: float = EDIT_DEADLINE,
         server: Server | None = None) -> tuple[Reply, float]:
    """GET ``path`` until ``accept(reply)``; returns the reply and the seconds it took."""
    start = time.monotonic()
    last: Reply | str = "no reply"
    while True:
        if server is not None and server.proc is not None and server.proc.poll() is not None:
            raise AssertionError(f"the server exited ({server.proc.returncode}):\n{server.output()}")
        try:
            last = get(port, path)
            if accept(last):
                return last, time.monotonic() - start
        except OSError as exc:
            last = repr(exc)
        if time.monotonic() - start > timeout:
            out = server.output() if server is not None else ""
            raise AssertionError(f"GET {path}: condition not met within {timeout}s; last: {last!r}\n{out}")
        time.sleep(0.05)


def new_project(parent: Path, name: str = "demo") -> Path:
    result = run_cli(["new", name], cwd=parent)
    assert result.returncode == 0, result
    project = parent / name
    assert (project / "wolfpy.toml").is_file()
    return project


def report(record_property: Callable[[str, Any], None], name: str, seconds: float) -> None:
    record_property(name, round(seconds, 3))
    print(f"[timing] {name}: {seconds:.3f}s")


LIVERELOAD_SCRIPT = re.compile(r"<script>[^<]*/_wolfpy/livereload[^<]*</script>")


def without_livereload(html: str) -> str:
    """``html`` less the dev server's injected live-reload ``<script>``."""
    return LIVERELOAD_SCRIPT.sub("", html)


def one_line(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    assert len(lines) == 1, f"expected exactly one line, got {len(lines)}:\n{text}"
    assert "Traceback" not in text
    return lines[0]


# --------------------------------------------------------------------------- 1. new + serve --no-reload

def test_new_then_serve_no_reload(tmp_path: Path, serve: Callable[..., CliServer]) -> None:
    project = new_project(tmp_path)
    server = serve(project, ("--no-reload",)).wait_ready()

    home = get(server.port, "/")
    assert home.status == 200
    assert home.headers["content-type"].startswith("text/html")
    assert "Welcome to demo" in home.text

    css = get(server.port, "/static/css/app.css")
    assert css.status == 200
    assert css.headers["content-type"].startswith("text/css")
    assert css.text == (project / "static/css/app.css").read_text()

    missing = get(server.port, "/no-such-page")
    assert missing.status == 404

    match = server.wait_for_stdout(
        rf"http://127\.0\.0\.1:{server.port}\b[^\n]*?\b(\d+) routes?\b")
    assert int(match.group(1)) >= 1, match.group(0)
    assert "Traceback" not in server.output()


# --------------------------------------------------------------------------- 2. the reloading dev server

@pytest.fixture(scope="module")
def dev(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CliServer]:
    """One reloading ``wolfpy serve`` on a fresh ``wolfpy new demo`` for the tests below.

    Each test adds its own files; the syntax-error test puts things back as it found them.
    """
    base = tmp_path_factory.mktemp("devserver")
    project = new_project(base)
    (project / "routes/pid.py").write_text(
        "import os\n\n\ndef get(request):\n    return {\"pid\": os.getpid()}\n")
    server = CliServer(project, base / "logs")
    try:
        server.start().wait_ready()
        server.wait_for_stdout(rf"http://127\.0\.0\.1:{server.port}")
        yield server
    finally:
        server.stop()


def restarts(server: CliServer) -> int:
    return server.stderr().count("restarting")


def child_pid(server: CliServer) -> int:
    reply, _ = poll(server.port, "/pid", lambda r: r.status == 200, server=server)
    assert reply.headers["content-type"].startswith("application/json"), reply
    return int(json.loads(reply.text)["pid"])


def test_new_route_is_served_within_seconds_then_edits_show(
        dev: CliServer, record_property: Callable[[str, Any], None]) -> None:
    route = dev.project / "routes/hello.py"
    assert get(dev.port, "/hello").status == 404
    pid_before = child_pid(dev)

    route.write_text('def get(request):\n    return "hi"\n')
    reply, took = poll(dev.port, "/hello", lambda r: r.status == 200, server=dev)
    report(record_property, "new route served", took)
    # A str is an HTML page (docs/routing.md), so in debug it carries the live-reload script.
    assert reply.headers["content-type"].startswith("text/html")
    assert without_livereload(reply.text) == "hi"
    assert took < EDIT_BUDGET, f"new route took {took:.2f}s to be served"

    route.write_text('def get(request):\n    return "hello again"\n')
    reply, took = poll(dev.port, "/hello", lambda r: without_livereload(r.text) == "hello again", server=dev)
    report(record_property, "route edit served", took)
    assert reply.status == 200
    assert took < EDIT_BUDGET, f"route edit took {took:.2f}s to be served"

    # A route file is reloaded in the serving process (test_devserver_reload.py has the rest).
    assert child_pid(dev) == pid_before
    assert "hello.py: reloaded in" in dev.stderr()


def test_syntax_error_shows_error_page_and_site_comes_back(
        dev: CliServer, record_property: Callable[[str, Any], None]) -> None:
    broken = dev.project / "routes/broken.py"
    try:
        broken.write_text("def get(request):\n    return )\n")
        reply, took = poll(dev.port, "/", lambda r: r.status == 500, server=dev)
        report(record_property, "syntax error page shown", took)
        assert reply.headers["content-type"].startswith("text/html")
        assert "routes/broken.py:2" in reply.text, reply.text
        assert "/_wolfpy/livereload" in reply.text      # the error page reloads itself once fixed
        assert "Traceback" not in reply.text
        # Every URL shows the error page while the project cannot load; the server stays up.
        assert get(dev.port, "/pid").status == 500
        assert dev.proc is not None and dev.proc.poll() is None
        assert "routes/broken.py:2" in dev.stderr()

        broken.write_text('def get(request):\n    return "fixed"\n')
        reply, took = poll(dev.port, "/", lambda r: r.status == 200, server=dev)
        report(record_property, "site back after fix", took)
        assert "Welcome to demo" in reply.text
        assert without_livereload(get(dev.port, "/broken").text) == "fixed"
    finally:
        broken.unlink(missing_ok=True)
    poll(dev.port, "/broken", lambda r: r.status == 404, server=dev)


def next_whole_second() -> None:
    """Wait (at most 1 s, polling) until the wall clock enters a new second."""
    now = time.time()
    while int(time.time()) == int(now):
        time.sleep(0.01)


def test_template_edit_is_served_without_restart(
        dev: CliServer, record_property: Callable[[str, Any], None]) -> None:
    template = dev.project / "templates/index.html"
    home, _ = poll(dev.port, "/", lambda r: r.status == 200, server=dev)
    assert "Your WolfPy app is running." in home.text
    pid_before = child_pid(dev)
    restarts_before = restarts(dev)

    original = template.read_text()
    # Save in a later second than the render above: a save within the same second is
    # a known miss, see test_template_edit_in_the_same_second_as_a_render_is_served.
    next_whole_second()
    try:
        template.write_text(original.replace("Your WolfPy app is running.", "Edited while serving."))
        reply, took = poll(dev.port, "/", lambda r: "Edited while serving." in r.text, server=dev)
        report(record_property, "template edit served", took)
        assert reply.status == 200
        assert took < EDIT_BUDGET, f"template edit took {took:.2f}s to be served"
        next_whole_second()
    finally:
        template.write_text(original)
    poll(dev.port, "/", lambda r: "Your WolfPy app is running." in r.text, server=dev)

    assert child_pid(dev) == pid_before, "a template edit restarted the serving process"
    assert restarts(dev) == restarts_before, dev.stderr()


def test_template_edit_in_the_same_second_as_a_render_is_served(dev: CliServer) -> None:
    template = dev.project / "templates/second.html"
    route = dev.project / "routes/second.py"
    template.write_text("<p>version one</p>\n")
    route.write_text('from wolfpy import render\n\n\ndef get(request):\n    return render("second.html")\n')
    try:
        poll(dev.port, "/second", lambda r: r.status == 200, server=dev)
        # At the start of a fresh second: save (a later second than any earlier render, so
        # it is re-read and recompiled by the next request), render, and save again at once,
        # in the same wall-clock second: what a format-on-save right after a reload does.
        for attempt in range(5):
            next_whole_second()
            started = time.time()
            template.write_text(f"<p>version A{attempt}</p>\n")
            first = get(dev.port, "/second")
            template.write_text(f"<p>version B{attempt}</p>\n")
            if int(time.time()) == int(started):
                break
        assert f"version A{attempt}" in first.text, first
        expected = f"version B{attempt}"
        reply, _ = poll(dev.port, "/second", lambda r: expected in r.text, timeout=EDIT_BUDGET, server=dev)
        assert reply.status == 200
    finally:
        route.unlink(missing_ok=True)
        template.unlink(missing_ok=True)
        poll(dev.port, "/second", lambda r: r.status == 404, server=dev)


def test_debug_html_pages_carry_the_livereload_script(dev: CliServer) -> None:
    home, _ = poll(dev.port, "/", lambda r: r.status == 200, server=dev)
    assert "/_wolfpy/livereload" in home.text
    assert "EventSource" in home.text
    assert home.text.rstrip().endswith("</html>")
    assert home.text.index("/_wolfpy/livereload") < home.text.rindex("</body>")
    css = get(dev.port, "/static/css/app.css")
    assert css.status == 200 and "livereload" not in css.text


class EventStream:
    """A raw socket on ``GET /_wolfpy/livereload``; ``wait_for(b"event: reload")`` with a timeout."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection((HOST, port), timeout=5)
        self.sock.sendall(f"GET /_wolfpy/livereload HTTP/1.1\r\nHost: {HOST}:{port}\r\n"
                          "Accept: text/event-stream\r\n\r\n".encode())
        self.buffer = b""
        self.read_until(b"\r\n\r\n", 5.0)
        head, _, self.buffer = self.buffer.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        self.status = int(lines[0].split()[1])
        self.headers = {k.strip().lower(): v.strip() for k, v in
                        (line.split(":", 1) for line in lines[1:] if ":" in line)}

    def read_until(self, needle: bytes, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while needle not in self.buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            self.sock.settimeout(remaining)
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout:
                return False
            if not chunk:
                raise AssertionError(f"the event stream closed; received: {self.buffer!r}")
            self.buffer += chunk
        return True

    def take(self, needle: bytes) -> None:
        """Drop everything up to and including the first ``needle``."""
        self.buffer = self.buffer.split(needle, 1)[1]

    def close(self) -> None:
        self.sock.close()


def changes_until_reload(stream: EventStream, touch: Callable[[int], None], timeout: float = EDIT_DEADLINE,
                         every: float = 1.0) -> tuple[int, float]:
    """Change a file (again every ``every`` s) until ``event: reload`` arrives.

    The stream's file watcher starts when the first client connects, so the very
    first change may land before it watches; retrying keeps the test robust and the
    number of writes needed is returned (with the latency of the last one)."""
    deadline = time.monotonic() + timeout
    writes = 0
    while time.monotonic() < deadline:
        writes += 1
        touch(writes)
        written = time.monotonic()
        if stream.read_until(b"event: reload", min(every, max(0.0, deadline - written))):
            took = time.monotonic() - written
            stream.take(b"event: reload")
            return writes, took
    raise AssertionError(f"no 'event: reload' within {timeout}s after {writes} writes; got {stream.buffer!r}")


def test_livereload_stream_emits_reload_on_template_and_static_changes(
        dev: CliServer, record_property: Callable[[str, Any], None]) -> None:
    poll(dev.port, "/", lambda r: r.status == 200, server=dev)
    restarts_before = restarts(dev)
    stream = EventStream(dev.port)
    layout = dev.project / "templates/layout.html"
    css = dev.project / "static/css/app.css"
    layout_original, css_original = layout.read_text(), css.read_text()
    try:
        assert stream.status == 200
        assert stream.headers["content-type"].startswith("text/event-stream")
        assert stream.read_until(b"\n\n", 5.0), stream.buffer   # the first frame (retry: ...)

        writes, took = changes_until_reload(
            stream, lambda n: layout.write_text(layout_original + f"\n<!-- edit {n} -->\n"))
        report(record_property, "livereload event after template edit", took)
        record_property("livereload template writes needed", writes)
        print(f"[timing] template writes needed before the first reload event: {writes}")

        # A second tab: every open stream is told, by one change of a static file.
        second = EventStream(dev.port)
        try:
            assert second.read_until(b"\n\n", 5.0), second.buffer
            writes, took = changes_until_reload(
                stream, lambda n: css.write_text(css_original + f"\n/* edit {n} */\n"))
            report(record_property, "livereload event after static edit", took)
            assert writes == 1, "the (already running) watcher missed a static file change"
            assert took < EDIT_BUDGET
            assert second.read_until(b"event: reload", EDIT_BUDGET), second.buffer
        finally:
            second.close()
    finally:
        stream.close()
        layout.write_text(layout_original)
        css.write_text(css_original)
    served, _ = poll(dev.port, "/static/css/app.css", lambda r: r.text == css_original, server=dev)
    assert served.status == 200
    assert restarts(dev) == restarts_before, "a template/static change restarted the child"


# --------------------------------------------------------------------------- 3. busy port

@pytest.mark.parametrize("mode", [(), ("--no-reload",), ("--prod",)], ids=["reload", "no-reload", "prod"])
def test_busy_port_is_one_line_error(tmp_path: Path, mode: tuple[str, ...]) -> None:
    project = new_project(tmp_path)
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.bind((HOST, 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        result = run_cli(["serve", "--port", str(port), *mode], cwd=project,
                         env=server_env(secret=SECRET))
    assert result.returncode != 0, result
    line = one_line(result.stderr)
    assert str(port) in line, line
    assert line.startswith("error:"), line


# --------------------------------------------------------------------------- 4. outside a project

@pytest.mark.parametrize("args", [["serve"], ["routes"], ["serve", "--no-reload"], ["check"], ["test"]],
                         ids=" ".join)
def test_outside_a_project_is_one_line_error(tmp_path: Path, args: list[str]) -> None:
    result = run_cli(args, cwd=tmp_path)
    assert result.returncode != 0, result
    line = one_line(result.stderr)
    assert "wolfpy.toml" in line, line


def test_debug_outside_a_project_still_fails(tmp_path: Path) -> None:
    result = run_cli(["--debug", "routes"], cwd=tmp_path)
    assert result.returncode != 0, result
    assert "wolfpy.toml" in result.stderr


# --------------------------------------------------------------------------- 5. --prod

def production_project(tmp_path: Path) -> Path:
    project = new_project(tmp_path)
    assert "debug = true" not in (project / "wolfpy.toml").read_text()   # deployable as made
    return project


def test_prod_serves_with_gunicorn(tmp_path: Path, serve: Callable[..., CliServer],
                                   record_property: Callable[[str, Any], None]) -> None:
    project = production_project(tmp_path)
    started = time.monotonic()
    server = serve(project, ("--prod", "--workers", "2"), server_env(secret=SECRET)).wait_ready(30)
    report(record_property, "prod server ready", time.monotonic() - started)

    home = get(server.port, "/")
    assert home.status == 200
    assert "Welcome to demo" in home.text
    assert "/_wolfpy/livereload" not in home.text        # no live reload with debug off
    assert get(server.port, "/static/css/app.css").headers["content-type"].startswith("text/css")
    assert get(server.port, "/_wolfpy/livereload").status == 404

    server.wait_for_stdout(rf"gunicorn, 2 workers\): http://127\.0\.0\.1:{server.port}")
    # gunicorn's own log lines: its master and two booted workers.
    deadline = time.monotonic() + 10
    while server.output().count("Booting worker") < 2:
        assert time.monotonic() < deadline, server.output()
        time.sleep(0.05)
    assert "Starting gunicorn" in server.output()


def test_prod_without_secret_key_refuses(tmp_path: Path) -> None:
    project = production_project(tmp_path)
    port = free_port()
    result = run_cli(["serve", "--prod", "--workers", "2", "--port", str(port)], cwd=project,
                     env=server_env(secret=None))
    assert result.returncode != 0, result
    line = one_line(result.stderr)
    assert "secret key" in line.lower() or "WOLFPY_SECRET_KEY" in line, line
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:   # nothing was left listening
        assert probe.connect_ex((HOST, port)) != 0


# --------------------------------------------------------------------------- stopping

def port_refuses(port: int, timeout: float) -> bool:
    """True once nothing accepts connections on ``port`` (polled until ``timeout``)."""
    deadline = time.monotonic() + timeout
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.settimeout(1)
            if probe.connect_ex((HOST, port)) != 0:
                return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)


@pytest.mark.parametrize("mode", [(), ("--prod", "--workers", "1")], ids=["reload", "prod"])
def test_sigterm_to_wolfpy_serve_stops_what_it_started(
        tmp_path: Path, serve: Callable[..., CliServer], mode: tuple[str, ...]) -> None:
    project = production_project(tmp_path) if mode else new_project(tmp_path)
    server = serve(project, mode, server_env(secret=SECRET)).wait_ready(30)
    assert server.proc is not None
    server.proc.send_signal(signal.SIGTERM)          # the wolfpy process only, not its group
    server.proc.wait(10)
    assert port_refuses(server.port, 3.0), (
        f"port {server.port} still served after `wolfpy serve` exited ({server.proc.returncode})")
