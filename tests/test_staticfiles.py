"""Static files at /static/: types, caching, ranges, and every traversal form refused (404)."""
from __future__ import annotations

import os

import pytest

FILES = {
    "routes/index.py": "def get(request):\n    return 'home'\n",
    "static/css/app.css": "body { color: red; }\n",
    "static/js/app.3f2a9c1b.js": "console.log(1);\n",
    "static/img/logo.svg": "<svg xmlns='http://www.w3.org/2000/svg'></svg>\n",
    "static/.secret": "dotfile\n",
    "private.txt": "outside the static root\n",
}


@pytest.fixture
def client(client_for):
    c = client_for(FILES)
    root = c.app.project.root
    os.symlink(root / "private.txt", root / "static" / "link-out.txt")
    os.symlink(root / "static" / "css" / "app.css", root / "static" / "link-in.css")
    return c


def test_serves_files_with_types(client):
    r = client.get("/static/css/app.css")
    assert r.status_code == 200
    assert r.text == "body { color: red; }\n"
    assert r.headers["content-type"] == "text/css; charset=utf-8"
    assert client.get("/static/img/logo.svg").headers["content-type"] == "image/svg+xml"


def test_cache_headers(client):
    assert client.get("/static/css/app.css").headers["cache-control"] == "no-cache"
    assert client.get("/static/js/app.3f2a9c1b.js").headers["cache-control"] == \
        "public, max-age=31536000, immutable"


def test_conditional_and_range(client):
    etag = client.get("/static/css/app.css").headers["etag"]
    assert client.get("/static/css/app.css", headers={"if-none-match": etag}).status_code == 304
    r = client.get("/static/css/app.css", headers={"range": "bytes=0-3"})
    assert (r.status_code, r.content) == (206, b"body")


def test_symlink_inside_root_is_served(client):
    assert client.get("/static/link-in.css").status_code == 200


@pytest.mark.parametrize("url", [
    "/static/../private.txt",
    "/static/%2e%2e/private.txt",
    "/static/%2E%2E/private.txt",
    "/static/css/..%2f..%2fprivate.txt",
    "/static/css%2f..%2f..%2fprivate.txt",
    "/static/..%5cprivate.txt",
    "/static/css\\..\\..\\private.txt",
    "/static/x%00.txt",
    "/static/css/app.css%00.png",
    "/static/%2fetc%2fpasswd",
    "/static//etc/passwd",
    "/static/C:%5cWindows%5cwin.ini",
    "/static/link-out.txt",
    "/static/.secret",
    "/static/css",
    "/static/",
    "/static",
    "/static/CON",
    "/static/nul.txt",
    "/static/css/app.css.",
])
def test_traversal_and_odd_names_are_404(client, url):
    r = client.get(url, follow_redirects=True)
    assert r.status_code == 404, (url, r.status_code, r.text[:80])
    assert b"outside the static root" not in r.content and b"dotfile" not in r.content


def test_no_static_folder_no_route(client_for):
    c = client_for({"routes/index.py": "def get(request):\n    return 'x'\n"})
    assert c.get("/static/anything.css").status_code == 404
