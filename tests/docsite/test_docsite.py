"""/docs in process: pages, navigation, contents, links, safety, search, generated pages."""
from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path

import pytest

from wolfpy.app import App
from wolfpy.config import Settings
from wolfpy.project import Project
from wolfpy.testing import TestClient

from .conftest import make_project


def client(root: Path, **load: object) -> TestClient:
    project = Project(root)
    app = App(project, Settings.load(project, environ={}, quiet=True, **load))  # type: ignore[arg-type]
    app.load_routes()
    return TestClient(app)


def nav(page: str) -> list[str]:
    block = page[page.index('<nav class="sidebar"'):page.index("</nav>")]
    return re.findall(r">([^<>]+)</a>", block)


def test_pages_render_with_navigation_contents_and_highlighting(project: Path) -> None:
    c = client(project)
    home = c.get("/docs")
    assert home.status_code == 200 and home.headers["content-type"].startswith("text/html")
    text = home.text
    assert "<title>Demo handbook · demo</title>" in text
    assert '<span class="k">def</span>' in text              # Pygments classes on the code
    assert "<table>" in text and '<div class="admonition note">' in text
    assert '<a href="#code">Code</a>' in text                 # the page's table of contents
    # Folders become the tree; [docs] order puts install before advanced.
    assert nav(text) == ["Demo handbook", "Hostile", "The guide", "Installing", "Advanced topics",
                         "Routes", "API reference"]
    assert "Draft" not in text and "Secret" not in text
    assert c.get("/docs/_draft").status_code == 404
    assert c.get("/docs/.secret").status_code == 404
    css = c.get("/docs/_assets/docs.css")
    assert css.status_code == 200 and ".highlight .k" in css.text


def test_relative_links_between_pages_are_rewritten(project: Path) -> None:
    c = client(project)
    assert 'href="/docs/guide/install#requirements"' in c.get("/docs").text
    guide = c.get("/docs/guide").text
    assert 'href="/docs/guide/advanced"' in guide
    assert 'src="/docs/guide/img/logo.png"' in guide       # right from a folder's index page too
    assert c.get("/docs/guide/img/logo.png").text == "not really a png"
    assert 'href="/docs"' in c.get("/docs/guide/install").text
    assert c.get("/docs/guide/install").status_code == 200


def test_raw_html_is_escaped_and_unsafe_links_lose_their_target(project: Path) -> None:
    page = client(project).get("/docs/hostile").text
    main = page[page.index("<main>"):page.index("</main>")]
    assert "<script>" not in main and "&lt;script&gt;" in main
    assert "<img src=x" not in main and "&lt;img src=x onerror=alert(1)&gt;" in main
    assert "javascript:" not in main.lower().replace("&lt;", "")
    assert "<a>click me</a>" in main and "<a>tab</a>" in main
    assert '<a href="https://example.com/">ok</a>' in main


def test_allow_html_lets_raw_html_through_but_never_a_javascript_link(tmp_path: Path) -> None:
    root = make_project(tmp_path / "p", "[docs]\nallow_html = true\n")
    main = client(root).get("/docs/hostile").text
    assert '<script>alert("boom")</script>' in main
    assert "<a>click me</a>" in main


@pytest.mark.parametrize("url", [
    "/docs/../wolfpy.toml", "/docs/%2e%2e/wolfpy.toml", "/docs/guide/..%2f..%2fwolfpy.toml",
    "/docs//etc/passwd", "/docs/%2Fetc%2Fpasswd", "/docs/guide/%2e%2e/%2e%2e/wolfpy.toml",
    "/docs/index.md", "/docs/guide/img/..%5c..%5cindex.md", "/docs/outside", "/docs/outside.png",
    "/docs/linked/secret", "/docs/x%00.png",
])
def test_paths_outside_docs_are_refused(tmp_path: Path, url: str) -> None:
    root = make_project(tmp_path / "p")
    (tmp_path / "secret.md").write_text("# Outside\n\ntop secret\n")
    (tmp_path / "secret.png").write_text("top secret")
    (tmp_path / "folder").mkdir()
    (tmp_path / "folder" / "secret.md").write_text("# Outside too\n\ntop secret\n")
    os.symlink(tmp_path / "secret.md", root / "docs" / "outside.md")
    os.symlink(tmp_path / "secret.png", root / "docs" / "outside.png")
    os.symlink(tmp_path / "folder", root / "docs" / "linked")
    reply = client(root).get(url)
    assert reply.status_code in (400, 404), url
    assert "top secret" not in reply.text and "[app]" not in reply.text
    assert "Outside" not in client(root).get("/docs").text


def test_search_answers_on_the_server_and_ships_an_index(project: Path) -> None:
    c = client(project)
    found = c.get("/docs/search", params={"q": "quokkafruit python"}).text
    assert "1 result for <strong>quokkafruit python</strong>" in found
    assert 'href="/docs/guide/install#requirements"' in found
    assert "Installing › Requirements" in found
    assert "0 results" in c.get("/docs/search", params={"q": "quokkafruit zebra"}).text
    assert c.get("/docs/search", params={"q": "<b>" * 500}).status_code == 200
    escaped = c.get("/docs/search", params={"q": "<script>x"}).text
    assert "<strong>&lt;script&gt;x</strong>" in escaped
    index = json.loads(c.get("/docs/_assets/search-index.json").text)
    assert {"t": "Installing", "h": "Requirements", "u": "guide/install#requirements",
            "x": "You need a quokkafruit and Python."} in index
    assert not any("not published" in e["x"] for e in index)
    script = c.get("/docs/_assets/search-index.js")
    assert script.text.startswith("window.WOLFPY_DOCS_INDEX=[")
    assert "fetch(" not in c.get("/docs/_assets/search.js").text


def test_generated_route_and_api_pages(project: Path) -> None:
    c = client(project)
    routes = c.get("/docs/_app/routes").text
    assert "<code>/items/{id}</code>" in routes
    assert "<code>routes/items/[id].py</code>" in routes
    assert "<code>/docs/{path...}</code>" in routes            # the docs site lists itself too
    api = c.get("/docs/_app/api").text
    assert 'id="get-itemsid"' in api and "GET /items/{id}" in api
    assert "Fetch one item by its id." in api
    found = c.get("/docs/search", params={"q": "fetch item"}).text
    assert 'href="/docs/_app/api#get-itemsid"' in found


def test_pages_re_render_when_a_file_changes_in_development(project: Path) -> None:
    c = client(project, mode="development")
    assert "Nothing about fruit" in c.get("/docs/guide/advanced").text
    page = project / "docs" / "guide" / "advanced.md"
    page.write_text("# Advanced topics\n\nNow with mangoes.\n")
    later = time.time() + 5  # a new mtime even on a coarse clock
    os.utime(page, (later, later))
    assert "Now with mangoes." in c.get("/docs/guide/advanced").text
    (project / "docs" / "new.md").write_text("# Brand new\n")
    assert "Brand new" in c.get("/docs").text
    assert c.get("/docs/search", params={"q": "mangoes"}).text.count("result for") == 1


def test_on_in_development_off_in_production_unless_set(tmp_path: Path) -> None:
    root = make_project(tmp_path / "p")
    assert client(root, mode="development").get("/docs").status_code == 200
    prod = Settings.load(Project(root), environ={"WOLFPY_SECRET_KEY": "k" * 40}, mode="production", quiet=True)
    app = App(Project(root), prod)
    app.load_routes()
    assert TestClient(app).get("/docs", headers={"host": "localhost"}).status_code in (400, 404)
    assert not any(r.template.startswith("/docs") for r in (app.apply_extensions() or app.routes))
    on = Settings.load(Project(root), environ={"WOLFPY_SECRET_KEY": "k" * 40, "WOLFPY_DOCS_ENABLED": "true"},
                       mode="production", quiet=True)
    app = App(Project(root), on)
    app.apply_extensions()
    assert any(r.template == "/docs" for r in app.routes)
    off = make_project(tmp_path / "off", "[docs]\nenabled = false\n")
    assert client(off, mode="development").get("/docs").status_code == 404


def test_a_project_route_at_docs_wins(tmp_path: Path) -> None:
    root = make_project(tmp_path / "p")
    (root / "routes" / "docs.py").write_text("def get(request):\n    return 'my own docs'\n")
    assert client(root).get("/docs").text == "my own docs"


@pytest.mark.parametrize("target", [
    "java&#115;cript:alert(1)", "&#106;avascript:alert(1)", "javascript&colon;alert(1)",
    "javascript&#x3A;alert(1)", "java&Tab;script:alert(1)", "&#x64;ata:text/html,x",
])
def test_a_scheme_hidden_behind_character_references_loses_its_target(target: str) -> None:
    # The browser decodes the references in href/src, so the scheme is judged decoded.
    from wolfpy.docsite.render import render

    text = f"[inline]({target}) ![img]({target}) [ref][r]\n\n[r]: {target}\n"
    out = render(text, "index.md", lambda t, o: t).html
    assert "href=" not in out and "src=" not in out, out


def test_an_email_autolink_keeps_its_mailto_target() -> None:
    from html import unescape

    from wolfpy.docsite.render import render

    out = render("Write to <team@example.com>.", "index.md", lambda t, o: t).html
    assert 'href="mailto:team@example.com"' in unescape(out)


def test_the_table_of_contents_escapes_a_heading_once() -> None:
    # The toc's names come escaped from Markdown; escaping them again showed "A &amp; B".
    from wolfpy.docsite.layout import toc_html
    from wolfpy.docsite.render import render

    out = render("# T\n\n## Install & run <fast>\n\n## Next\n", "index.md", lambda t, o: t)
    assert '>Install &amp; run &lt;fast&gt;</a>' in toc_html(out.toc)
