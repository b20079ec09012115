"""End to end: README.md, "the two commands" on a fresh machine.

The wheel is built once for this module, NON-editable, from the repository
(``pip wheel --no-deps``; build isolation fetches hatchling). It is installed with
``--no-deps`` into a brand-new virtual environment; the dependencies (mako, uvicorn,
pytest, ...) are borrowed from the running interpreter through a ``.pth`` file naming
its site-packages folders, so nothing else is downloaded. A path line in a ``.pth``
does not process the ``.pth`` files inside that folder, so the outer environment's
editable WolfPy (a ``.pth`` pointing at the checkout) stays invisible: the test checks
that ``import wolfpy`` in the venv is the installed wheel, not the repository.

Then, with the venv's own ``wolfpy`` script: ``wolfpy new demo``,
``wolfpy serve --no-reload`` (``/`` and ``/static/css/app.css`` over HTTP) and
``wolfpy test`` (the generated tests pass).
"""
from __future__ import annotations

import http.client
import json
import os
import signal
import subprocess
import sys
import sysconfig
import time
import venv
import zipfile
from pathlib import Path
from typing import Iterator, NamedTuple

import pytest

from .conftest import HOST, Server

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]          # tests/e2e/test_install.py -> the repository
BUILD_TIMEOUT = 300.0
CMD_TIMEOUT = 60.0


class Result(NamedTuple):
    returncode: int
    stdout: str
    stderr: str


def run(cmd: list[str], cwd: Path, env: dict[str, str], timeout: float = CMD_TIMEOUT) -> Result:
    """Run ``cmd`` to completion in its own process group (the whole group is killed on timeout)."""
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, start_new_session=True)
    with proc:
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _killpg(proc.pid)
            out, err = proc.communicate()
            raise AssertionError(f"{cmd} still running after {timeout}s:\n{out.decode(errors='replace')}\n"
                                 f"{err.decode(errors='replace')}") from None
        finally:
            _killpg(proc.pid)
    return Result(proc.returncode, out.decode(errors="replace"), err.decode(errors="replace"))


def _killpg(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def clean_env(**extra: str) -> dict[str, str]:
    """This machine's environment without anything that would point Python at the checkout."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("WOLFPY_", "PYTEST_", "PYTHON", "VIRTUAL_ENV", "CONDA_"))
           and k not in ("DATABASE_URL", "REDIS_URL", "MONGO_URL")}
    env["PYTHONUNBUFFERED"] = "1"
    env.update(extra)
    return env


def checked(result: Result, what: str) -> Result:
    assert result.returncode == 0, f"{what} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
    return result


class Venv(NamedTuple):
    root: Path
    python: Path
    wolfpy: Path
    site_packages: Path
    env: dict[str, str]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``pip wheel --no-deps`` of the repository: a real, non-editable build."""
    out = tmp_path_factory.mktemp("wheelhouse")
    started = time.monotonic()
    checked(run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-cache-dir", "-w", str(out),
                 str(REPO)], cwd=out, env=clean_env(), timeout=BUILD_TIMEOUT), "pip wheel")
    print(f"[timing] wheel built in {time.monotonic() - started:.1f}s")
    wheels = sorted(out.glob("wolfpy-*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


@pytest.fixture(scope="module")
def fresh_venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Venv:
    """A new venv with the wheel installed and the outer dependencies visible through a .pth."""
    root = tmp_path_factory.mktemp("fresh") / "venv"
    venv.EnvBuilder(with_pip=False, symlinks=(os.name != "nt")).create(root)
    bindir = root / ("Scripts" if os.name == "nt" else "bin")
    python = bindir / ("python.exe" if os.name == "nt" else "python")
    env = clean_env(VIRTUAL_ENV=str(root), PATH=os.pathsep.join([str(bindir), os.environ.get("PATH", "")]))

    # Install first, while the venv sees nothing but the standard library: pip then never
    # mistakes the outer (editable) wolfpy for an installed one.
    checked(run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps",
                 "--no-index", str(wheel)], cwd=root, env=env), "pip install --no-deps wheel")

    site = Path(run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                    cwd=root, env=env).stdout.strip())
    assert site.is_dir() and root in site.parents, site
    outer = dict.fromkeys(sysconfig.get_paths()[k] for k in ("purelib", "platlib"))
    (site / "_outer_dependencies.pth").write_text("".join(f"{path}\n" for path in outer))
    wolfpy = bindir / ("wolfpy.exe" if os.name == "nt" else "wolfpy")
    assert wolfpy.is_file(), sorted(p.name for p in bindir.iterdir())
    return Venv(root, python, wolfpy, site, env)


# --------------------------------------------------------------------------- the wheel

def test_wheel_contains_the_project_template_and_py_typed(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
    for required in ("wolfpy/project_template/wolfpy.toml", "wolfpy/py.typed",
                     "wolfpy/project_template/routes/index.py",
                     "wolfpy/project_template/templates/index.html",
                     "wolfpy/project_template/static/css/app.css",
                     "wolfpy/project_template/tests/test_pages.py",
                     "wolfpy/project_template/gitignore",
                     "wolfpy/cli/main.py", "wolfpy/devserver/child.py"):
        assert required in names, f"{required} missing from {wheel.name}"
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]
    entry_points = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
    with zipfile.ZipFile(wheel) as zf:
        text = zf.read(entry_points).decode()
    assert "wolfpy = wolfpy.cli.main:main" in text
    assert "wolfpy = wolfpy.pytest_plugin" in text


def test_venv_imports_the_installed_wheel_not_the_checkout(fresh_venv: Venv) -> None:
    probe = ("import json, importlib.metadata as md, wolfpy, mako, uvicorn, wolfpy.scaffold as s\n"
             "print(json.dumps({'wolfpy': wolfpy.__file__, 'template': str(s.template_root()),\n"
             "  'dist': str(md.distribution('wolfpy').locate_file('')), 'mako': mako.__file__,\n"
             "  'version': wolfpy.__version__}))")
    info = json.loads(checked(run([str(fresh_venv.python), "-c", probe], cwd=fresh_venv.root,
                                  env=fresh_venv.env), "import probe").stdout)
    site = fresh_venv.site_packages.resolve()
    for key in ("wolfpy", "template", "dist"):
        path = Path(info[key]).resolve()
        assert site in path.parents or path == site, f"{key}: {path} is not in the venv's {site}"
        assert REPO not in path.parents, f"{key}: {path} comes from the checkout"
    assert Path(info["template"]) == site / "wolfpy" / "project_template"
    assert site not in Path(info["mako"]).resolve().parents     # borrowed, not installed
    version = checked(run([str(fresh_venv.wolfpy), "version"], cwd=fresh_venv.root, env=fresh_venv.env),
                      "wolfpy version").stdout
    assert info["version"] in version


# --------------------------------------------------------------------------- the two commands

class VenvServer(Server):
    """``wolfpy serve`` of the fresh venv (the conftest's process lifecycle)."""

    def __init__(self, wolfpy: Path, project: Path, logs: Path, env: dict[str, str],
                 args: tuple[str, ...]) -> None:
        super().__init__("venv-wolfpy", project, logs, env, args)
        self.wolfpy = wolfpy

    def start(self) -> "VenvServer":
        self._out = open(self.out_path, "wb")
        self._err = open(self.err_path, "wb")
        self.proc = subprocess.Popen([str(self.wolfpy), "serve", "--port", str(self.port), *self.args],
                                     cwd=self.project, env=self.env, stdin=subprocess.DEVNULL,
                                     stdout=self._out, stderr=self._err, start_new_session=True)
        return self


@pytest.fixture(scope="module")
def demo(fresh_venv: Venv, tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("work")
    result = checked(run([str(fresh_venv.wolfpy), "new", "demo"], cwd=work, env=fresh_venv.env), "wolfpy new")
    assert "wolfpy serve" in result.stdout
    project = work / "demo"
    for rel in ("wolfpy.toml", "routes/index.py", "templates/index.html", "static/css/app.css",
                "tests/test_pages.py", ".gitignore", ".env", "requirements.txt"):
        assert (project / rel).is_file(), rel
    assert 'name = "demo"' in (project / "wolfpy.toml").read_text()
    return project


def get(port: int, path: str) -> tuple[int, str, str]:
    conn = http.client.HTTPConnection(HOST, port, timeout=5)
    try:
        conn.request("GET", path)
        resp = conn.getresponse()
        return resp.status, resp.getheader("content-type", ""), resp.read().decode("utf-8", errors="replace")
    finally:
        conn.close()


@pytest.fixture
def venv_server(fresh_venv: Venv, demo: Path, tmp_path: Path) -> Iterator[VenvServer]:
    server = VenvServer(fresh_venv.wolfpy, demo, tmp_path / "logs", fresh_venv.env, ("--no-reload",))
    try:
        yield server.start()
    finally:
        server.stop()


def test_new_and_serve_from_the_installed_wheel(venv_server: VenvServer) -> None:
    venv_server.wait_ready()
    status, ctype, body = get(venv_server.port, "/")
    assert status == 200 and ctype.startswith("text/html")
    assert "Welcome to demo" in body
    status, ctype, body = get(venv_server.port, "/static/css/app.css")
    assert status == 200 and ctype.startswith("text/css"), (status, ctype)
    assert body == (venv_server.project / "static/css/app.css").read_text()
    deadline = time.monotonic() + 10
    while f"http://127.0.0.1:{venv_server.port}" not in venv_server.output():
        assert time.monotonic() < deadline, venv_server.output()
        time.sleep(0.05)
    assert "Traceback" not in venv_server.output()


def test_generated_tests_pass_with_wolfpy_test(fresh_venv: Venv, demo: Path) -> None:
    result = run([str(fresh_venv.wolfpy), "test", "-q", "-p", "no:cacheprovider"], cwd=demo,
                 env=fresh_venv.env)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "3 passed" in output, output
    assert "failed" not in output and "error" not in output.split("3 passed")[-1], output
