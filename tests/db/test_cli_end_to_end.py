"""The data workflow of a new project, through the real `wolfpy` command, on every SQL backend:
generate models, migrate, status, use them over HTTP, roll back."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from wolfpy.db import database_from_url

WOLFPY = [sys.executable, "-c", "from wolfpy.cli.main import main; main()"]


def cli(cwd: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*WOLFPY, *args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=120, stdin=subprocess.DEVNULL)


@pytest.fixture(params=["sqlite", "postgresql", "mysql"])
def setup(request, tmp_path, throwaway_url):
    backend = request.param
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WOLFPY_", "DATABASE_URL"))}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    if backend != "sqlite":
        env["DATABASE_URL"] = throwaway_url(backend)
    assert cli(tmp_path, env, "new", "shop").returncode == 0
    return backend, tmp_path / "shop", env


def tables(project: Path, env: dict[str, str]) -> set[str]:
    url = env.get("DATABASE_URL", "sqlite:///db.sqlite3")
    db = database_from_url(url, project, pooled=False)
    try:
        return set(db.get_tables())
    finally:
        db.close()


def test_generate_migrate_status_rollback(setup):
    backend, project, env = setup
    r = cli(project, env, "generate", "model", "User", "name:str!")
    assert r.returncode == 0, r.stderr
    r = cli(project, env, "generate", "model", "Post", "title:str", "body:text", "published:bool",
            "author:fk:User")
    assert r.returncode == 0, r.stderr
    assert "create  models/post.py" in r.stdout
    r = cli(project, env, "db", "migrate", "--yes")
    assert r.returncode == 0, r.stderr
    files = sorted(p.name for p in (project / "migrations").glob("0*.py"))
    assert len(files) == 1 and files[0].startswith("0001_")
    assert {"user", "post", "wolfpy_migrations"} <= tables(project, env)
    r = cli(project, env, "db", "status")
    assert r.returncode == 0 and files[0][:-3] in r.stdout

    # The generated models work in a route, over HTTP, on this backend.
    (project / "routes/posts.py").write_text(
        "from models.post import Post\nfrom models.user import User\n"
        "def get(request):\n"
        "    author, _ = User.get_or_create(name='ada')\n"
        "    Post.create(title='hello', body='', published=True, author=author)\n"
        "    return {'titles': [p.title for p in Post.select()]}\n")
    script = ("import wolfpy\nfrom wolfpy.testing import TestClient\n"
              "c = TestClient(wolfpy.load('.'))\nprint(c.get('/posts').text)\n")
    r = subprocess.run([sys.executable, "-c", script], cwd=project, env=env, capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 0 and '{"titles":["hello"]}' in r.stdout, r.stderr

    # A new field: a second migration; rollback removes exactly that column.
    (project / "models/post.py").write_text((project / "models/post.py").read_text().replace(
        "    published = BooleanField(default=False)",
        "    published = BooleanField(default=False)\n    views = IntegerField(default=0)"))
    if "IntegerField" not in (project / "models/post.py").read_text().split("class")[0]:
        text = (project / "models/post.py").read_text()
        (project / "models/post.py").write_text(text.replace("from wolfpy.db import ", "from wolfpy.db import IntegerField, ", 1))
    r = cli(project, env, "db", "migrate", "--yes")
    assert r.returncode == 0, r.stderr
    db = database_from_url(env.get("DATABASE_URL", "sqlite:///db.sqlite3"), project, pooled=False)
    assert "views" in [c.name for c in db.get_columns("post")]
    db.close()
    r = cli(project, env, "db", "rollback")
    assert r.returncode == 1 and "refusing to roll back without --yes" in r.stderr   # data would go
    assert r.stderr.count("\n") == 1
    r = cli(project, env, "db", "rollback", "--yes")
    assert r.returncode == 0, r.stderr
    db = database_from_url(env.get("DATABASE_URL", "sqlite:///db.sqlite3"), project, pooled=False)
    assert "views" not in [c.name for c in db.get_columns("post")]
    assert db.execute_sql("SELECT COUNT(*) FROM post").fetchone()[0] == 1   # the row survived
    db.close()
    r = cli(project, env, "db", "rollback", "--yes")
    assert r.returncode == 0, r.stderr
    assert not {"user", "post"} & tables(project, env)
