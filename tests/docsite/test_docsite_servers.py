"""The docs site over real HTTP: /docs under uvicorn, the built site/ under
``python -m http.server``, the built site opened from disk in Chromium, and live
reload of an open tab when a page changes under ``wolfpy serve``."""
from __future__ import annotations

import html
import re
import shutil
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any, Iterator

import pytest

from tests.e2e.conftest import HOST, Server, free_port, server_env
from tests.e2e.test_auth_flow import CHROMIUM_ARGS, CHROMIUM, _chromium_or_skip
from tests.e2e.test_devserver import CliServer, EventStream, changes_until_reload, run_cli

from .conftest import make_project

pytestmark = pytest.mark.e2e
SHOTS = Path("/work/shots/docs")
TAG = re.compile(r"<[^>]+>")


def fetch(url: str) -> tuple[int, str, dict[str, str]]:
    try:
        with urllib.request.urlopen(url, timeout=10) as reply:
            return reply.status, reply.read().decode(), {k.lower(): v for k, v in reply.headers.items()}
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode(errors="replace"), {}


def main_text(page: str) -> str:
    body = page[page.index("<main>"):page.index("</main>")]
    return " ".join(html.unescape(TAG.sub(" ", body)).split())


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, str, Path]]:
    """(uvicorn serving the project in production with /docs on, the origin of
    ``python -m http.server`` serving the built site/, the project)."""
    base = tmp_path_factory.mktemp("docsite")
    project = make_project(base / "demo", '[docs]\norder = ["guide/install"]\n')
    built = run_cli(["docs", "build"], project)
    assert built.returncode == 0, built.stderr
    server = Server("uvicorn", project, base / "logs", server_env(WOLFPY_DOCS_ENABLED="true"))
    port = free_port()
    static = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind", HOST,
                               "--directory", str(project / "site")],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        server.start().wait_ready()
        origin = f"http://{HOST}:{port}"
        deadline = time.monotonic() + 20
        while True:
            try:
                fetch(origin + "/")
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        yield server, origin, project
    finally:
        server.stop()
        static.terminate()
        static.wait(10)


def test_docs_over_http_pages_navigation_search_code_generated_and_escaping(served: Any) -> None:
    server, _, _ = served
    status, home, headers = fetch(server.origin + "/docs")
    assert status == 200 and headers["content-type"].startswith("text/html")
    assert '<span class="k">def</span>' in home and "<table>" in home
    assert '<a href="/docs/guide/install">Installing</a>' in home
    assert home.index(">Installing<") < home.index(">Advanced topics<")        # [docs] order
    assert 'href="/docs/guide/install#requirements"' in home                  # the rewritten .md link
    status, page, _ = fetch(server.origin + "/docs/guide/install")
    assert status == 200 and 'aria-current="page">Installing</a>' in page
    assert '<a href="#requirements">Requirements</a>' in page                   # its contents
    status, found, _ = fetch(server.origin + "/docs/search?q=quokkafruit")
    assert status == 200 and "1 result for" in found and 'href="/docs/guide/install#requirements"' in found
    status, routes, _ = fetch(server.origin + "/docs/_app/routes")
    assert status == 200 and "<code>routes/items/[id].py</code>" in routes
    status, api, _ = fetch(server.origin + "/docs/_app/api")
    assert status == 200 and "GET /items/{id}" in api and "Fetch one item by its id." in api
    status, hostile, _ = fetch(server.origin + "/docs/hostile")
    assert "&lt;script&gt;" in hostile and "<script>alert" not in hostile and "<a>click me</a>" in hostile
    for bad in ("/docs/../wolfpy.toml", "/docs/%2e%2e/wolfpy.toml", "/docs/_draft", "/docs/index.md"):
        status, body, _ = fetch(server.origin + bad)
        assert status == 404 and "[app]" not in body, bad


@pytest.mark.parametrize("live, static", [
    ("/docs", "/index.html"), ("/docs/guide", "/guide/index.html"),
    ("/docs/guide/install", "/guide/install.html"), ("/docs/hostile", "/hostile.html"),
    ("/docs/_app/routes", "/_app/routes.html"), ("/docs/_app/api", "/_app/api.html"),
])
def test_the_built_site_under_a_plain_static_server_has_the_same_pages(served: Any, live: str, static: str) -> None:
    server, origin, _ = served
    live_status, live_page, _ = fetch(server.origin + live)
    static_status, static_page, _ = fetch(origin + static)
    assert live_status == static_status == 200
    assert main_text(static_page) == main_text(live_page)
    for link in re.findall(r'(?:href|src)="([^"#]+)', static_page):
        if not link.startswith(("http:", "https:", "mailto:")):
            target = urllib.parse.urljoin(origin + static, link)
            assert fetch(target)[0] == 200, (static, link)


def test_the_built_site_opened_from_disk_searches_in_chromium(served: Any, tmp_path: Path) -> None:
    sync_playwright = _chromium_or_skip()
    _, _, project = served
    start = (project / "site" / "guide" / "advanced.html").as_uri()
    shots = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            page.set_default_timeout(10_000)
            page.goto(start)
            assert page.title() == "Advanced topics · demo"
            page.fill("#docs-search", "quokkafruit")
            result = page.locator("#docs-search-results a").first
            result.wait_for()
            assert result.inner_text() == "Installing › Requirements"
            shots.append(tmp_path / "docs-search.png")
            page.screenshot(path=str(shots[-1]))
            result.click()
            page.wait_for_url("**/guide/install.html#requirements")
            assert page.url.startswith("file://")
            assert page.locator("main h1").inner_text().startswith("Installing")
            page.goto((project / "site" / "search.html").as_uri() + "?q=handbook+welcome")
            page.locator(".results a").first.wait_for()
            assert page.locator(".results a").first.inner_text() == "Demo handbook"
            shots.append(tmp_path / "docs-search-page.png")
            page.screenshot(path=str(shots[-1]), full_page=True)
        finally:
            browser.close()
    SHOTS.mkdir(parents=True, exist_ok=True)
    for shot in shots:
        assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        shutil.copy(shot, SHOTS / shot.name)


def test_a_page_edit_reloads_open_tabs_and_shows_under_wolfpy_serve(tmp_path: Path) -> None:
    project = make_project(tmp_path / "demo")
    dev = CliServer(project, tmp_path / "logs")
    try:
        dev.start().wait_ready()
        status, page, _ = fetch(dev.origin + "/docs/guide/advanced")
        assert status == 200 and "/_wolfpy/livereload" in page                  # the tab listens
        stream = EventStream(dev.port)
        try:
            assert stream.read_until(b"\n\n", 5.0), stream.buffer
            target = project / "docs" / "guide" / "advanced.md"
            changes_until_reload(stream, lambda n: target.write_text(f"# Advanced topics\n\nEdition {n}.\n"))
        finally:
            stream.close()
        assert "Edition" in fetch(dev.origin + "/docs/guide/advanced")[1]
        assert "restarting" not in dev.stderr()
    finally:
        dev.stop()


def test_wolfpy_docs_serve_builds_and_serves_site(tmp_path: Path) -> None:
    project = make_project(tmp_path / "demo")
    port = free_port()
    env = server_env(secret=None)
    proc = subprocess.Popen([sys.executable, "-m", "wolfpy.cli.main", "docs", "serve", "--port", str(port)],
                            cwd=project, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True, text=True)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                status, page, _ = fetch(f"http://{HOST}:{port}/guide/install.html")
                break
            except OSError:
                assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
                time.sleep(0.1)
        assert status == 200 and "<title>Installing · demo</title>" in page
        assert fetch(f"http://{HOST}:{port}/_assets/search-index.js")[0] == 200
        busy = subprocess.run([sys.executable, "-m", "wolfpy.cli.main", "docs", "serve", "--no-build",
                               "--port", str(port)], cwd=project, env=env, capture_output=True, text=True,
                              timeout=60)
        assert busy.returncode == 1 and busy.stderr.startswith(f"error: cannot listen on 127.0.0.1:{port}")
        assert busy.stderr.count("\n") == 1
    finally:
        proc.terminate()
        out, err = proc.communicate(timeout=10)
    assert f"serving {project / 'site'} at http://127.0.0.1:{port}/" in out
