"""`wolfpy generate graphql` from the CLI: the files, the one-line errors, the hello schema,
the explorer page in debug (shipped, no CDN), and the missing extra named in one line."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_auth_generators import cli, new_project, ok


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for key in ("DATABASE_URL", "WOLFPY_DATABASE_URL", "WOLFPY_APP_DEBUG", "WOLFPY_SECRET_KEY"):
        monkeypatch.delenv(key, raising=False)
    return new_project(tmp_path, "site")


@pytest.mark.parametrize("models, message", [
    ("Post", "error: --models: no class Post in models/ (nothing was written)"),
    ("post-x", "error: --models: 'post-x' is not a model class name like Post (nothing was written)"),
])
def test_bad_models_are_one_line(project: Path, models: str, message: str) -> None:
    code, out, err = cli("generate", "graphql", "--models", models, cwd=project)
    assert code != 0 and (out + err).strip() == message
    assert not (project / "routes" / "graphql.py").exists()


def test_the_hello_schema_and_the_explorer(project: Path, load_app, make_client) -> None:
    out = ok("generate", "graphql", cwd=project)
    assert "create  routes/graphql.py" in out
    code, out, err = cli("generate", "graphql", cwd=project)
    assert code == 0 and "identical" in out  # same content again: nothing to overwrite
    files = {str(p.relative_to(project)): p.read_text() for p in project.rglob("*.py")
             if "routes" in p.parts}
    client = make_client(load_app(files, "[app]\ndebug = true\n"))
    r = client.get("/graphql?query=%7Bhello(name%3A%22Ada%22)%7D")
    assert r.status_code == 200 and r.json() == {"data": {"hello": "Hello, Ada!"}}
    page = client.get("/graphql", headers={"accept": "text/html"})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "GraphQL explorer" in page.text and "loadSchema" in page.text
    assert not re.search(r"(src|href)=\"(https?:)?//", page.text)  # nothing from another site


def test_a_missing_extra_is_one_line(tmp_path: Path) -> None:
    blocker = tmp_path / "sitecustomize.py"
    blocker.write_text(
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'strawberry' or name.startswith('strawberry.'):\n"
        "            raise ImportError('blocked')\n"
        "sys.meta_path.insert(0, Block())\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), *sys.path])}
    r = subprocess.run([sys.executable, "-c", "import wolfpy.graphql"], env=env, capture_output=True, text=True)
    assert r.returncode != 0
    assert r.stderr.strip().splitlines()[-1] == (
        "wolfpy.errors.MissingExtra: GraphQL (wolfpy.graphql) needs strawberry-graphql: "
        "pip install 'wolfpy[graphql]'")
