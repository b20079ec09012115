"""End to end: hostile redirects, hosts, CSRF, sessions and tokens against REAL gunicorn and uvicorn.

One project (``wolfpy new`` + ``generate auth`` + ``generate token`` + ``db migrate``, debug
off, ``allowed_hosts = ["localhost"]`` with the ``allowed_hosts`` and ``access_log``
built-ins on, a JWT issuer and audience) is served by both servers for the whole module
and driven over raw HTTP. Each test runs against both. The access log (JSON lines on the
server's stderr) is read back to check that it records what the client received.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import http.client
import json
import re
import secrets
import socket
import sqlite3
import textwrap
import time
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any, Callable, Iterator
from urllib.parse import quote, urlencode

import jwt
import pytest

from tests.test_auth_generators import new_project, ok

from .conftest import HOST, SECRET, Server, server_env

pytestmark = pytest.mark.e2e

PASSWORD = "correct horse battery"
ISSUER = "https://issuer.example"
AUDIENCE = "wolfpy-e2e"
KINDS = ["gunicorn", "uvicorn"]

ROUTES = {
    "routes/go.py": """
        from wolfpy import redirect

        def get(request):
            return redirect(request.query.get("to", "/"), status=303)
    """,
    "routes/next.py": """
        from wolfpy import redirect
        from wolfpy.auth import safe_next

        def get(request):
            return redirect(safe_next(request.query.get("next"), request, default="/default"), status=303)
    """,
    "routes/download.py": """
        from pathlib import Path
        from wolfpy import send_file

        def get(request):
            return send_file(Path(__file__).with_name("download.py"), download_name=request.query["name"])
    """,
    "routes/header.py": """
        from wolfpy import Response

        def get(request):
            response = Response("x")
            response.headers["X-Name"] = request.query["v"]
            return response
    """,
    "routes/empty.py": """
        def get(request):
            return None

        def post(request):
            return "ignored", 204
    """,
    "routes/fill.py": """
        import secrets

        def get(request):
            # Incompressible data, as much as the session cookie can still hold.
            blob = secrets.token_urlsafe(3200)
            n = len(blob)
            while True:
                try:
                    request.session["notes"] = blob[:n]
                    return str(n)
                except ValueError:   # wolfpy.errors.SessionTooLarge
                    n -= 8
    """,
    "routes/csrf.py": """
        from wolfpy.middleware.csrf import csrf_token

        def get(request):   # the token for a script (a page without flash messages)
            return csrf_token()
    """,
    "routes/private.py": """
        from wolfpy import login_required

        @login_required
        def get(request):
            return f"hello {request.user.username}"

        @login_required
        def post(request):
            return f"posted by {request.user.username}"
    """,
    "routes/notes.py": """
        from dataclasses import dataclass
        from wolfpy import login_required

        @dataclass
        class Note:
            title: str
            body: str

        @login_required
        def post(request, note: Note):
            return f"saved {note.title}"
    """,
    "routes/api/notes.py": """
        from dataclasses import dataclass
        from wolfpy import api_route, login_required

        @dataclass
        class Note:
            title: str
            body: str

        @api_route
        @login_required
        def post(request, note: Note):
            return {"saved": note.title}
    """,
    "routes/api/me.py": """
        from wolfpy import api_route, login_required

        @api_route
        @login_required
        def get(request):
            return {"user": request.user.username}
    """,
}

TOML_TAIL = f"""
[security]
jwt_issuer = "{ISSUER}"
jwt_audience = "{AUDIENCE}"
"""


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    with pytest.MonkeyPatch.context() as mp:
        for key in ("DATABASE_URL", "WOLFPY_DATABASE_URL", "REDIS_URL", "WOLFPY_REDIS_URL", "WOLFPY_APP_DEBUG",
                    "WOLFPY_SESSION_BACKEND", "WOLFPY_SECRET_KEY"):
            mp.delenv(key, raising=False)
        root = new_project(tmp_path_factory.mktemp("hardening"), "hardsite")
        ok("generate", "auth", cwd=root)
        ok("generate", "token", cwd=root)
        ok("db", "migrate", "--yes", cwd=root)
    toml = (root / "wolfpy.toml").read_text()
    toml = re.sub(r"(?m)^debug = true$", "debug = false", toml)
    toml = re.sub(r"(?m)^allowed_hosts = \[\]$", 'allowed_hosts = ["localhost"]', toml)
    toml = re.sub(r'(?m)^builtin = \[.*\]$', 'builtin = ["request_id", "access_log", "allowed_hosts", '
                  '"security_headers", "sessions", "csrf", "auth"]', toml)
    assert 'allowed_hosts = ["localhost"]' in toml and '"allowed_hosts", ' in toml
    (root / "wolfpy.toml").write_text(toml + TOML_TAIL)
    for rel, source in ROUTES.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(source))
    return root


@pytest.fixture(scope="module")
def servers(project: Path, start_servers: Callable[..., dict[str, Server]]) -> dict[str, Server]:
    return start_servers(project, KINDS, server_env(hosts=None, WOLFPY_APP_DEBUG="false"))


@pytest.fixture(params=KINDS)
def server(request: pytest.FixtureRequest, servers: dict[str, Server]) -> Server:
    return servers[request.param]


# -- a small client ---------------------------------------------------------------------
class Reply:
    def __init__(self, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
        self.status = status
        self.header_list = headers
        self.headers = {k.lower(): v for k, v in headers}
        self.body = body

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def all(self, name: str) -> list[str]:
        return [v for k, v in self.header_list if k.lower() == name]


class Browser:
    """One connection per request, ``Host: localhost:<port>``, cookies kept, Origin on POSTs."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.host = f"localhost:{server.port}"
        self.origin = f"http://{self.host}"
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict[str, str] | None = None,
                headers: dict[str, str] | None = None, body: bytes | None = None,
                cookies: bool = True) -> Reply:
        conn = http.client.HTTPConnection(HOST, self.server.port, timeout=15)
        hdrs = {"Host": self.host}
        if form is not None:
            body = urlencode(form).encode()
            hdrs["Content-Type"] = "application/x-www-form-urlencoded"
        if method == "POST":
            hdrs["Origin"] = self.origin
        if cookies and self.cookies:
            hdrs["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        hdrs.update(headers or {})
        try:
            conn.request(method, path, body=body, headers=hdrs)
            resp = conn.getresponse()
            reply = Reply(resp.status, resp.getheaders(), resp.read())
        finally:
            conn.close()
        for line in reply.all("set-cookie"):
            jar: SimpleCookie = SimpleCookie()
            jar.load(line)
            for name, morsel in jar.items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return reply

    def csrf(self, path: str = "/auth/register") -> str:
        reply = self.request("GET", path)
        assert reply.status == 200, (path, reply.status, reply.text[:300])
        m = re.search(r'name="csrf_token" value="([^"]+)"', reply.text)
        assert m, reply.text[:300]
        return m.group(1)

    def register(self, username: str, next_url: str | None = None) -> Reply:
        form = {"username": username, "email": f"{username}@example.com", "password": PASSWORD,
                "csrf_token": self.csrf()}
        if next_url is not None:
            form["next"] = next_url
        return self.request("POST", "/auth/register", form)


def raw(server: Server, data: bytes) -> tuple[int, bytes]:
    """Send raw bytes, read the whole answer: (status, bytes)."""
    with socket.create_connection((HOST, server.port), timeout=10) as s:
        s.sendall(data)
        chunks = []
        while True:
            try:
                chunk = s.recv(65536)
            except (ConnectionResetError, socket.timeout):
                break
            if not chunk:
                break
            chunks.append(chunk)
    answer = b"".join(chunks)
    m = re.match(rb"HTTP/1\.[01] (\d{3})", answer)
    assert m, answer[:200]
    return int(m.group(1)), answer


def access_records(server: Server) -> list[dict[str, Any]]:
    out = []
    for line in server.stderr().splitlines():
        if '"wolfpy.access"' not in line:
            continue
        try:
            out.append(json.loads(line))
        except ValueError:
            continue
    return out


def logged_status(server: Server, method: str, path: str, before: int) -> int:
    """The status the access log recorded for the first ``method path`` after ``before`` records."""
    deadline = time.monotonic() + 5
    while True:
        records = [r for r in access_records(server)[before:] if (r.get("method"), r.get("path")) == (method, path)]
        if records:
            return int(records[0]["status"])
        assert time.monotonic() < deadline, f"no access log line for {path}:\n{server.output()[-2000:]}"
        time.sleep(0.05)


def user_exists(project: Path, username: str) -> bool:
    with sqlite3.connect(project / "db.sqlite3") as db:
        return db.execute('SELECT 1 FROM "user" WHERE username = ?', (username,)).fetchone() is not None


def name(server: Server, stem: str) -> str:
    return f"{stem}_{server.kind}_{secrets.token_hex(3)}"


# -- 1. values that could not be sent as headers ---------------------------------------------
@pytest.mark.parametrize(("next_url", "location"), [
    ("/ü\r\nX: y", "/%C3%BC%0D%0AX:%20y"),
    ("/日本/ü?q=a b", "/%E6%97%A5%E6%9C%AC/%C3%BC?q=a%20b"),
    ("/already%20encoded?x=%C3%A9", "/already%20encoded?x=%C3%A9"),
])
def test_register_with_a_hostile_next_is_a_303_and_logged_as_one(server: Server, project: Path,
                                                                 next_url: str, location: str) -> None:
    browser = Browser(server)
    username = name(server, "next")
    before = len(access_records(server))
    reply = browser.register(username, next_url)
    assert (reply.status, reply.headers.get("location")) == (303, location)
    assert "x" not in reply.headers                      # no injected header
    assert logged_status(server, "POST", "/auth/register", before) == 303
    assert user_exists(project, username)


def test_redirect_percent_encodes_what_a_location_cannot_hold(server: Server) -> None:
    browser = Browser(server)
    for target, location in [("/日本?q=a b", "/%E6%97%A5%E6%9C%AC?q=a%20b"),
                             ("/x\r\nSet-Cookie: a=b", "/x%0D%0ASet-Cookie:%20a=b"),
                             ("/100%/ok%2F", "/100%25/ok%2F")]:
        before = len(access_records(server))
        reply = browser.request("GET", "/go?" + urlencode({"to": target}))
        assert (reply.status, reply.headers["location"]) == (303, location), target
        assert not reply.all("set-cookie")
        assert logged_status(server, "GET", "/go", before) == 303


def test_download_names_use_rfc_6266(server: Server) -> None:
    browser = Browser(server)
    reply = browser.request("GET", "/download?" + urlencode({"name": "résumé €.txt"}))
    assert reply.status == 200
    assert reply.headers["content-disposition"] == (
        "attachment; filename=\"resume .txt\"; filename*=UTF-8''r%C3%A9sum%C3%A9%20%E2%82%AC.txt")
    reply = browser.request("GET", "/download?" + urlencode({"name": 'a\r\nX-Evil: 1"b.txt'}))
    assert reply.status == 200 and "x-evil" not in reply.headers
    assert reply.headers["content-disposition"].startswith('attachment; filename="a__X-Evil: 1_b.txt"')
    assert reply.headers["content-disposition"] == (
        "attachment; filename=\"a__X-Evil: 1_b.txt\"; filename*=UTF-8''a__X-Evil%3A%201%22b.txt")


def test_a_header_value_http_cannot_carry_fails_where_it_is_set(server: Server) -> None:
    """The error is raised by the handler, so the log line says 500, as the client sees."""
    browser = Browser(server)
    before = len(access_records(server))
    reply = browser.request("GET", "/header?" + urlencode({"v": "price in €"}))
    assert reply.status == 500
    assert logged_status(server, "GET", "/header", before) == 500
    assert "cannot carry" in server.stderr()
    assert browser.request("GET", "/header?v=fine").status == 200


# -- 2. hosts and next URLs -------------------------------------------------------------------
BAD_NEXT = ["//evil.com", "/\\evil.com", "\\\\evil.com", "http:/\\/evil.com", "javascript:alert(1)",
            "\x08//evil.com", "http://testserver\\@evil.com", "http://localhost\\@evil.com",
            "http://localhost@evil.com/", "http://evil.com", "https://evil.com/x", "http:///evil.com",
            "http:\\\\localhost\\@evil.com", "/\t/evil.com", "\\/evil.com", "http:evil.com",
            "ftp://localhost/", "data:text/html,x", "\njavascript:alert(x)", "http://localhost.evil.com/",
            "http://[2001:cdba:0000:0000:0000:0000:3257:9652/", "evil.com"]
GOOD_NEXT = [("/view/?param=http://x", "/view/?param=http://x"),
             ("/view/?param=https://evil.com", "/view/?param=https://evil.com"),
             ("/url%20with%20spaces/", "/url%20with%20spaces/"),
             ("http://localhost/ok", "http://localhost/ok"),
             ("HTTPS://localhost:8443/ok?email=me@example.com", "HTTPS://localhost:8443/ok?email=me@example.com"),
             ("//localhost/ok", "//localhost/ok")]


def test_next_urls_from_djangos_bad_urls_fall_back(server: Server) -> None:
    browser = Browser(server)
    for bad in BAD_NEXT:
        reply = browser.request("GET", "/next?" + urlencode({"next": bad}))
        assert (reply.status, reply.headers["location"]) == (303, "/default"), bad
    for good, location in GOOD_NEXT:
        reply = browser.request("GET", "/next?" + urlencode({"next": good}))
        assert (reply.status, reply.headers["location"]) == (303, location), good


@pytest.mark.parametrize("host", [b"evil.com", b"localhost:1@evil.com", b"example.com:x@evil.com",
                                  b"a@b", b"localhost/evil", b"localhost:x", b"localhost:99999",
                                  b"localhost evil", b"[::1"])
def test_a_host_not_allowed_or_malformed_is_a_400(server: Server, host: bytes) -> None:
    status, answer = raw(server, b"GET /next?next=http://localhost/ok HTTP/1.1\r\nHost: " + host
                         + b"\r\nConnection: close\r\n\r\n")
    assert status == 400, answer[:300]
    assert b"evil" not in answer.partition(b"\r\n\r\n")[0]   # never redirected anywhere


def test_host_header_edge_cases(server: Server) -> None:
    port = str(server.port).encode()
    ok_status, _ = raw(server, b"GET /next HTTP/1.1\r\nHost: LOCALHOST.:" + port + b"\r\nConnection: close\r\n\r\n")
    assert ok_status == 303
    # Servers may refuse these before WolfPy is reached; either way the answer is a 400.
    for request in (b"GET /next HTTP/1.1\r\nHost: localhost\rX: y\r\nConnection: close\r\n\r\n",
                    b"GET /next HTTP/1.1\r\nHost: localhost\r\nHost: evil.com\r\nConnection: close\r\n\r\n",
                    b"GET /next HTTP/1.1\r\nConnection: close\r\n\r\n",
                    b"GET /next HTTP/1.0\r\n\r\n"):   # no Host: the server's own 127.0.0.1 is not allowed
        status, answer = raw(server, request)
        assert status == 400, (request, answer[:300])


# -- 3, 5, 6. CSRF ----------------------------------------------------------------------------
def test_a_non_ascii_csrf_token_is_a_403(server: Server) -> None:
    browser = Browser(server)
    browser.csrf()
    for token in ("é" * 43, "\u0000", "𝔘" * 10, "x" * 43):
        reply = browser.request("POST", "/private", {"csrf_token": token})
        assert reply.status == 403, token
    reply = browser.request("POST", "/private", headers={"X-CSRF-Token": "ü".encode().decode("latin-1")})
    assert reply.status == 403


def test_origin_null_is_another_site(server: Server) -> None:
    browser = Browser(server)
    token = browser.csrf()
    reply = browser.request("POST", "/private", {"csrf_token": token}, headers={"Origin": "null"})
    assert reply.status == 403
    reply = browser.request("POST", "/private", {"csrf_token": token})
    assert reply.status == 303          # same origin, anonymous: to the login page


def token_for(server: Server, username: str) -> str:
    conn = http.client.HTTPConnection(HOST, server.port, timeout=15)
    try:
        conn.request("POST", "/auth/token", body=json.dumps({"username": username, "password": PASSWORD}),
                     headers={"Host": f"localhost:{server.port}", "Content-Type": "application/json"})
        resp = conn.getresponse()
        payload = json.loads(resp.read())
    finally:
        conn.close()
    assert resp.status == 200, payload
    return str(payload["token"])


def test_only_a_valid_bearer_without_a_session_cookie_skips_csrf(server: Server) -> None:
    browser = Browser(server)
    username = name(server, "bearer")
    assert browser.register(username).status == 303            # signed in by its session cookie
    token = token_for(server, username)
    # A made-up bearer header on the cookie session: CSRF applies.
    reply = browser.request("POST", "/private", {}, headers={"Authorization": "Bearer abc"})
    assert reply.status == 403
    # A valid token beside the session cookie: CSRF applies too.
    reply = browser.request("POST", "/private", {}, headers={"Authorization": f"Bearer {token}"})
    assert reply.status == 403
    # The token alone: no CSRF token needed, and @login_required accepts it.
    reply = browser.request("POST", "/private", {}, headers={"Authorization": f"Bearer {token}", "Origin": "null"},
                            cookies=False)
    assert (reply.status, reply.text) == (200, f"posted by {username}")
    reply = browser.request("POST", "/private", {}, headers={"Authorization": "Bearer abc"}, cookies=False)
    assert reply.status == 403


# -- 8. the session cookie cannot outgrow itself after a write ----------------------------------
def test_forty_registrations_in_one_session(server: Server, project: Path) -> None:
    """Each sign-up flashes a welcome; a session that belonged to another user is emptied at
    sign-in, so unread messages do not pile up until the cookie overflows."""
    browser = Browser(server)
    for i in range(40):
        token = browser.request("GET", "/csrf").text          # a page that shows no flashes
        username = (f"many{i}_{server.kind}_" + secrets.token_hex(80))[:150]
        reply = browser.request("POST", "/auth/register", {
            "username": username, "email": "many@example.com", "password": PASSWORD, "csrf_token": token})
        assert reply.status == 303, (i, reply.text[:500])
        assert len(browser.cookies["wolfpy_session"]) < 1000, i
    # Signed in: the home page's layout shows the flashes (/auth/login would send the user on).
    flashes = re.findall(r'<p class="flash"[^>]*>([^<]*)</p>', browser.request("GET", "/").text)
    assert flashes == [f"Welcome, {username}!"]


def test_a_session_too_large_fails_before_the_account_is_written(server: Server, project: Path) -> None:
    browser = Browser(server)
    token = browser.csrf()
    reply = browser.request("GET", "/fill")
    assert reply.status == 200
    username = ("big_" + server.kind + "_" + secrets.token_hex(75))[:150]   # a long flash message
    before = len(access_records(server))
    reply = browser.request("POST", "/auth/register", {"username": username, "email": "big@example.com",
                                                       "password": PASSWORD, "csrf_token": token})
    assert reply.status == 500
    assert logged_status(server, "POST", "/auth/register", before) == 500
    assert "SessionTooLarge" in server.stderr() and "4093" in server.stderr()
    assert not user_exists(project, username)                       # the transaction rolled back
    assert not reply.all("set-cookie")                              # the session is left as it was
    assert browser.request("GET", "/private").status == 303         # nobody is signed in


# -- 10. JWT (catalogue row 47) --------------------------------------------------------------------
# An RSA public key, as an attacker would use it for the HS256 secret (algorithm confusion).
PUBLIC_PEM = """-----BEGIN PUBLIC KEY-----
MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDeSP8TopcPmEuH+k5TEVBIyMTy
/UYEQKVuNvU15IZfrMKex1cy7Ft5d+jPCCPex8KVPyJiq9zBsdZrMF2Im1M7SOTY
1Aj5SsnI+/qLmFq95nPloojWuYPGZUEy3MgRW8a1XwYP6WyTucm7k1bOtdPh5QfJ
r/PpPk26yhC+Ym2PeQIDAQAB
-----END PUBLIC KEY-----
"""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _hs256(header: dict[str, Any], claims: dict[str, Any], key: bytes) -> str:
    head = _b64(json.dumps(header).encode()) + "." + _b64(json.dumps(claims).encode())
    return head + "." + _b64(hmac.new(key, head.encode(), hashlib.sha256).digest())


def test_bad_tokens_are_401(server: Server) -> None:
    username = name(server, "jwt")
    assert Browser(server).register(username).status == 303
    good = token_for(server, username)
    claims = jwt.decode(good, SECRET, algorithms=["HS256"], audience=AUDIENCE, issuer=ISSUER)
    assert claims["iss"] == ISSUER and claims["aud"] == AUDIENCE
    now = int(time.time())
    base = {"sub": claims["sub"], "iat": now, "exp": now + 600, "iss": ISSUER, "aud": AUDIENCE}
    public_pem = PUBLIC_PEM.encode()
    head, payload, signature = good.split(".")
    bad = {
        "alg none": _b64(b'{"alg":"none","typ":"JWT"}') + "." + _b64(json.dumps(base).encode()) + ".",
        "HS256 with a public key": _hs256({"alg": "HS256", "typ": "JWT"}, base, public_pem),
        "expired": jwt.encode({**base, "exp": now - 60}, SECRET, algorithm="HS256"),
        "future nbf": jwt.encode({**base, "nbf": now + 3600}, SECRET, algorithm="HS256"),
        "wrong aud": jwt.encode({**base, "aud": "someone-else"}, SECRET, algorithm="HS256"),
        "wrong iss": jwt.encode({**base, "iss": "https://evil.example"}, SECRET, algorithm="HS256"),
        "no aud": jwt.encode({k: v for k, v in base.items() if k != "aud"}, SECRET, algorithm="HS256"),
        "no iss": jwt.encode({k: v for k, v in base.items() if k != "iss"}, SECRET, algorithm="HS256"),
        "unknown crit": _hs256({"alg": "HS256", "typ": "JWT", "crit": ["exp-x"], "exp-x": 1}, base, SECRET.encode()),
        "padded signature": good + "=",
        "padded parts": f"{head}=.{payload}.{signature}",
        "other alphabet": f"{head}.{payload}.{signature.replace('-', '+').replace('_', '/')}"
                          if ("-" in signature or "_" in signature) else good + "+",
        "non-canonical last char": f"{head}.{payload}.{signature[:-1]}{chr(ord(signature[-1]) ^ 1)}",
        "garbage": "abc.def.ghi",
    }
    me = "/api/me"
    conn_headers = {"Host": f"localhost:{server.port}", "Accept": "application/json"}
    for label, value in [("good", good), *bad.items()]:
        conn = http.client.HTTPConnection(HOST, server.port, timeout=15)
        try:
            conn.request("GET", me, headers={**conn_headers, "Authorization": f"Bearer {value}"})
            resp = conn.getresponse()
            body = resp.read()
        finally:
            conn.close()
        expected = 200 if label == "good" else 401
        assert resp.status == expected, (label, body[:200])
        if label == "good":
            assert json.loads(body) == {"user": username}


# -- 11. access checks come before the body is validated -----------------------------------------
def test_anonymous_post_gets_401_or_login_before_validation(server: Server) -> None:
    conn = http.client.HTTPConnection(HOST, server.port, timeout=15)
    try:
        conn.request("POST", "/api/notes", body=b"{}", headers={"Host": f"localhost:{server.port}",
                                                                  "Content-Type": "application/json"})
        resp = conn.getresponse()
        body = resp.read()
    finally:
        conn.close()
    assert resp.status == 401, body
    assert b"title" not in body and resp.getheader("www-authenticate") == "Bearer"
    browser = Browser(server)
    token = browser.csrf()
    reply = browser.request("POST", "/notes", {"csrf_token": token})
    assert (reply.status, reply.headers["location"]) == (303, "/auth/login?next=%2Fnotes")
    assert "title" not in reply.text


# -- 12. 204 ---------------------------------------------------------------------------------------
def test_204_has_no_content_type_and_no_body(server: Server) -> None:
    browser = Browser(server)
    for method in ("GET", "POST"):
        headers = {"X-CSRF-Token": browser.csrf()} if method == "POST" else {}
        reply = browser.request(method, "/empty", body=b"" if method == "POST" else None, headers=headers)
        assert reply.status == 204, (method, reply.text[:200])
        assert "content-type" not in reply.headers and "content-length" not in reply.headers
        assert reply.body == b""
