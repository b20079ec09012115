"""`wolfpy generate migration`, `wolfpy db seed` and `wolfpy db reset`."""
from __future__ import annotations

import sqlite3
from pathlib import Path

from tests.scaffold.conftest import wolfpy

SEEDS = '''from models.tag import Tag

if not Tag.select().exists():
    Tag.create(name="python")
    Tag.create(name="web")
'''


def rows(project: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(project / "db.sqlite3") as db:
        return db.execute(sql).fetchall()


def test_an_empty_migration_for_data_runs_its_sql(project: Path) -> None:
    assert wolfpy(project, "generate", "model", "Tag", "name")[0] == 0
    assert wolfpy(project, "db", "migrate")[0] == 0
    code, out, err = wolfpy(project, "generate", "migration", "add_first_tag")
    assert code == 0, err
    path = project / "migrations/0002_add_first_tag.py"
    text = path.read_text()
    assert 'dependencies = ["0001_initial"]' in text and '"tag": {' in text
    path.write_text(text.replace(
        "operations: list = [\n",
        "operations: list = [\n    RunSQL(\"INSERT INTO tag (name) VALUES ('first')\", "
        "reverse_sql=\"DELETE FROM tag WHERE name = 'first'\"),\n"))
    code, out, err = wolfpy(project, "db", "migrate")
    assert code == 0, err
    assert "applied 0002_add_first_tag" in out and "wrote" not in out   # the models did not change
    assert rows(project, "SELECT name FROM tag") == [("first",)]
    assert wolfpy(project, "db", "rollback")[0] == 0
    assert rows(project, "SELECT name FROM tag") == []
    code, _, err = wolfpy(project, "generate", "migration", "Not OK")
    assert code == 1 and err.startswith("error: invalid migration name 'Not OK'")


def test_seed_and_reset(project: Path) -> None:
    assert wolfpy(project, "generate", "model", "Tag", "name:str!")[0] == 0
    assert wolfpy(project, "db", "migrate")[0] == 0
    code, _, err = wolfpy(project, "db", "seed")
    assert code == 1 and err.startswith("error: no seeds.py in blog/")
    (project / "seeds.py").write_text(SEEDS)
    for _ in range(2):   # a seed file written to run twice
        code, out, err = wolfpy(project, "db", "seed")
        assert code == 0 and out == "ran seeds.py\n", err
    assert rows(project, "SELECT name FROM tag ORDER BY name") == [("python",), ("web",)]
    # A failing seed keeps nothing it did.
    (project / "seeds.py").write_text('from models.tag import Tag\nTag.create(name="more")\n1 / 0\n')
    code, _, err = wolfpy(project, "db", "seed")
    assert code == 1
    assert err == ("error: seeds.py failed: ZeroDivisionError: division by zero (nothing was kept; "
                   "--debug shows the traceback)\n")
    (project / "seeds.py").write_text('from models.tag import Tag\nTag.create(name="python")\n')
    code, _, err = wolfpy(project, "db", "seed")
    assert code == 1
    assert err == "error: seeds.py: database error: UNIQUE constraint failed: tag.name (nothing was kept)\n"
    assert rows(project, "SELECT name FROM tag ORDER BY name") == [("python",), ("web",)]
    (project / "seeds.py").write_text(SEEDS)
    # reset: refused without a terminal and without --yes; with --yes it starts over.
    code, _, err = wolfpy(project, "db", "reset")
    assert code == 1
    assert err == ("error: refusing to reset sqlite:///db.sqlite3 without --yes: every table and row "
                   "would be dropped\n")
    with sqlite3.connect(project / "db.sqlite3") as db:
        db.execute("INSERT INTO tag (name) VALUES ('stray')")
    code, out, err = wolfpy(project, "db", "reset", "--yes")
    assert code == 0, err
    assert "applied 0001_initial" in out and out.endswith("ran seeds.py\n")
    assert rows(project, "SELECT name FROM tag ORDER BY name") == [("python",), ("web",)]
