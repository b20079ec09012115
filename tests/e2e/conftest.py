"""Helpers for end-to-end tests: real gunicorn / uvicorn processes on a loopback port.

Everything here is standard library: servers are started with :mod:`subprocess`
(in their own process group, output to files so a chatty server can never block
on a full pipe), readiness is polled over plain HTTP with a deadline, and
teardown kills the whole group and closes every file.
"""
from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

import wolfpy

HOST = "127.0.0.1"
SECRET = "e2e-secret-key-" + "s" * 40          # >= 32 characters: production accepts it
REPO_ROOT = Path(wolfpy.__file__).resolve().parent.parent
START_TIMEOUT = 20.0
STOP_TIMEOUT = 5.0


def free_port() -> int:
    """A port that was free on 127.0.0.1 a moment ago (the server binds it next)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def server_command(kind: str, port: int, args: tuple[str, ...] = ()) -> list[str]:
    if kind == "gunicorn":
        # --no-control-socket: gunicorn >= 24 otherwise binds ~/.gunicorn/gunicorn.ctl,
        # shared by every gunicorn of the user (parallel test runs would clash).
        return [sys.executable, "-m", "gunicorn", "wolfpy.wsgi:application",
                "--bind", f"{HOST}:{port}", "--workers", "1", "--no-control-socket",
                "--graceful-timeout", "2", *args]
    if kind == "uvicorn":
        return [sys.executable, "-m", "uvicorn", "wolfpy.asgi:application",
                "--host", HOST, "--port", str(port), "--lifespan", "on", *args]
    raise ValueError(kind)


def server_env(secret: str | None = SECRET, hosts: str | None = HOST, **extra: str) -> dict[str, str]:
    """The environment of a server: no stray WOLFPY_* settings, wolfpy importable.

    ``hosts`` goes to WOLFPY_APP_ALLOWED_HOSTS, as a deployment sets it (the tests reach the
    server as 127.0.0.1); None leaves ``[app] allowed_hosts`` to the project's wolfpy.toml.
    """
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("WOLFPY_") and k not in ("DATABASE_URL", "REDIS_URL", "MONGO_URL")}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO_ROOT), env.get("PYTHONPATH", "")) if p)
    env["PYTHONUNBUFFERED"] = "1"
    if secret is not None:
        env["WOLFPY_SECRET_KEY"] = secret
    if hosts is not None:
        env["WOLFPY_APP_ALLOWED_HOSTS"] = hosts
    env.update(extra)
    return env


def write_project(root: Path, files: dict[str, str], toml: str) -> Path:
    """A project folder: ``wolfpy.toml``, ``routes/`` and ``files`` (dedented)."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "wolfpy.toml").write_text(textwrap.dedent(toml))
    (root / "routes").mkdir(exist_ok=True)
    for rel, source in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(source))
    return root


class Server:
    """One server process. ``start()`` returns at once; ``wait_ready()`` polls the port."""

    def __init__(self, kind: str, project: Path, logs: Path, env: dict[str, str] | None = None,
                 args: tuple[str, ...] = ()) -> None:
        self.kind = kind
        self.args = tuple(args)
        self.project = project
        self.port = free_port()
        self.env = server_env() if env is None else env
        logs.mkdir(parents=True, exist_ok=True)
        self.out_path = logs / f"{kind}-{self.port}.out"
        self.err_path = logs / f"{kind}-{self.port}.err"
        self.proc: subprocess.Popen[bytes] | None = None
        self._out: Any = None
        self._err: Any = None

    @property
    def origin(self) -> str:
        return f"http://{HOST}:{self.port}"

    def start(self) -> "Server":
        self._out = open(self.out_path, "wb")
        self._err = open(self.err_path, "wb")
        self.proc = subprocess.Popen(server_command(self.kind, self.port, self.args), cwd=self.project,
                                     env=self.env, stdin=subprocess.DEVNULL, stdout=self._out,
                                     stderr=self._err, start_new_session=True)
        return self

    def output(self) -> str:
        """What the server printed so far (stdout then stderr)."""
        parts = []
        for path in (self.out_path, self.err_path):
            if path.exists():
                parts.append(path.read_text(errors="replace"))
        return "\n".join(p for p in parts if p)

    def stderr(self) -> str:
        return self.err_path.read_text(errors="replace") if self.err_path.exists() else ""

    def wait_ready(self, timeout: float = START_TIMEOUT) -> "Server":
        """Poll with an HTTP request until the app answers; fail with its output if it dies."""
        assert self.proc is not None
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.kind} exited with code {self.proc.returncode} before "
                                   f"answering on port {self.port}:\n{self.output()}")
            conn = http.client.HTTPConnection(HOST, self.port, timeout=2)
            try:
                conn.request("GET", "/_e2e_readiness_probe")
                resp = conn.getresponse()
                resp.read()
                resp.close()
                return self
            except OSError:
                pass
            finally:
                conn.close()
            if time.monotonic() > deadline:
                raise RuntimeError(f"{self.kind} did not answer on port {self.port} within "
                                   f"{timeout}s:\n{self.output()}")
            time.sleep(0.05)

    def wait_exit(self, timeout: float = START_TIMEOUT) -> int:
        assert self.proc is not None
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"{self.kind} is still running after {timeout}s:\n{self.output()}") from None

    def stop(self) -> None:
        """Terminate the process group (master and workers), wait, close the log files."""
        proc = self.proc
        try:
            if proc is not None and proc.poll() is None:
                self._signal(signal.SIGTERM)
                try:
                    proc.wait(STOP_TIMEOUT)
                except subprocess.TimeoutExpired:
                    self._signal(signal.SIGKILL)
                    proc.wait(STOP_TIMEOUT)
            if proc is not None:
                # Workers left behind by a master that died on its own.
                self._signal(signal.SIGKILL)
                proc.wait()
        finally:
            for f in (self._out, self._err):
                if f is not None:
                    f.close()
            self._out = self._err = None

    def _signal(self, sig: int) -> None:
        assert self.proc is not None
        try:
            os.killpg(self.proc.pid, sig)
        except (ProcessLookupError, PermissionError):
            pass


@pytest.fixture(scope="session")
def start_servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., dict[str, Server]]]:
    """``start_servers(project, ["gunicorn", "uvicorn"])``: start several servers at once,
    wait until each answers, stop them all at the end of the session."""
    started: list[Server] = []
    logs = tmp_path_factory.mktemp("server-logs")

    def start(project: Path, kinds: list[str], env: dict[str, str] | None = None) -> dict[str, Server]:
        servers = {kind: Server(kind, project, logs, env) for kind in kinds}
        for server in servers.values():
            started.append(server)
            server.start()
        for server in servers.values():
            server.wait_ready()
        return servers

    yield start
    for server in reversed(started):
        server.stop()


@pytest.fixture
def run_server(tmp_path: Path) -> Iterator[Callable[..., Server]]:
    """``run_server(kind, project, env, args)``: a server for one test (started, not waited on)."""
    started: list[Server] = []

    def run(kind: str, project: Path, env: dict[str, str] | None = None,
            args: tuple[str, ...] = ()) -> Server:
        server = Server(kind, project, tmp_path / "logs", env, args)
        started.append(server)
        return server.start()

    yield run
    for server in started:
        server.stop()


# A module that serves one project under both servers defines a module-scoped ``project``
# fixture; these give it the two servers, started together once for the module.
SERVER_KINDS = ["gunicorn", "uvicorn"]


@pytest.fixture(scope="module")
def servers(start_servers: Any, project: Path) -> dict[str, Server]:
    """gunicorn and uvicorn, started together once for the module."""
    return start_servers(project, SERVER_KINDS)


@pytest.fixture(scope="module", params=SERVER_KINDS)
def server(request: pytest.FixtureRequest, servers: dict[str, Server]) -> Server:
    return servers[request.param]


@pytest.fixture(scope="module")
def uvicorn(servers: dict[str, Server]) -> Server:
    return servers["uvicorn"]
