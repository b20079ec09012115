"""`wolfpy destroy route|model|scaffold NAME`: exactly what the generator wrote goes away."""
from __future__ import annotations

import io
from pathlib import Path

import pytest

from tests.scaffold.conftest import project_pytest, snapshot, wolfpy


def test_destroy_scaffold_leaves_the_project_as_it_was(project: Path) -> None:
    assert wolfpy(project, "generate", "auth")[0] == 0
    assert wolfpy(project, "db", "migrate")[0] == 0
    before = snapshot(project)
    code, _, err = wolfpy(project, "generate", "scaffold", "Post", "title", "body:text", "author:fk:User")
    assert code == 0, err
    assert (project / ".wolfpy/generated.json").is_file()
    assert wolfpy(project, "db", "migrate")[0] == 0
    # Applied: refused, nothing removed.
    code, _, err = wolfpy(project, "destroy", "scaffold", "Post")
    assert code == 1
    assert err == ("error: migrations/0002_create_post.py is applied to the database: run "
                   "`wolfpy db rollback` first (nothing was removed)\n")
    assert (project / "routes/posts/index.py").is_file()
    assert wolfpy(project, "db", "rollback", "--yes")[0] == 0
    code, out, err = wolfpy(project, "destroy", "scaffold", "post")   # post, Post: the same class
    assert code == 0, err
    assert "  remove  routes/posts/[id]/edit.py" in out and "  remove  migrations/0002_create_post.py" in out
    assert snapshot(project) == before
    assert not (project / "routes/posts").exists() and not (project / "routes/api").exists()
    result = project_pytest(project)
    assert result.returncode == 0 and "3 passed" in result.stdout, result.stdout + result.stderr


def test_a_changed_file_is_kept_unless_the_user_says_so(project: Path) -> None:
    assert wolfpy(project, "generate", "route", "about")[0] == 0
    page = project / "templates/about.html"
    page.write_text(page.read_text() + "<p>mine</p>\n")
    code, out, err = wolfpy(project, "destroy", "route", "about")   # no terminal to ask
    assert code == 1
    assert err == ("error: templates/about.html changed since it was generated; pass --yes to delete "
                   "anyway (nothing was removed)\n")
    assert page.is_file() and (project / "routes/about.py").is_file()
    code, out, err = wolfpy(project, "destroy", "route", "about", "--force")
    assert code == 0, err
    assert not page.exists() and not (project / "routes/about.py").exists()
    assert not (project / "tests/test_about_route.py").exists()
    assert (project / "routes/index.py").is_file() and (project / "templates/layout.html").is_file()


def test_destroy_model_and_unknown_names(project: Path) -> None:
    assert wolfpy(project, "generate", "model", "Tag", "name:str!")[0] == 0
    code, _, err = wolfpy(project, "destroy", "model", "Nope")
    assert code == 1 and err == ("error: no model 'Nope' was generated in this project "
                                 "(recorded models: model Tag)\n")
    code, _, err = wolfpy(project, "destroy", "widget", "Tag")
    assert code == 1 and err == "error: unknown kind 'widget': use route, model, scaffold\n"
    code, out, err = wolfpy(project, "destroy", "model", "Tag")
    assert code == 0, err
    assert out.split() == ["remove", "models/tag.py", "remove", "tests/test_tag_model.py"]
    assert not (project / ".wolfpy").exists()   # nothing left to remember
    code, _, err = wolfpy(project, "destroy", "model", "Tag")
    assert code == 1 and "no model 'Tag' was generated" in err


def test_a_migration_another_follows_is_kept(project: Path) -> None:
    assert wolfpy(project, "generate", "scaffold", "Tag", "name")[0] == 0
    code, out, err = wolfpy(project, "generate", "migration", "fill_tags")
    assert code == 0, err
    assert out.strip() == "create  migrations/0002_fill_tags.py"
    code, _, err = wolfpy(project, "destroy", "scaffold", "Tag")
    assert code == 1
    assert "migrations/0002_fill_tags.py follows migrations/0001_initial.py" in err
    assert (project / "models/tag.py").is_file()


def test_the_user_is_asked_about_each_changed_file(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert wolfpy(project, "generate", "route", "about")[0] == 0
    assert wolfpy(project, "generate", "route", "contact")[0] == 0
    for name in ("about", "contact"):
        page = project / f"templates/{name}.html"
        page.write_text(page.read_text() + "<p>mine</p>\n")
    monkeypatch.setattr("wolfpy.cli.commands.destroy.interactive", lambda: True)
    monkeypatch.setattr("sys.stdin", io.StringIO("n\n"))
    code, out, err = wolfpy(project, "destroy", "route", "about")
    assert code == 0, err
    assert "templates/about.html changed since it was generated. Delete it?" in out
    assert "  keep  templates/about.html" in out and "  remove  routes/about.py" in out
    assert (project / "templates/about.html").is_file() and not (project / "routes/about.py").exists()
    monkeypatch.setattr("sys.stdin", io.StringIO("y\n"))
    code, out, err = wolfpy(project, "destroy", "route", "contact")
    assert code == 0 and not (project / "templates/contact.html").exists(), out + err
