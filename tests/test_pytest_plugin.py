"""A project's own tests (`wolfpy test`) run on a throw-away database, never the development one."""
from __future__ import annotations

import os
import subprocess
import sys

from tests.cli_runner import run_cli


def test_project_tests_use_a_throwaway_database(tmp_path):
    assert run_cli("new", "shop", cwd=tmp_path)[0] == 0
    project = tmp_path / "shop"
    assert run_cli("generate", "model", "Item", "name:str", cwd=project)[0] == 0
    (project / "routes/items.py").write_text(
        "from models.item import Item\n"
        "def post(request):\n    Item.create(name=request.form['name'])\n    return str(Item.select().count())\n")
    (project / "tests/test_items.py").write_text(
        "def test_each_test_starts_empty(client):\n"
        "    from models.item import Item\n"
        "    assert Item.select().count() == 0\n"
        "    Item.create(name='a')\n"
        "    assert Item.select().count() == 1\n"
        "def test_and_again(client):\n"
        "    from models.item import Item\n"
        "    assert Item.select().count() == 0\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WOLFPY_", "DATABASE_URL"))}
    r = subprocess.run([sys.executable, "-c", "from wolfpy.cli.main import main; main()", "test", "-q",
                        "-p", "no:cacheprovider"], cwd=project, env=env, capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-2000:]
    assert "passed" in r.stdout
    assert not (project / "db.sqlite3").exists()      # the development database was never created
