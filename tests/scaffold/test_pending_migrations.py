"""Models, migrations and the database out of step: `wolfpy check`, `wolfpy.load()` in debug and
the debug error page say so, naming `wolfpy db migrate` (no bare "no such table")."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.scaffold.conftest import wolfpy
from wolfpy.app import load
from wolfpy.testing import TestClient

ROUTE = "from models.label import Label\n\n\ndef get(request):\n    return {\"labels\": Label.select().count()}\n"


def test_check_warns_about_unapplied_migrations_and_unmigrated_models(project: Path) -> None:
    assert wolfpy(project, "generate", "model", "Tag", "name")[0] == 0
    assert wolfpy(project, "check")[1] == "no problems found\n"   # no migrations yet: not using them
    assert wolfpy(project, "db", "migrate")[0] == 0
    assert wolfpy(project, "generate", "model", "Label", "name")[0] == 0
    code, out, err = wolfpy(project, "check")
    assert code == 0, err
    assert "db.W001 warning: the models have changes that no migration has yet" in out
    assert "hint: run `wolfpy db migrate` to write and apply one" in out
    assert wolfpy(project, "db", "migrate")[0] == 0
    assert wolfpy(project, "check")[1] == "no problems found\n"
    (project / "db.sqlite3").unlink()
    code, out, _ = wolfpy(project, "check")
    assert "db.W001 warning: the database has 2 migrations not applied yet (0001_initial, 0002_create_label)" \
        in out
    assert not (project / "db.sqlite3").exists()   # checking made no database


def test_load_in_debug_and_the_debug_page_name_the_command(project: Path, monkeypatch: pytest.MonkeyPatch,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    assert wolfpy(project, "generate", "model", "Tag", "name")[0] == 0
    assert wolfpy(project, "db", "migrate")[0] == 0
    assert wolfpy(project, "generate", "model", "Label", "name")[0] == 0     # no migration for it yet
    (project / "routes/labels.py").write_text(ROUTE)
    monkeypatch.delenv("PYTEST_CURRENT_TEST")
    app = load(project, mode="development")
    assert "warning: the models have changes that no migration has yet: run `wolfpy db migrate`" \
        in capsys.readouterr().err
    reply = TestClient(app).get("/labels")
    assert reply.status_code == 500
    assert "the models have changes that no migration has yet: run `wolfpy db migrate`" \
        in reply.text.replace("&#x27;", "'").replace("&#96;", "`")
    json_reply = TestClient(app).get("/labels", headers={"accept": "application/json"})
    assert "wolfpy db migrate" in json_reply.json()["error"]["hint"]
