"""Fresh projects made by `wolfpy new`, for the scaffold, destroy and data commands."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Iterator

import pytest

from tests.cli_runner import run_cli


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A new project; its ``models.*`` modules are forgotten afterwards."""
    for name in [k for k in os.environ if (k.startswith("WOLFPY_") and not k.startswith("WOLFPY_TEST_"))
                 or k == "DATABASE_URL"]:
        monkeypatch.delenv(name)
    path = list(sys.path)
    code, _, err = run_cli("new", "blog", cwd=tmp_path)
    assert code == 0, err
    yield tmp_path / "blog"
    for name in [n for n in sys.modules if n == "models" or n.startswith("models.")]:
        del sys.modules[name]
    sys.path[:] = path


def wolfpy(project: Path, *args: str) -> tuple[int, str, str]:
    return run_cli(*args, cwd=project)


def project_pytest(project: Path, extra_env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """The project's own test suite, as `wolfpy test` runs it, in a child process."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("WOLFPY_", "PYTEST_")) and k not in ("DATABASE_URL", "REDIS_URL", "MONGO_URL")}
    env.update(extra_env or {})
    command = [sys.executable, "-c", "from wolfpy.cli.main import main; main()"]
    return subprocess.run([*command, "test", "-q", "-p", "no:cacheprovider", "-W", "error"],
                          cwd=project, env=env, capture_output=True, text=True, timeout=180)


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file of the project but caches, logs and databases: path -> content."""
    out = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if path.is_file() and "__pycache__" not in rel and not rel.startswith(("logs/", ".pytest_cache")) \
                and not rel.startswith("db.sqlite3"):
            out[rel] = path.read_bytes()
    return out
