"""The history table is WolfPy's own: made on first use, invisible to the project's migrations."""
from __future__ import annotations

import sys

from tests.cli_runner import run_cli
from wolfpy.realtime import broadcast, history

MODEL = """
from wolfpy.db import CharField, Model


class Note(Model):
    title = CharField(max_length=100)
"""


def test_migrations_neither_create_nor_drop_the_history_table(load_app):
    app = load_app({"models/note.py": MODEL, "routes/index.py": "def get(request):\n    return 'hi'\n"})
    root = app.project.root
    try:
        code, out, err = run_cli("db", "migrate", "--yes", cwd=root)
        assert code == 0, out + err
        sent = broadcast("r", {"text": "kept"}, persist=True, app=app)
        code, out, err = run_cli("db", "migrate", "--dry-run", cwd=root)
        assert code == 0 and "nothing to do" in out, out + err
        assert history("r", app=app) == [sent]
    finally:
        for name in [n for n in sys.modules if n == "models" or n.startswith("models.")]:
            del sys.modules[name]


def test_a_message_id_or_limit_past_64_bits_reads_nothing_instead_of_failing(load_app):
    # A client's ?since= of 20 digits reached SQLite as an int it cannot bind (OverflowError).
    app = load_app({"routes/index.py": "def get(request):\n    return 'hi'\n"})
    sent = broadcast("r", {"text": "kept"}, persist=True, app=app)
    assert history("r", since=10 ** 20, app=app) == []
    assert history("r", since=-(10 ** 20), app=app) == [sent]
    assert history("r", limit=10 ** 20, since=0, app=app) == [sent]
