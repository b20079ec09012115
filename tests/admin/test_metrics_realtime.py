"""/admin/metrics counts this process's open realtime connections."""
from __future__ import annotations

import re
import textwrap
from pathlib import Path

import wolfpy
from wolfpy.testing import TestClient

USER = '''
from wolfpy.db import BooleanField, CharField, Model


class User(Model):
    username = CharField(max_length=150, unique=True)
    password_hash = CharField(max_length=255)
    is_admin = BooleanField(default=False)
'''
ROOM = '''
async def websocket(ws):
    await ws.accept()
    await ws.join("lobby", identity="ann")
    async for message in ws.iter_json():
        await ws.send_json(message)
'''


def connections(page: str) -> str:
    found = re.search(r"Realtime connections: <strong id=\"realtime\">([^<]+)</strong>", page)
    assert found, page
    return found.group(1)


def test_metrics_page_counts_open_websockets(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("WOLFPY_SECRET_KEY", "k" * 40)
    root = tmp_path / "p"
    for rel, text in {"models/__init__.py": "", "models/accounts.py": USER, "routes/index.py":
                      "def get(request):\n    return 'hi'\n", "routes/room.py": ROOM}.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(textwrap.dedent(text))
    (root / "wolfpy.toml").write_text('[middleware]\nbuiltin = ["sessions", "csrf", "auth"]\n'
                                      '[logging]\nfile = false\nconsole = false\n')
    app = wolfpy.load(root)
    app.database.create_tables(app.models)
    admin = app.models[0].create(username="boss", password_hash="-", is_admin=True)
    with TestClient(app, protocol="asgi") as client:
        client.login(admin)
        assert connections(client.get("/admin/metrics").text) == "0"
        with client.websocket_connect("/room") as ws:
            ws.send_json({"n": 1})
            assert ws.receive_json()["type"] == "presence"
            assert connections(client.get("/admin/metrics").text) == "1"
