"""`wolfpy generate pwa` in a new project, served by gunicorn, in headless Chromium: the
service worker installs and controls the site, Chromium parses the manifest without
errors and finds the site installable, and with the server stopped a visited page comes from the cache and a new one
shows the offline page."""
from __future__ import annotations

import http.client
import json
import shutil
import struct
from pathlib import Path
from typing import Callable, Iterator

import pytest

from tests.test_auth_generators import new_project, ok

from .conftest import HOST, Server
from .test_auth_flow import CHROMIUM, CHROMIUM_ARGS, _chromium_or_skip

pytestmark = pytest.mark.e2e

SHOTS = Path("/work/shots/uploads-graphql-pwa")


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    with pytest.MonkeyPatch.context() as mp:
        for key in ("DATABASE_URL", "WOLFPY_DATABASE_URL", "WOLFPY_APP_DEBUG", "WOLFPY_SECRET_KEY"):
            mp.delenv(key, raising=False)
        root = new_project(tmp_path_factory.mktemp("pwa"), "notes")
        out = ok("generate", "pwa", "--name", "Field Notes", "--color", "#0f766e", cwd=root)
        assert "templates/layout.html: added" in out and "wolfpy.toml: added the [pwa] section" in out
        # A fingerprinted asset, as `wolfpy assets build` writes them, used by every page.
        (root / "static" / "dist").mkdir(parents=True)
        (root / "static" / "dist" / "app.0123abcd.css").write_text("main { border-top: 4px solid teal; }\n")
        layout = root / "templates" / "layout.html"
        layout.write_text(layout.read_text().replace(
            "</head>", '  <link rel="stylesheet" href="/static/dist/app.0123abcd.css">\n</head>'))
        yield root


def get(server: Server, path: str) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection(HOST, server.port, timeout=10)
    try:
        conn.request("GET", path)
        r = conn.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
    finally:
        conn.close()


def test_the_files_over_http(project: Path, run_server: Callable[..., Server]) -> None:
    server = run_server("gunicorn", project).wait_ready()
    status, headers, body = get(server, "/sw.js")
    assert status == 200 and headers["content-type"].startswith("text/javascript")
    assert headers["cache-control"] == "no-cache" and headers["service-worker-allowed"] == "/"
    assert b'"pages": "network-first"' in body and b'"assets_prefix": "/static/dist/"' in body
    status, headers, body = get(server, "/static/manifest.webmanifest")
    assert status == 200 and headers["content-type"] == "application/manifest+json"
    manifest = json.loads(body)
    assert manifest["name"] == "Field Notes" and manifest["theme_color"] == "#0f766e"
    for entry in manifest["icons"]:
        status, headers, png = get(server, entry["src"])
        assert status == 200 and headers["content-type"] == "image/png"
        assert png[:8] == b"\x89PNG\r\n\x1a\n" and png[12:16] == b"IHDR"
        width, height = struct.unpack(">II", png[16:24])
        assert f"{width}x{height}" == entry["sizes"]
    status, _, page = get(server, "/")
    assert b'<link rel="manifest" href="/static/manifest.webmanifest">' in page
    assert b'<script src="/static/pwa.js" defer></script>' in page


def test_installs_and_works_offline_in_chromium(project: Path, run_server: Callable[..., Server],
                                                tmp_path: Path) -> None:
    sync_playwright = _chromium_or_skip()
    server = run_server("gunicorn", project).wait_ready()
    origin = server.origin
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            context = browser.new_context()
            page = context.new_page()
            page.set_default_timeout(15_000)
            page.goto(origin + "/")
            state = page.evaluate("""async () => {
                const reg = await navigator.serviceWorker.ready;
                const worker = reg.active;
                if (worker.state !== "activated") {
                    await new Promise((done) => worker.addEventListener("statechange", () => {
                        if (worker.state === "activated") done();
                    }));
                }
                return {scope: reg.scope, state: reg.active.state, script: reg.active.scriptURL};
            }""")
            assert state == {"scope": origin + "/", "state": "activated", "script": origin + "/sw.js"}
            page.wait_for_function("navigator.serviceWorker.controller !== null")

            cdp = context.new_cdp_session(page)
            manifest = cdp.send("Page.getAppManifest")
            assert manifest["url"] == origin + "/static/manifest.webmanifest"
            assert manifest["errors"] == []
            parsed = json.loads(manifest["data"])
            assert parsed["display"] == "standalone"
            # Chromium's own installability checks (manifest fields, icons, service worker)
            # pass; a Playwright context only counts as incognito.
            errors = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
            assert [e["errorId"] for e in errors if e["errorId"] != "in-incognito"] == []

            page.reload()  # the home page, now through the service worker, goes into its cache
            home = page.inner_text("body")
            cached = page.evaluate("""async () => {
                const hit = async (path) => (await caches.match(path)) !== undefined;
                return [await hit("/static/dist/app.0123abcd.css"), await hit("/static/offline.html"),
                        await hit("/"), await hit("/static/css/app.css")];
            }""")
            # cache-first for the fingerprinted asset, the offline page precached, the page
            # kept by network-first, and an unfingerprinted asset left to HTTP.
            assert cached == [True, True, True, False]
            server.stop()
            page.goto(origin + "/")
            assert page.inner_text("body") == home  # a page seen before: from the cache
            page.goto(origin + "/never-visited")
            assert page.inner_text("h1") == "You are offline"
            assert "Field Notes cannot be reached right now" in page.inner_text("body")
            shot = tmp_path / "offline.png"
            page.screenshot(path=str(shot), full_page=True)
        finally:
            browser.close()
    SHOTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(shot, SHOTS / "pwa-offline.png")
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
