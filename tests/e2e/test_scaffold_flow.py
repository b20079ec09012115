"""End to end: a fresh project, `generate auth` and `generate scaffold` (with a foreign key), on
SQLite (`wolfpy serve`) and on PostgreSQL (uvicorn in production mode).

`wolfpy test` passes right after `wolfpy db migrate`; the scaffolded pages are walked over real
HTTP (create, list, show, edit pre-filled, delete, errors on their fields) and in headless
Chromium; `wolfpy destroy scaffold Post` then leaves the project as it was, and `wolfpy test`
passes again.
"""
from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import urlsplit, urlunsplit

import pytest

from tests.cli_runner import run_cli
from tests.scaffold.conftest import snapshot
from tests.services import service_url

from .conftest import HOST, Server, server_env
from .test_auth_flow import CHROMIUM, CHROMIUM_ARGS, CommandServer, Jar, _chromium_or_skip

pytestmark = pytest.mark.e2e

SHOTS = Path("/work/shots/scaffold")
SCAFFOLD = ("generate", "scaffold", "Post", "title:str", "body:text", "published:bool", "author:fk:User")


def wolfpy(cwd: Path, env: dict[str, str], *args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
    """``wolfpy ARGS`` with ``env``: ``wolfpy test`` in a child process, the rest in this one
    (as fast, and the same code; the models it imports are forgotten after each)."""
    if args[0] == "test":
        result = subprocess.run([sys.executable, "-c", "from wolfpy.cli.main import main; main()", *args],
                                cwd=cwd, env=env, capture_output=True, text=True, timeout=180,
                                stdin=subprocess.DEVNULL)
    else:
        with pytest.MonkeyPatch.context() as mp:
            for key in [k for k in os.environ if k.startswith("WOLFPY_") or k == "DATABASE_URL"]:
                mp.delenv(key)
            for key in ("DATABASE_URL", "WOLFPY_TEST_DATABASE_URL"):
                if key in env:
                    mp.setenv(key, env[key])
            path = list(sys.path)
            try:
                code, out, err = run_cli(*args, cwd=cwd)
            finally:
                sys.path[:] = path
                for name in [n for n in sys.modules if n == "models" or n.startswith("models.")]:
                    del sys.modules[name]
        result = subprocess.CompletedProcess(list(args), code, out, err)
    if ok:
        assert result.returncode == 0, (args, result.stdout[-3000:], result.stderr[-3000:])
    return result


def build(parent: Path, env: dict[str, str]) -> tuple[Path, dict[str, bytes]]:
    """new → generate auth → db migrate → (snapshot) → generate scaffold → db migrate → wolfpy test."""
    wolfpy(parent, env, "new", "blog")
    project = parent / "blog"
    wolfpy(project, env, "generate", "auth")
    wolfpy(project, env, "db", "migrate", "--yes")
    before = snapshot(project)
    out = wolfpy(project, env, *SCAFFOLD).stdout
    assert "create  routes/posts/[id]/edit.py" in out and "create  migrations/0002_create_post.py" in out
    assert "applied 0002_create_post" in wolfpy(project, env, "db", "migrate").stdout
    tested = wolfpy(project, env, "test", "-q", "-p", "no:cacheprovider")
    assert "14 passed" in tested.stdout, tested.stdout[-2000:]     # 3 home page, 10 scaffold, 1 model
    wolfpy(project, env, "create", "user", "ada", "--email", "ada@example.com", "--password", "a good password")
    return project, before


def undo(project: Path, env: dict[str, str], before: dict[str, bytes]) -> None:
    """roll back, destroy the scaffold: the project is as it was, and its tests pass."""
    refused = wolfpy(project, env, "destroy", "scaffold", "Post", ok=False)
    assert refused.returncode == 1 and "run `wolfpy db rollback` first" in refused.stderr
    wolfpy(project, env, "db", "rollback", "--yes")
    out = wolfpy(project, env, "destroy", "scaffold", "Post").stdout
    assert "remove  routes/posts/index.py" in out
    assert snapshot(project) == before
    tested = wolfpy(project, env, "test", "-q", "-p", "no:cacheprovider")
    assert "3 passed" in tested.stdout, tested.stdout[-2000:]


def token_of(text: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', text)
    assert match, text[:1000]
    return match.group(1)


def walk(server: Server) -> None:
    """The scaffolded pages over real HTTP, as a browser without JavaScript uses them."""
    jar = Jar(server)
    status, _, text = jar.request("GET", "/posts")
    assert status == 200 and "No posts yet." in text
    status, _, text = jar.request("GET", "/posts/new")
    assert status == 200 and re.search(r'<option value="(\d+)">ada</option>', text), text[:3000]
    author = re.search(r'<option value="(\d+)">ada</option>', text).group(1)   # type: ignore[union-attr]
    token = token_of(text)
    # A mistake: the page comes back with the error on its field and the input kept.
    form = {"title": "", "body": "Kept <body>", "author": author, "csrf_token": token}
    status, _, text = jar.request("POST", "/posts", form)
    assert status == 422
    assert 'aria-describedby="title-error"' in text
    assert '<p class="error" id="title-error">This field is required.</p>' in text
    assert "Kept &lt;body&gt;</textarea>" in text
    status, _, _ = jar.request("POST", "/posts", {**form, "title": "x", "csrf_token": "forged"})
    assert status == 403
    # Create, then list and show.
    status, headers, _ = jar.request("POST", "/posts", {**form, "title": "Hello <world>", "published": "on"})
    assert status == 303 and re.fullmatch(r"/posts/\d+", headers["location"]), headers
    url = headers["location"]
    status, _, text = jar.request("GET", url)
    assert status == 200 and "Post created." in text and "<h1>Hello &lt;world&gt;</h1>" in text
    assert "<dd>yes</dd>" in text and "<dd>ada</dd>" in text
    status, _, text = jar.request("GET", "/posts")
    assert status == 200 and f'<a href="{url}">Hello &lt;world&gt;</a>' in text
    # Edit: the form is filled in; an update comes back as a flash.
    status, _, text = jar.request("GET", url + "/edit")
    assert status == 200 and 'value="Hello &lt;world&gt;"' in text and "checked" in text
    assert f'<option value="{author}" selected>ada</option>' in text
    status, headers, _ = jar.request("POST", url, {"title": "Changed", "body": "New body", "author": author,
                                                   "csrf_token": token_of(text)})
    assert (status, headers["location"]) == (303, url)
    status, _, text = jar.request("GET", url)
    assert "Post updated." in text and "<h1>Changed</h1>" in text and "<dd>no</dd>" in text
    # The JSON API (no session cookie: a script).
    api = Jar(server)
    status, _, text = api.request("GET", "/api/posts")
    assert status == 200 and json.loads(text)["total"] == 1
    # Delete through the confirmation page.
    status, _, text = jar.request("GET", url + "/delete")
    assert status == 200 and "Delete this post?" in text
    status, headers, _ = jar.request("POST", url + "/delete", {"csrf_token": token_of(text)})
    assert (status, headers["location"]) == (303, "/posts")
    status, _, text = jar.request("GET", "/posts")
    assert "Post deleted." in text and "No posts yet." in text
    assert jar.request("GET", url)[0] == 404


def serve(project: Path, logs: Path) -> CommandServer:
    command = [sys.executable, "-c", "from wolfpy.cli.main import main; main()", "serve", "--no-reload",
               "--host", HOST, "--port", "{port}"]
    return CommandServer(command, project, logs, server_env(secret=None))


@pytest.fixture(scope="module")
def sqlite_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Server, dict[str, bytes]]]:
    root = tmp_path_factory.mktemp("scaffold-sqlite")
    env = server_env(secret=None)
    project, before = build(root, env)
    server = serve(project, root / "logs")
    try:
        server.start().wait_ready()
        yield project, server, before
    finally:
        server.stop()


def test_scaffold_on_sqlite_over_http(sqlite_site: Any) -> None:
    _, server, _ = sqlite_site
    walk(server)


def test_scaffold_in_headless_chromium(sqlite_site: Any, tmp_path: Path) -> None:
    sync_playwright = _chromium_or_skip()
    _, server, _ = sqlite_site
    origin = server.origin
    shots = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1000, "height": 760})
            page.set_default_timeout(10_000)
            page.goto(origin + "/auth/login?next=/posts")
            page.fill("#username", "ada")
            page.fill("#password", "a good password")
            page.click("main button[type=submit]")
            page.wait_for_url(origin + "/posts")
            assert "Signed in as ada." in page.inner_text(".flash")
            assert "Signed in as ada" in page.inner_text("header.bar")
            page.click("text=New post")
            page.wait_for_url(origin + "/posts/new")
            page.fill("#body", "Written in a browser.")
            page.select_option("#author", label="ada")
            page.eval_on_selector("form.resource-form", "form => form.noValidate = true")
            page.click("main button[type=submit]")        # no title: the server says so on the field
            page.wait_for_load_state()
            assert page.get_attribute("#title", "aria-invalid") == "true"
            assert page.inner_text("#title-error") == "This field is required."
            assert page.input_value("#body") == "Written in a browser."
            shots.append(tmp_path / "scaffold-error.png")
            page.screenshot(path=str(shots[-1]), full_page=True)
            page.fill("#title", "A browser post")
            page.check("#published")
            page.click("main button[type=submit]")
            page.wait_for_url(re.compile(r".*/posts/\d+$"))
            assert page.inner_text("h1") == "A browser post"
            assert "Post created." in page.inner_text(".flash")
            shots.append(tmp_path / "scaffold-show.png")
            page.screenshot(path=str(shots[-1]), full_page=True)
            page.click("main >> text=Edit")
            assert page.input_value("#title") == "A browser post" and page.is_checked("#published")
            page.fill("#title", "A browser post, edited")
            page.click("main button[type=submit]")
            page.wait_for_url(re.compile(r".*/posts/\d+$"))
            assert page.inner_text("h1") == "A browser post, edited"
            page.goto(origin + "/posts")
            assert "A browser post, edited" in page.inner_text("table.list")
            shots.append(tmp_path / "scaffold-list.png")
            page.screenshot(path=str(shots[-1]), full_page=True)
        finally:
            browser.close()
    SHOTS.mkdir(parents=True, exist_ok=True)
    for shot in shots:
        data = shot.read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 5_000
        shutil.copy(shot, SHOTS / shot.name)


def test_destroy_scaffold_on_sqlite(sqlite_site: Any) -> None:
    project, server, before = sqlite_site
    server.stop()
    undo(project, server_env(secret=None), before)


def test_scaffold_on_postgresql(tmp_path: Path) -> None:
    import psycopg2

    base = service_url("postgres")
    parts = urlsplit(base)
    names = [f"wolfpy_scaffold_{secrets.token_hex(4)}", f"wolfpy_scaffold_test_{secrets.token_hex(4)}"]
    db_url, test_url = (urlunsplit((parts.scheme, parts.netloc, "/" + n, "", "")) for n in names)
    admin = psycopg2.connect(base)
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(f'CREATE DATABASE "{names[0]}"')
    server = None
    try:
        # `wolfpy test` runs on a second PostgreSQL database, created on first use.
        env = server_env(secret=None, DATABASE_URL=db_url, WOLFPY_TEST_DATABASE_URL=test_url)
        project, before = build(tmp_path, env)
        server = Server("uvicorn", project, tmp_path / "logs",
                        server_env(DATABASE_URL=db_url, WOLFPY_APP_DEBUG="false"))
        server.start().wait_ready()
        walk(server)
        server.stop()
        undo(project, env, before)
    finally:
        if server is not None:
            server.stop()
        with admin.cursor() as cur:
            for name in names:
                cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()
