"""A SQLite connection is kept for the thread's next request, and never outlives its file
or a transaction the request left open."""
from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

import pytest

import wolfpy
from wolfpy.testing import TestClient

MODELS = "from wolfpy.db import CharField, Model\n\nclass Note(Model):\n    text = CharField()\n"
ROUTES = {
    "routes/count.py": "from models.note import Note\n\ndef get(request):\n    return str(Note.select().count())\n",
    # A TEMP table lives as long as its connection: its row count is the number of
    # requests this connection has served.
    "routes/conn.py": "from wolfpy.db import DATABASE\n\ndef get(request):\n"
                      "    DATABASE.execute_sql('CREATE TEMP TABLE IF NOT EXISTS served (x INTEGER)')\n"
                      "    DATABASE.execute_sql('INSERT INTO served VALUES (1)')\n"
                      "    return str(DATABASE.execute_sql('SELECT COUNT(*) FROM served').fetchone()[0])\n",
    "routes/left_open.py": "from wolfpy.db import DATABASE\nfrom models.note import Note\n\ndef post(request):\n"
                           "    DATABASE.execute_sql('BEGIN')\n    Note.create(text='never committed')\n"
                           "    return 'left open'\n",
}


@pytest.fixture
def site(make_project, monkeypatch, tmp_path):
    for name in [n for n in sys.modules if n == "models" or n.startswith("models.")]:
        del sys.modules[name]
    monkeypatch.setenv("WOLFPY_SECRET_KEY", "s" * 50)
    root = make_project({"models/note.py": MODELS, **ROUTES},
                        toml='[app]\ndebug = false\n[database]\nurl = "sqlite:///db.sqlite3"\n'
                             '[middleware]\nbuiltin = []\n')
    app = wolfpy.load(root)
    with app.database.connection_context():
        app.database.create_tables(app.models)
        app.models[0].create(text="one")
    return root, app, TestClient(app, csrf=False)


def test_the_connection_is_kept_between_requests(site):
    _root, _app, client = site
    assert [client.get("/conn").text for _ in range(3)] == ["1", "2", "3"]  # one connection, kept
    assert client.get("/count").text == "1"


def test_a_replaced_file_gets_a_new_connection(site):
    root, _app, client = site
    assert client.get("/count").text == "1"
    path = Path(root) / "db.sqlite3"
    for suffix in ("", "-wal", "-shm"):               # `wolfpy db reset`: a new file in its place
        Path(str(path) + suffix).unlink(missing_ok=True)
    fresh = sqlite3.connect(path)
    fresh.execute("CREATE TABLE note (id INTEGER PRIMARY KEY, text VARCHAR(255) NOT NULL)")
    fresh.executemany("INSERT INTO note (text) VALUES (?)", [("a",), ("b",), ("c",)])
    fresh.commit()
    fresh.close()
    assert client.get("/count").text == "3"            # the new file, not the deleted one


def test_what_a_request_left_uncommitted_is_rolled_back(site):
    _root, _app, client = site
    assert client.post("/left_open").text == "left open"
    assert client.get("/count").text == "1"            # rolled back, and the connection works
    assert client.get("/count").text == "1"
