"""A plugin's own migrations next to the project's: ``wolfpy db migrate`` (and ``--dry-run``),
``wolfpy db status`` and ``wolfpy db rollback`` keep the two histories apart."""
from __future__ import annotations

import sqlite3
import sys
from pathlib import Path
from typing import Iterator

import pytest

from tests.cli_runner import run_cli

EXAMPLE = Path(__file__).resolve().parent.parent.parent / "examples" / "plugins" / "wolfpy-hello"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.syspath_prepend(str(EXAMPLE))
    root = tmp_path / "proj"
    (root / "routes").mkdir(parents=True)
    (root / "models").mkdir()
    (root / "routes" / "index.py").write_text("def get(request):\n    return 'hi'\n")
    (root / "models" / "note.py").write_text(
        "from wolfpy.db import CharField, Model\n\n\nclass Note(Model):\n    text = CharField()\n")
    (root / "wolfpy.toml").write_text('[plugins]\nenabled = ["wolfpy_hello:extension"]\n')
    yield root
    for name in [n for n in sys.modules if n == "wolfpy_hello" or n.startswith("wolfpy_hello.")
                 or n == "models" or n.startswith("models.")]:
        del sys.modules[name]


def tables(root: Path) -> set[str]:
    with sqlite3.connect(root / "db.sqlite3") as conn:
        return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def test_plugin_and_project_migrations_stay_apart(project: Path) -> None:
    code, out, err = run_cli("db", "migrate", "--dry-run", cwd=project)
    assert code == 0, err
    assert out.index("-- plugin greeter") < out.index('CREATE TABLE "greeting"') < out.index('CREATE TABLE "note"')
    assert not (project / "db.sqlite3").exists() or "greeting" not in tables(project)

    code, out, err = run_cli("db", "migrate", cwd=project)
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == "applied greeter:0001_initial"
    assert "wrote migrations/0001_initial.py" in lines and "applied 0001_initial" in lines
    written = (project / "migrations" / "0001_initial.py").read_text()
    assert "note" in written and "greeting" not in written          # the project's history is its own
    assert {"greeting", "note", "wolfpy_migrations", "wolfpy_migrations_greeter"} <= tables(project)

    code, out, _ = run_cli("db", "status", cwd=project)
    assert "[X] 0001_initial" in out and "[X] greeter:0001_initial" in out
    assert "change(s) not in a migration yet" not in out

    code, out, err = run_cli("db", "rollback", "--yes", cwd=project)
    assert code == 0, err
    assert "note" not in tables(project) and "greeting" in tables(project)
    code, out, _ = run_cli("db", "migrate", cwd=project)
    assert out.splitlines() == ["applied 0001_initial"]


def test_a_server_start_names_the_plugins_unapplied_migrations(project: Path) -> None:
    from wolfpy import App
    from wolfpy.error_responses import unapplied_migrations
    app = App(project)
    assert unapplied_migrations(app) == ["greeter:0001_initial"]
    assert run_cli("db", "migrate", cwd=project)[0] == 0
    assert unapplied_migrations(App(project)) == []
