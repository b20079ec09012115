"""End to end: the pages of `wolfpy generate auth` served by real servers, used over real HTTP.

- SQLite: `wolfpy serve --no-reload` (the dev server, as a user starts it) on a project made
  with `wolfpy new` + `generate auth` + `db migrate`, driven with http.client and a cookie
  jar kept here, and with headless Chromium (Playwright on /usr/bin/chromium), which fills
  the forms and saves a screenshot of the signed-in page.
- PostgreSQL + Redis sessions: the same pages under uvicorn in production mode (debug off,
  Secure cookies), on a throw-away database created for this module; the session is
  checked to live in Redis and to be deleted there at sign-out.
"""
from __future__ import annotations

import http.client
import os
import re
import secrets
import sys
import textwrap
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import urlencode, urlsplit, urlunsplit

import pytest

from tests.services import service_url
from tests.test_auth_generators import new_project, ok

from .conftest import HOST, SECRET, Server, server_env

pytestmark = pytest.mark.e2e

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]
PASSWORD = "correct horse battery"

PRIVATE_ROUTE = """
    from wolfpy import login_required, render

    @login_required
    def get(request):
        return render("private.html")
"""
PRIVATE_TEMPLATE = """\
<%inherit file="/layout.html"/>
<%def name="page_title()">Private</%def>
<h1 id="hello">hello ${user.username}</h1>
<p>Only signed-in users see this page.</p>
<form method="post" action="/auth/logout">
  ${csrf_field()}
  <button type="submit" id="sign-out">Sign out</button>
</form>
"""


class CommandServer(Server):
    """A Server started with any command (here: `wolfpy serve --no-reload`)."""

    def __init__(self, command: list[str], project: Path, logs: Path, env: dict[str, str]) -> None:
        super().__init__("wolfpy-serve", project, logs, env)
        self.command = [part.replace("{port}", str(self.port)) for part in command]

    def start(self) -> "CommandServer":
        import subprocess
        self._out = open(self.out_path, "wb")
        self._err = open(self.err_path, "wb")
        self.proc = subprocess.Popen(self.command, cwd=self.project, env=self.env, stdin=subprocess.DEVNULL,
                                     stdout=self._out, stderr=self._err, start_new_session=True)
        return self


def make_project(parent: Path, name: str, env: dict[str, str]) -> Path:
    """``wolfpy new`` + ``generate auth`` + a protected page + ``db migrate --yes``, with ``env`` set."""
    with pytest.MonkeyPatch.context() as mp:
        for key in ("DATABASE_URL", "WOLFPY_DATABASE_URL", "REDIS_URL", "WOLFPY_REDIS_URL", "WOLFPY_APP_DEBUG",
                    "WOLFPY_SESSION_BACKEND", "WOLFPY_SECRET_KEY"):
            mp.delenv(key, raising=False)
        for key, value in env.items():
            mp.setenv(key, value)
        project = new_project(parent, name)
        ok("generate", "auth", cwd=project)
        (project / "routes/private.py").write_text(textwrap.dedent(PRIVATE_ROUTE))
        (project / "templates/private.html").write_text(PRIVATE_TEMPLATE)
        out = ok("db", "migrate", "--yes", cwd=project)
        assert "applied 0001_initial" in out
    return project


class Jar:
    """A tiny browser: one connection per request, cookies kept by name, Origin on POSTs."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.cookies: dict[str, str] = {}
        self.set_cookie_lines: list[str] = []

    def request(self, method: str, path: str, form: dict[str, str] | None = None,
                headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], str]:
        conn = http.client.HTTPConnection(HOST, self.server.port, timeout=15)
        hdrs = {"Host": f"{HOST}:{self.server.port}", **(headers or {})}
        body = None
        if form is not None:
            body = urlencode(form).encode()
            hdrs["Content-Type"] = "application/x-www-form-urlencoded"
            hdrs.setdefault("Origin", self.server.origin)
        if self.cookies:
            hdrs["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        try:
            conn.request(method, path, body=body, headers=hdrs)
            resp = conn.getresponse()
            text = resp.read().decode("utf-8", "replace")
            for line in resp.headers.get_all("set-cookie") or []:
                self.set_cookie_lines.append(line)
                cookie: SimpleCookie = SimpleCookie()
                cookie.load(line)
                for name, morsel in cookie.items():
                    if morsel["max-age"] == "0" or not morsel.value:
                        self.cookies.pop(name, None)
                    else:
                        self.cookies[name] = morsel.value
            return resp.status, {k.lower(): v for k, v in resp.getheaders()}, text
        finally:
            conn.close()

    def csrf(self, path: str) -> str:
        status, _, text = self.request("GET", path)
        assert status == 200, (path, status, text[:500])
        m = re.search(r'name="csrf_token" value="([^"]+)"', text)
        assert m, text[:500]
        return m.group(1)


def http_flow(server: Server, username: str) -> Jar:
    """register → protected page → sign out → sign in → protected page, over real HTTP."""
    jar = Jar(server)
    status, headers, _ = jar.request("GET", "/private")
    assert (status, headers["location"]) == (303, "/auth/login?next=%2Fprivate")
    status, _, text = jar.request("GET", headers["location"])
    assert status == 200 and 'name="next" value="/private"' in text and 'href="/auth/register?next=%2Fprivate"' in text
    token = jar.csrf("/auth/register?next=%2Fprivate")
    # Mistakes come back with the input kept, and no account is made.
    status, _, text = jar.request("POST", "/auth/register", {"username": username, "email": "nope", "password": PASSWORD,
                                                             "next": "/private", "csrf_token": token})
    assert status == 422 and f'value="{username}"' in text and PASSWORD not in text
    # Without the CSRF token: 403.
    status, _, _ = jar.request("POST", "/auth/register", {"username": username, "email": "a@example.com",
                                                          "password": PASSWORD})
    assert status == 403
    anonymous = jar.cookies["wolfpy_session"]
    status, headers, _ = jar.request("POST", "/auth/register", {
        "username": username, "email": f"{username}@example.com", "password": PASSWORD, "next": "/private",
        "csrf_token": token})
    assert (status, headers["location"]) == (303, "/private")
    assert jar.cookies["wolfpy_session"] != anonymous                       # a new session id
    status, headers, text = jar.request("GET", "/private")
    assert status == 200 and f'<h1 id="hello">hello {username}</h1>' in text
    assert headers["cache-control"] == "no-store" and "cookie" in headers.get("vary", "").lower()
    token = re.search(r'name="csrf_token" value="([^"]+)"', text).group(1)  # type: ignore[union-attr]
    status, headers, _ = jar.request("POST", "/auth/logout", {"csrf_token": token})
    assert (status, headers["location"]) == (303, "/")
    assert jar.request("GET", "/private")[0] == 303
    token = jar.csrf("/auth/login")
    status, _, text = jar.request("POST", "/auth/login", {"username": username, "password": "wrong password",
                                                          "csrf_token": token})
    assert status == 401 and "Wrong username or password." in text
    status, headers, _ = jar.request("POST", "/auth/login?next=%2F%2Fevil.example", {
        "username": username, "password": PASSWORD, "csrf_token": token})
    assert (status, headers["location"]) == (303, "/")                     # no open redirect
    status, _, text = jar.request("GET", "/private")
    assert status == 200 and f"hello {username}" in text
    return jar


# -- SQLite, `wolfpy serve --no-reload` ------------------------------------------------------------
@pytest.fixture(scope="module")
def sqlite_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    root = tmp_path_factory.mktemp("auth-sqlite")
    project = make_project(root, "authsite", {})
    command = [sys.executable, "-c", "from wolfpy.cli.main import main; main()", "serve", "--no-reload",
               "--host", HOST, "--port", "{port}"]
    server = CommandServer(command, project, root / "logs", server_env(secret=None))
    try:
        server.start().wait_ready()
        yield server
    finally:
        server.stop()


def test_auth_flow_over_http_on_sqlite(sqlite_server: Server) -> None:
    jar = http_flow(sqlite_server, "ada_sqlite")
    session_lines = [line for line in jar.set_cookie_lines if line.startswith("wolfpy_session=")]
    assert session_lines and all("HttpOnly" in line and "SameSite=Lax" in line for line in session_lines)


def _chromium_or_skip() -> Any:
    require = os.environ.get("WOLFPY_REQUIRE_SERVICES") == "1"
    problem = None
    if not os.path.exists(CHROMIUM):
        problem = f"{CHROMIUM} is missing (apt-get install -y --no-install-recommends chromium)"
    else:
        try:
            from playwright.sync_api import sync_playwright
        except ImportError:
            problem = "playwright is not installed (pip install -e '.[dev]')"
        else:
            return sync_playwright
    if require:
        pytest.fail(f"headless browser unavailable: {problem} [WOLFPY_REQUIRE_SERVICES=1]", pytrace=False)
    pytest.skip(problem)


def test_auth_flow_in_headless_chromium(sqlite_server: Server, tmp_path: Path) -> None:
    sync_playwright = _chromium_or_skip()
    origin = sqlite_server.origin
    username = "grace_browser"
    shot = tmp_path / "signed-in.png"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page()
            page.set_default_timeout(10_000)
            page.goto(origin + "/private")
            assert page.url == origin + "/auth/login?next=%2Fprivate"
            page.click("text=Create one")
            page.wait_for_url(origin + "/auth/register?next=%2Fprivate")
            page.fill("#username", username)
            page.fill("#email", "grace@example.com")
            page.fill("#password", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_url(origin + "/private")
            assert page.inner_text("#hello") == f"hello {username}"
            page.click("#sign-out")
            page.wait_for_url(origin + "/")
            page.goto(origin + "/private")
            assert page.url == origin + "/auth/login?next=%2Fprivate"
            page.fill("#username", username)
            page.fill("#password", "not the password")
            page.click("button[type=submit]")
            page.wait_for_load_state()
            assert "Wrong username or password." in page.inner_text("body")
            assert page.input_value("#username") == username and page.input_value("#password") == ""
            page.fill("#password", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_url(origin + "/private")
            assert page.inner_text("#hello") == f"hello {username}"
            page.screenshot(path=str(shot), full_page=True)
        finally:
            browser.close()
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 5_000


# -- PostgreSQL + Redis sessions, uvicorn in production mode ----------------------------------------
@pytest.fixture(scope="module")
def postgres_redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, str, str]]:
    import psycopg2
    import redis

    pg_url = service_url("postgres")
    redis_url = service_url("redis")
    name = f"wolfpy_auth_e2e_{secrets.token_hex(4)}"
    admin = psycopg2.connect(pg_url)
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(f'CREATE DATABASE "{name}"')
    parts = urlsplit(pg_url)
    db_url = urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, ""))
    app_name = f"authpg{secrets.token_hex(3)}"
    server = None
    try:
        root = tmp_path_factory.mktemp("auth-pg")
        project = make_project(root, app_name, {"DATABASE_URL": db_url})
        toml = project / "wolfpy.toml"
        toml.write_text(toml.read_text().replace('backend = "cookie"', 'backend = "redis"'))
        assert 'backend = "redis"' in toml.read_text()
        env = server_env(DATABASE_URL=db_url, REDIS_URL=redis_url, WOLFPY_APP_DEBUG="false")
        server = Server("uvicorn", project, root / "logs", env)
        server.start().wait_ready()
        yield server, db_url, redis_url
    finally:
        if server is not None:
            server.stop()
        client = redis.Redis.from_url(redis_url)
        stale = client.keys(f"wolfpy:throttle:{app_name}:*")
        if stale:
            client.delete(*stale)
        client.close()
        with admin.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def test_auth_flow_on_postgres_with_redis_sessions(postgres_redis_server: tuple[Server, str, str]) -> None:
    import psycopg2
    import redis
    from itsdangerous import URLSafeTimedSerializer

    server, db_url, redis_url = postgres_redis_server
    jar = http_flow(server, "ada_pg")
    session_lines = [line for line in jar.set_cookie_lines if line.startswith("wolfpy_session=")]
    assert session_lines and all("Secure" in line and "HttpOnly" in line for line in session_lines)
    with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
        cur.execute('SELECT username, email, is_admin, is_active, password_hash FROM "user"')
        rows = cur.fetchall()
    conn.close()
    assert [row[:4] for row in rows] == [("ada_pg", "ada_pg@example.com", False, True)]
    assert rows[0][4].startswith("$argon2id$")
    # The session lives in Redis: the cookie holds only a signed id, and sign-out deletes the key.
    sid = URLSafeTimedSerializer([SECRET], salt="wolfpy.session.id").loads(jar.cookies["wolfpy_session"])
    client = redis.Redis.from_url(redis_url)
    try:
        key = f"wolfpy:session:{sid}"
        assert client.exists(key) == 1 and b'"_user"' in client.get(key)
        status, _, text = jar.request("GET", "/private")
        token = re.search(r'name="csrf_token" value="([^"]+)"', text).group(1)  # type: ignore[union-attr]
        assert jar.request("POST", "/auth/logout", {"csrf_token": token})[0] == 303
        assert client.exists(key) == 0
    finally:
        client.close()
    assert jar.request("GET", "/private")[0] == 303
