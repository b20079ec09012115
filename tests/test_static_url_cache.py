"""``static_url`` with debug off answers from what it resolved before (no ``stat`` of the
manifest per call); with debug on it follows a rebuilt manifest."""
from __future__ import annotations

import json
from pathlib import Path

import wolfpy
from wolfpy.testing import TestClient


def _project(root: Path) -> Path:
    (root / "routes").mkdir(parents=True)
    (root / "templates").mkdir()
    (root / "static" / "dist").mkdir(parents=True)
    (root / "wolfpy.toml").write_text('[app]\nname = "site"\n')
    (root / "routes" / "index.py").write_text(
        "from wolfpy import render\n\ndef get(request):\n    return render('index.html')\n")
    (root / "templates" / "index.html").write_text("<link href=\"${static_url('css/app.css')}\">")
    (root / "static" / "dist" / "manifest.json").write_text(json.dumps({"css/app.css": "css/app.1111.css"}))
    return root


def _rebuild(root: Path) -> None:
    manifest = root / "static" / "dist" / "manifest.json"
    manifest.write_text(json.dumps({"css/app.css": "css/app.2222.css"}))


def test_production_keeps_what_it_resolved(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("WOLFPY_SECRET_KEY", "k" * 40)
    monkeypatch.setenv("WOLFPY_APP_ALLOWED_HOSTS", "testserver")
    root = _project(tmp_path / "site")
    client = TestClient(wolfpy.load(root, mode="production"))
    assert 'href="/static/dist/css/app.1111.css"' in client.get("/").text
    _rebuild(root)   # a deploy restarts the workers; a running one keeps its answer
    assert 'href="/static/dist/css/app.1111.css"' in client.get("/").text
    fresh = TestClient(wolfpy.load(root, mode="production"))
    assert 'href="/static/dist/css/app.2222.css"' in fresh.get("/").text


def test_debug_follows_a_rebuild(tmp_path: Path) -> None:
    root = _project(tmp_path / "site")
    client = TestClient(wolfpy.load(root, mode="development"))
    assert 'href="/static/dist/css/app.1111.css"' in client.get("/").text
    _rebuild(root)
    import os
    os.utime(root / "static" / "dist" / "manifest.json", ns=(1, 10**18))  # a new mtime, whatever the clock
    assert 'href="/static/dist/css/app.2222.css"' in client.get("/").text
