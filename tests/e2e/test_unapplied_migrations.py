"""End to end: a server started on a database that lacks migrations says so, naming
``wolfpy db migrate``: at startup (``wolfpy serve`` and a production server) and on the
debug page of the error that follows.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Callable

import pytest

from .conftest import SECRET, Server, server_env
from .test_devserver import CliServer, get, new_project, poll, run_cli, serve  # noqa: F401  (serve: a fixture)

pytestmark = pytest.mark.e2e

HINT = re.compile(r"the database has 1 migration not applied yet \(0001_\w+\): run `wolfpy db migrate`")


@pytest.fixture
def behind(tmp_path: Path) -> Path:
    """A project with one migration, and a database that has not applied it."""
    project = new_project(tmp_path)
    env = server_env(secret=None)
    assert run_cli(["generate", "model", "Post", "title:str"], cwd=project, env=env).returncode == 0
    migrated = run_cli(["db", "migrate"], cwd=project, env=env)
    assert migrated.returncode == 0, migrated
    assert list((project / "migrations").glob("0001_*.py"))
    (project / "db.sqlite3").unlink()                   # a fresh database: nothing applied
    (project / "routes/posts.py").write_text(
        "from models.post import Post\n\n\ndef get(request):\n    return {\"posts\": Post.select().count()}\n")
    return project


def test_wolfpy_serve_says_so_at_startup_and_on_the_debug_page(behind: Path,
                                                                 serve: Callable[..., CliServer]) -> None:  # noqa: F811
    server = serve(behind, ("--no-reload",)).wait_ready()
    assert [line for line in server.stderr().splitlines() if HINT.search(line)], server.output()
    reply = get(server.port, "/posts")
    assert reply.status == 500
    assert HINT.search(reply.text.replace("&#x27;", "'")), reply.text[:2000]

    migrated = run_cli(["db", "migrate"], cwd=behind, env=server_env(secret=None))
    assert migrated.returncode == 0, migrated
    reply, _ = poll(server.port, "/posts", lambda r: r.status == 200, server=server)
    assert reply.text == '{"posts":0}'


def test_a_production_server_says_so_at_startup(behind: Path, run_server: Callable[..., Server]) -> None:
    server = run_server("uvicorn", behind, server_env(secret=SECRET)).wait_ready()
    lines = [line for line in server.stderr().splitlines() if line.startswith("warning:")]
    assert any(HINT.search(line) for line in lines), server.output()
    reply = get(server.port, "/posts")
    assert reply.status == 500 and "wolfpy db migrate" not in reply.text   # nothing told to visitors
