"""examples/plugins/wolfpy-hello, installed for real: ``wolfpy plugin install`` runs pip in a
fresh virtual environment, the project enables it, ``wolfpy db migrate`` makes its table, its
route answers under uvicorn, its command runs, and ``wolfpy plugin remove`` undoes it all."""
from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import sysconfig
from pathlib import Path
from typing import Iterator, NamedTuple

import pytest

from tests.e2e.conftest import HOST, SECRET, Server, free_port
from wolfpy.__about__ import __version__

pytestmark = pytest.mark.e2e
REPO = Path(__file__).resolve().parent.parent.parent
EXAMPLE = REPO / "examples" / "plugins" / "wolfpy-hello"


class Result(NamedTuple):
    code: int
    out: str
    err: str


class Venv:
    """A virtual environment that sees this interpreter's packages (a .pth file) and this
    checkout's wolfpy (PYTHONPATH); pip works offline there, with no build isolation."""

    def __init__(self, root: Path) -> None:
        subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(root)], check=True)
        self.python = root / "bin" / "python"
        purelib = subprocess.run([str(self.python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                 check=True, capture_output=True, text=True).stdout.strip()
        Path(purelib, "base_packages.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
        self.env = {k: v for k, v in os.environ.items()
                    if not k.startswith(("WOLFPY_", "PIP_")) and k not in ("DATABASE_URL", "VIRTUAL_ENV")}
        self.env.update(PYTHONPATH=str(REPO), PIP_NO_INDEX="1", PIP_NO_DEPS="1",
                        PIP_NO_BUILD_ISOLATION="0", WOLFPY_SECRET_KEY=SECRET)

    def wolfpy(self, *args: str, cwd: Path) -> Result:
        proc = subprocess.run([str(self.python), "-m", "wolfpy.cli.main", *args], cwd=cwd, env=self.env,
                              capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
        return Result(proc.returncode, proc.stdout, proc.stderr)


class VenvServer(Server):
    def __init__(self, venv: Venv, project: Path, logs: Path) -> None:
        super().__init__("uvicorn", project, logs, dict(venv.env, WOLFPY_APP_ALLOWED_HOSTS=HOST))
        self.python = venv.python

    def start(self) -> "VenvServer":
        self._out = open(self.out_path, "wb")
        self._err = open(self.err_path, "wb")
        self.proc = subprocess.Popen([str(self.python), "-m", "uvicorn", "wolfpy.asgi:application",
                                      "--host", HOST, "--port", str(self.port)], cwd=self.project,
                                     env=self.env, stdin=subprocess.DEVNULL, stdout=self._out,
                                     stderr=self._err, start_new_session=True)
        return self


def get(server: Server, path: str) -> tuple[int, str, dict[str, str]]:
    import urllib.error
    import urllib.request
    try:
        with urllib.request.urlopen(server.origin + path, timeout=10) as reply:
            return reply.status, reply.read().decode(), {k.lower(): v for k, v in reply.headers.items()}
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode(errors="replace"), {}


def tables(project: Path) -> set[str]:
    with sqlite3.connect(project / "db.sqlite3") as conn:
        return {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


@pytest.fixture
def venv(tmp_path: Path) -> Iterator[Venv]:
    yield Venv(tmp_path / "venv")


def test_install_migrate_serve_command_and_remove(venv: Venv, tmp_path: Path) -> None:
    assert venv.wolfpy("new", "demo", cwd=tmp_path).code == 0
    project = tmp_path / "demo"
    original = (project / "wolfpy.toml").read_text()

    installed = venv.wolfpy("plugin", "install", str(EXAMPLE), cwd=project)
    assert installed.code == 0, installed.err
    assert "installed wolfpy-hello 1.0.0: plugin greeter" in installed.out
    toml = (project / "wolfpy.toml").read_text()
    assert toml.startswith(original) and toml[len(original):] == '\n[plugins]\nenabled = ["greeter"]\n'

    listed = venv.wolfpy("plugin", "list", cwd=project)
    assert ["greeter", "1.0.0", "wolfpy-hello", "yes"] in [line.split() for line in listed.out.splitlines()]
    assert venv.wolfpy("inspect", "plugins", cwd=project).out == listed.out
    info = venv.wolfpy("plugin", "info", "greeter", cwd=project).out
    assert f"supports:     wolfpy>=0.1,<0.3 (this WolfPy {__version__} included)" in info
    for line in ("prefix:         /greet", "model:          Greeting (table greeting)",
                 "command:        wolfpy greeter (wolfpy_hello.cli:app)", "middleware:     _mark for /greet"):
        assert line in info

    migrated = venv.wolfpy("db", "migrate", cwd=project)
    assert migrated.code == 0, migrated.err
    assert migrated.out.splitlines()[0] == "applied greeter:0001_initial"
    assert {"greeting", "wolfpy_migrations_greeter"} <= tables(project)
    assert not list((project / "migrations").glob("*greeting*"))      # the project's history is its own
    again = venv.wolfpy("db", "migrate", cwd=project)
    assert "greeter:" not in again.out

    assert venv.wolfpy("greeter", "say", "you", cwd=project).out == "Hello, you!\n"
    routes = venv.wolfpy("routes", cwd=project).out
    assert "/greet/{name}" in routes and "greeter (extension)" in routes

    server = VenvServer(venv, project, tmp_path / "logs")
    try:
        server.start().wait_ready()
        status, body, headers = get(server, "/greet/ada")
        assert status == 200 and "Hello, ada!" in body and "visit 1" in body
        assert headers["x-greeter"] == "1.0.0"
        assert "visit 2" in get(server, "/greet/ada")[1]
        assert "x-greeter" not in get(server, "/")[2]                   # the middleware is the plugin's URLs' only
    finally:
        server.stop()
    assert venv.wolfpy("greeter", "visits", cwd=project).out == "ada: 2\n"

    refused = venv.wolfpy("plugin", "remove", "greeter", cwd=project)
    assert refused.code == 1 and refused.err.count("\n") == 1
    assert refused.err.startswith("error: refusing to remove the plugin's tables without --yes: "
                                  "greeter:0001_initial: drops table greeting")
    removed = venv.wolfpy("plugin", "remove", "greeter", "--yes", cwd=project)
    assert removed.code == 0, removed.err
    assert removed.out.splitlines() == ["reversed greeter:0001_initial", "uninstalled wolfpy-hello 1.0.0",
                                        "removed greeter from wolfpy.toml [plugins] enabled"]
    assert "greeting" not in tables(project)
    assert (project / "wolfpy.toml").read_text() == original + "\n[plugins]\nenabled = []\n"
    assert "no plugins installed" in venv.wolfpy("plugin", "list", cwd=project).out
    assert venv.wolfpy("greeter", "say", cwd=project).code != 0
    gone = subprocess.run([str(venv.python), "-c", "import wolfpy_hello"], env=venv.env, capture_output=True)
    assert gone.returncode == 1


def test_pip_failing_is_one_polite_line(venv: Venv, tmp_path: Path) -> None:
    assert venv.wolfpy("new", "demo", cwd=tmp_path).code == 0
    project = tmp_path / "demo"
    original = (project / "wolfpy.toml").read_text()
    for args in (["install", str(tmp_path / "no-such-folder")], ["install", "wolfpy-surely-not-a-package"]):
        result = venv.wolfpy("plugin", *args, cwd=project)
        assert result.code == 1 and result.err.count("\n") == 1, result
        assert result.err.startswith("error: pip could not install ") and "nothing was changed" in result.err
    result = venv.wolfpy("plugin", "remove", "nothing-here", cwd=project)
    assert result.err == "error: no installed plugin or plugin package named 'nothing-here' (see `wolfpy plugin list`)\n"
    assert (project / "wolfpy.toml").read_text() == original
