"""The servers of the comparison: which app, which server, which command, started and stopped.

Every server listens on its own free port on 127.0.0.1, with 2 worker processes:

- WSGI under gunicorn, ``gthread`` workers (2 threads each, keep-alive): WolfPy (default
  middleware, and ``[middleware] builtin = []``), Django (``startproject``'s MIDDLEWARE, and
  none), Flask;
- ASGI under uvicorn (httptools, uvloop): WolfPy's ``app.asgi`` (both variants), FastAPI.
"""
from __future__ import annotations

import http.client
import importlib.util
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
HOST = "127.0.0.1"  # loopback only
WORKERS = 2
THREADS = 2      # gunicorn gthread threads per worker (and so DB connections in use per worker)
WORKER_CLASS = "gthread"  # or "sync" (run.py --worker-class)
POOL_SIZE = 4    # connection pool per worker where the framework lets us set it
SECRET_KEY = "tfb-bench-secret-" + "x" * 40

# framework -> modules it needs (a missing one skips the framework with one line)
NEEDS = {
    "wolfpy": ["peewee", "psycopg2", "mako"],
    "django": ["django", "psycopg2"],
    "flask": ["flask", "sqlalchemy", "psycopg2", "jinja2"],
    "fastapi": ["fastapi", "asyncpg", "jinja2"],
}
FRAMEWORKS = list(NEEDS)


def missing_modules(framework: str) -> list[str]:
    return [m for m in NEEDS[framework] if importlib.util.find_spec(m) is None]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    label: str        # e.g. "WolfPy (default mw)"
    framework: str    # wolfpy / django / flask / fastapi
    server: str       # gunicorn / uvicorn
    middleware: str   # "default" or "none" (Flask and FastAPI ship none: "none")
    target: str       # module:app
    cwd: Path
    env: dict[str, str]
    port: int = field(default_factory=free_port)
    proc: Any = None
    log_path: Path | None = None
    _log: Any = None
    extra_args: list[str] = field(default_factory=list)

    @property
    def klass(self) -> str:
        return "WSGI (gunicorn)" if self.server == "gunicorn" else "ASGI (uvicorn)"

    @property
    def server_name(self) -> str:
        return "serve --prod" if self.server == "prod" else self.server

    @property
    def key(self) -> str:
        """Unique per server: "WolfPy (default mw) / gunicorn"."""
        return f"{self.label} / {self.server_name}"

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def command(self) -> list[str]:
        py = sys.executable
        if self.server == "uvicorn":
            return [py, "-m", "uvicorn", self.target, "--host", HOST, "--port", str(self.port),
                    "--workers", str(WORKERS), "--http", "httptools", "--loop", "uvloop",
                    "--no-access-log", "--log-level", "warning", *self.extra_args]
        if self.server == "prod":  # the command `wolfpy serve --prod` runs (wolfpy/cli/commands/serve.py)
            cmd = [py, "-m", "gunicorn", self.target, "--worker-class", "uvicorn_worker.UvicornWorker",
                   "--bind", f"{HOST}:{self.port}", "--workers", str(WORKERS), "--log-level", "warning",
                   *self.extra_args]
            if _gunicorn_has_control_socket():
                cmd.append("--no-control-socket")
            return cmd
        cmd = [py, "-m", "gunicorn", self.target, "--bind", f"{HOST}:{self.port}", "--workers", str(WORKERS),
               "--worker-class", WORKER_CLASS, "--log-level", "warning", *self.extra_args]
        if WORKER_CLASS == "gthread":  # (gunicorn turns sync into gthread when given threads)
            cmd += ["--threads", str(THREADS)]
        if _gunicorn_has_control_socket():
            cmd.append("--no-control-socket")
        return cmd

    def start(self, logdir: Path) -> None:
        self.log_path = logdir / (self.label.replace(" ", "_").replace("(", "").replace(")", "")
                                  .replace("/", "_") + f"_{self.server}.log")
        self._log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(self.command(), env=self.env, cwd=str(self.cwd), stdin=subprocess.DEVNULL,
                                     stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True)

    def wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        last = ""
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.label} ({self.server}) exited ({self.proc.returncode}):\n{self.output()}")
            conn = http.client.HTTPConnection(HOST, self.port, timeout=5)
            try:
                conn.request("GET", "/plaintext")
                resp = conn.getresponse()
                resp.read()
                if resp.status == 200:
                    return
                last = f"answered {resp.status}"
            except OSError as exc:
                last = str(exc)
            finally:
                conn.close()
            time.sleep(0.2)
        raise RuntimeError(f"{self.label} ({self.server}) not ready in {timeout:.0f}s ({last}):\n{self.output()}")

    def output(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-3000:] if self.log_path else ""
        except OSError:
            return ""

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self) -> None:
        proc = self.proc
        if proc is not None:
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGTERM)  # our own session: master and workers
                except ProcessLookupError:
                    pass
                try:
                    proc.wait(10)
                except subprocess.TimeoutExpired:
                    try:
                        os.killpg(proc.pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
                    proc.wait(5)
            self.proc = None
        if self._log is not None:
            self._log.close()
            self._log = None


_CONTROL: bool | None = None


def _gunicorn_has_control_socket() -> bool:
    global _CONTROL
    if _CONTROL is None:
        out = subprocess.run([sys.executable, "-m", "gunicorn", "--help"], capture_output=True,
                             text=True, timeout=60).stdout
        _CONTROL = "--no-control-socket" in out
    return _CONTROL


def base_env(database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WOLFPY_", "DJANGO_"))}
    env.pop("DATABASE_URL", None)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO)] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else []))
    env["PYTHONUNBUFFERED"] = "1"
    env["DATABASE_URL"] = database_url
    env["TFB_POOL_SIZE"] = str(POOL_SIZE)
    return env


def wolfpy_project(workdir: Path, middleware: str) -> Path:
    """A copy of ``wolfpy_app`` (its logs land in the copy); ``none`` empties [middleware] builtin."""
    dest = workdir / f"wolfpy_{middleware}"
    shutil.copytree(HERE / "wolfpy_app", dest, ignore=shutil.ignore_patterns("__pycache__", "logs"))
    if middleware == "none":
        toml = dest / "wolfpy.toml"
        lines = toml.read_text().splitlines()
        toml.write_text("\n".join("builtin = []" if ln.startswith("builtin = ") else ln for ln in lines) + "\n")
    return dest


def make_servers(frameworks: list[str], database_url: str, workdir: Path,
                 servers: tuple[str, ...] = ("gunicorn", "uvicorn", "prod")) -> list[Server]:
    env = base_env(database_url)
    out: list[Server] = []
    for fw in frameworks:
        if fw == "wolfpy":
            for mw in ("default", "none"):
                project = wolfpy_project(workdir, mw)
                wenv = {**env, "WOLFPY_PROJECT": str(project), "WOLFPY_SECRET_KEY": SECRET_KEY,
                        "WOLFPY_APP_ALLOWED_HOSTS": HOST}
                label = "WolfPy" + (" (default mw)" if mw == "default" else " (no mw)")
                if "gunicorn" in servers:
                    out.append(Server(label, "wolfpy", "gunicorn", mw, "wolfpy.wsgi:application", project, wenv))
                if "uvicorn" in servers:
                    out.append(Server(label, "wolfpy", "uvicorn", mw, "wolfpy.asgi:application", project, wenv))
                if "prod" in servers and mw == "default":
                    out.append(Server(label, "wolfpy", "prod", mw, "wolfpy.asgi:application", project, wenv))
        elif fw == "django" and "gunicorn" in servers:
            for mw in ("default", "none"):
                denv = {**env, "DJANGO_SETTINGS_MODULE": "tfbsite.settings", "TFB_MIDDLEWARE": mw}
                label = "Django" + (" (default mw)" if mw == "default" else " (no mw)")
                out.append(Server(label, "django", "gunicorn", mw, "tfbsite.wsgi:application",
                                  HERE / "django_app", denv))
        elif fw == "flask" and "gunicorn" in servers:
            out.append(Server("Flask", "flask", "gunicorn", "none", "app:app", HERE / "flask_app", env))
        elif fw == "fastapi" and "uvicorn" in servers:
            out.append(Server("FastAPI", "fastapi", "uvicorn", "none", "app:app", HERE / "fastapi_app", env))
    return out


def importable(name: str) -> bool:
    return importlib.util.find_spec(name) is not None
