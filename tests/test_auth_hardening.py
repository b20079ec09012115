"""Responses, redirects, sessions, CSRF and auth under hostile or careless input, under WSGI and ASGI.

The same behaviours over real gunicorn and uvicorn: tests/e2e/test_auth_hardening.py.
"""
from __future__ import annotations

import io
import sys
import time
import wsgiref.validate
from typing import Any

import jwt
import pytest
from itsdangerous import URLSafeTimedSerializer

from tests.services import service_url
from wolfpy import App
from wolfpy.auth import hash_password, safe_next
from wolfpy.errors import ConfigError, SessionTooLarge
from wolfpy.http.response import Response, content_disposition, encode_url, redirect

MW = '[middleware]\nbuiltin = ["sessions", "csrf", "auth", "security_headers"]\n'
SITE = {
    "models/__init__.py": "",
    "models/user.py": """
        from wolfpy.db import Model, CharField, BooleanField
        class User(Model):
            username = CharField(max_length=150, unique=True)
            password_hash = CharField(max_length=255)
            is_admin = BooleanField(default=False)
    """,
    "routes/csrf.py": """
        from wolfpy.middleware.csrf import csrf_token
        def get(request):
            return csrf_token()
    """,
    "routes/form.py": """
        def post(request):
            return "posted"
    """,
    "routes/signin.py": """
        from wolfpy.auth import authenticate, login
        def post(request):
            user = authenticate(request.form["username"], "correct horse")
            login(request, user)
            return "in"
    """,
    "routes/stash.py": """
        def get(request):
            request.session["cart"] = request.query.get("v", "x")
            return "stashed"
    """,
    "routes/peek.py": """
        def get(request):
            return {"cart": request.session.get("cart"), "user": request.session.get("_user")}
    """,
    "routes/plain.py": """
        def get(request):
            return "no session read"
    """,
    "routes/big.py": """
        import secrets
        def get(request):
            request.session["small"] = "kept"
            try:
                request.session["small"] = secrets.token_urlsafe(6000)
            except ValueError as exc:   # wolfpy.errors.SessionTooLarge
                return {"error": str(exc), "small": request.session["small"]}
            return "stored"
    """,
    "routes/flashy.py": """
        from wolfpy import flash
        from wolfpy.sessions import get_flashes
        def get(request):
            for i in range(25):
                flash(request, f"message {i}")
            return {"pending": get_flashes(request)}
    """,
    "routes/admin.py": """
        from wolfpy import role_required
        @role_required("admin")
        def get(request):
            return f"admin {request.user.username}"
    """,
    "routes/api/token.py": """
        from wolfpy import api_route
        from wolfpy.auth import authenticate, issue_token
        @api_route
        def post(request):
            return {"token": issue_token(authenticate(request.json["username"], "correct horse"))}
    """,
}


def forget_models() -> None:
    for name in [n for n in sys.modules if n == "models" or n.startswith("models.")]:
        del sys.modules[name]


@pytest.fixture
def site(client_for: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    forget_models()
    monkeypatch.setenv("DATABASE_URL", "sqlite:///hardening.sqlite3")

    def make(toml: str = MW + "[app]\ndebug = false\n") -> Any:
        c = client_for(SITE, toml=toml)
        c.app.database.create_tables(c.app.models, safe=True)
        User = c.app.models[0]
        if not User.select().exists():
            User.create(username="ada", password_hash=hash_password("correct horse"))
            User.create(username="root", password_hash=hash_password("correct horse"), is_admin=True)
        return c
    yield make
    forget_models()


# -- headers ---------------------------------------------------------------------------------------
def test_header_values_are_checked_when_set() -> None:
    r = Response("x")
    for bad in ("€", "a\r\nb", "a\nb", "\x00", "\x7f"):
        with pytest.raises(ValueError, match="cannot carry"):
            r.headers["X-A"] = bad
        with pytest.raises(ValueError):
            r.headers.add("X-A", bad)
        with pytest.raises(ValueError):
            Response("x", headers={"X-A": bad})
        with pytest.raises(ValueError):
            r.content_type = "text/plain; x=" + bad
        with pytest.raises(ValueError):
            Response("x", content_type="text/" + bad)
    for bad_name in ("X A", "X:A", "", "Ü"):
        with pytest.raises(ValueError):
            r.headers[bad_name] = "1"
    with pytest.raises(TypeError):
        r.headers["X-A"] = 5  # type: ignore[assignment]
    with pytest.raises(ValueError):
        r.set_cookie("a", "b", path="/x; Domain=evil.com")
    r.headers["X-Latin-1"] = "café\tok"   # obs-text and tabs are fine
    r.headers["Location"] = "/ü x"        # a Location is percent-encoded, wherever it is set
    assert r.headers["location"] == "/%C3%BC%20x"
    assert Response(b"", 302, {"Location": "/日本"}).headers["location"] == "/%E6%97%A5%E6%9C%AC"
    for name, value in r.header_list():
        name.encode("latin-1"), value.encode("latin-1")


@pytest.mark.parametrize(("url", "encoded"), [
    ("/ü\r\nX: y", "/%C3%BC%0D%0AX:%20y"),
    ("/a b?q=1 2#f g", "/a%20b?q=1%202#f%20g"),
    ("/ok%20already?x=%C3%A9", "/ok%20already?x=%C3%A9"),
    ("/100%", "/100%25"),
    ("/%zz", "/%25zz"),
    ('/"<>\\^`{|}', "/%22%3C%3E%5C%5E%60%7B%7C%7D"),
    ("https://example.com/a?b=c&d=[e]", "https://example.com/a?b=c&d=[e]"),
    ("/\ud800", "/%ED%A0%80"),
])
def test_redirect_percent_encodes(url: str, encoded: str) -> None:
    assert encode_url(url) == encoded
    assert encode_url(encoded) == encoded
    assert redirect(url, 303).headers["location"] == encoded


def test_content_disposition() -> None:
    assert content_disposition("report.pdf") == 'attachment; filename="report.pdf"'
    assert content_disposition("naïve.txt") == "attachment; filename=\"naive.txt\"; filename*=UTF-8''na%C3%AFve.txt"
    assert content_disposition("日本.txt") == "attachment; filename=\".txt\"; filename*=UTF-8''%E6%97%A5%E6%9C%AC.txt"
    assert content_disposition("日本") == "attachment; filename=\"download\"; filename*=UTF-8''%E6%97%A5%E6%9C%AC"
    assert "\r" not in content_disposition("a\r\nb") and "\n" not in content_disposition("a\r\nb")


def test_204_and_304_send_no_content_type_and_no_body() -> None:
    """The stdlib WSGI validator (PEP 3333 and HTTP rules) accepts every answer."""
    app = App(secret_key="k" * 40)

    @app.route("/nothing")
    def nothing(request: Any) -> None:
        return None

    @app.route("/said-204")
    def said(request: Any) -> Any:
        return "ignored", 204

    @app.route("/not-modified")
    def not_modified(request: Any) -> Any:
        return Response(b"stale", 304, {"ETag": '"x"'}, "text/plain; charset=utf-8")

    app.freeze()
    checked = wsgiref.validate.validator(app)
    for path, status in (("/nothing", "204"), ("/said-204", "204"), ("/not-modified", "304")):
        seen: list[Any] = []
        environ = {"REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": "", "SERVER_NAME": "x",
                   "SERVER_PORT": "80", "SERVER_PROTOCOL": "HTTP/1.1", "wsgi.url_scheme": "http",
                   "wsgi.input": io.BytesIO(), "wsgi.errors": io.StringIO(), "wsgi.version": (1, 0),
                   "wsgi.multithread": False, "wsgi.multiprocess": False, "wsgi.run_once": False,
                   "HTTP_HOST": "x", "SCRIPT_NAME": ""}
        body_iter = checked(environ, lambda s, h, e=None: seen.append((s, h)) or (lambda b: None))
        body = b"".join(body_iter)
        body_iter.close()   # the validator warns (an error here) about anything it finds
        assert seen[0][0].startswith(status)
        assert "content-type" not in {k.lower() for k, _ in seen[0][1]}
        assert body == b""


# -- sessions ---------------------------------------------------------------------------------------
def test_login_rotates_the_csrf_token(site: Any) -> None:
    c = site()
    before = c.get("/csrf").text
    assert c.post("/signin", data={"username": "ada", "csrf_token": before}).text == "in"
    after = c.get("/csrf").text
    assert after != before
    assert c.post("/form", data={"csrf_token": before}).status_code == 403
    assert c.post("/form", data={"csrf_token": after}).text == "posted"


def test_login_keeps_an_anonymous_session_and_empties_another_users(site: Any) -> None:
    c = site()
    c.get("/stash?v=apples")
    c.post("/signin", data={"username": "ada", "csrf_token": c.get("/csrf").text})
    assert c.get("/peek").json()["cart"] == "apples"          # the anonymous cart survives sign-in
    c.get("/stash?v=ada's")
    c.post("/signin", data={"username": "root", "csrf_token": c.get("/csrf").text})
    assert c.get("/peek").json()["cart"] is None               # nothing of ada's is left for root


def test_a_session_too_large_is_refused_where_it_is_changed(site: Any) -> None:
    c = site()
    r = c.get("/big")
    assert r.status_code == 200
    assert "4093" in r.json()["error"] and 'backend = "redis"' in r.json()["error"]
    assert r.json()["small"] == "kept"                     # the refused change was undone
    assert c.get("/peek").status_code == 200               # the saved cookie is still valid
    assert issubclass(SessionTooLarge, ValueError)


def test_flash_messages_are_capped(site: Any) -> None:
    c = site()
    pending = c.get("/flashy").json()["pending"]
    assert pending == [f"message {i}" for i in range(15, 25)]


@pytest.mark.parametrize("page", ["/plain", "/peek"])
def test_a_cookie_signed_with_a_fallback_key_is_signed_again(site: Any, monkeypatch: pytest.MonkeyPatch,
                                                              page: str) -> None:
    old, new = "o" * 40, "n" * 40
    monkeypatch.setenv("WOLFPY_SECRET_KEY", new)
    c = site(MW + f'[app]\ndebug = false\nfallback_secret_keys = ["{old}"]\n')
    now = int(time.time())
    c.cookies["wolfpy_session"] = URLSafeTimedSerializer(old, salt="wolfpy.session").dumps(
        {"cart": "pears", "_created": now, "_seen": now})
    r = c.get(page)
    assert r.status_code == 200 and "wolfpy_session=" in r.headers.get("set-cookie", "")
    reissued = c.cookies["wolfpy_session"]
    assert URLSafeTimedSerializer(new, salt="wolfpy.session").loads(reissued)["cart"] == "pears"
    assert "set-cookie" not in c.get(page).headers          # signed with the current key: left alone


def test_a_redis_session_id_signed_with_a_fallback_key_is_signed_again(site: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    old, new = "o" * 40, "n" * 40
    monkeypatch.setenv("WOLFPY_SECRET_KEY", old)
    monkeypatch.setenv("REDIS_URL", service_url("redis"))
    redis_mw = MW + '[session]\nbackend = "redis"\n'
    c = site(redis_mw + "[app]\ndebug = false\n")
    c.get("/stash?v=plums")
    cookie = c.cookies["wolfpy_session"]
    monkeypatch.setenv("WOLFPY_SECRET_KEY", new)
    rotated = site(redis_mw + f'[app]\ndebug = false\nfallback_secret_keys = ["{old}"]\n')
    rotated.cookies["wolfpy_session"] = cookie
    assert rotated.get("/peek").json()["cart"] == "plums"
    sid = URLSafeTimedSerializer(new, salt="wolfpy.session.id").loads(rotated.cookies["wolfpy_session"])
    assert sid == URLSafeTimedSerializer(old, salt="wolfpy.session.id").loads(cookie)


# -- CSRF -------------------------------------------------------------------------------------------
def test_the_csrf_403_says_how_to_fix_it_in_debug_only(site: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WOLFPY_SECRET_KEY", "k" * 40)
    debug = site(MW + "[app]\ndebug = true\n")
    r = debug.post("/form", data={"x": "1"}, csrf=False)
    assert r.status_code == 403 and "${csrf_field()}" in r.text and "X-CSRF-Token" in r.text
    r = debug.post("/form", data={"x": "1"}, headers={"accept": "application/json"}, csrf=False)
    assert "${csrf_field()}" in r.json()["error"]["message"]
    production = site()
    r = production.post("/form", data={"x": "1"}, headers={"accept": "application/json"}, csrf=False)
    assert r.status_code == 403 and r.json()["error"]["message"] == "CSRF token missing or incorrect"


def test_csrf_compares_any_text_without_crashing(site: Any) -> None:
    c = site()
    c.get("/csrf")
    for token in ("é", "𝔘" * 43, "\x00" * 43):
        assert c.post("/form", data={"csrf_token": token}).status_code == 403, repr(token)
    for raw in (b"csrf_token=%FF%FE%ED%A0%80", b"csrf_token=\xff\xfe"):   # not UTF-8 at all
        r = c.post("/form", content=raw, headers={"content-type": "application/x-www-form-urlencoded"})
        assert r.status_code in (400, 403), raw


def test_origin_null_and_malformed_origins_are_other_sites(site: Any) -> None:
    c = site()
    token = c.get("/csrf").text
    for origin in ("null", "http://testserver@evil.example", "http://testserver.evil.example",
                   "https://testserver", "http://testserver:8080", "testserver"):
        assert c.post("/form", data={"csrf_token": token}, headers={"origin": origin}).status_code == 403, origin
    for origin in ("http://testserver", "http://TESTSERVER:80", "http://testserver/"):
        assert c.post("/form", data={"csrf_token": token}, headers={"origin": origin}).text == "posted", origin


# -- tokens and decorators ---------------------------------------------------------------------------
def test_role_required_accepts_a_bearer_token(site: Any) -> None:
    c = site()
    token = c.post("/api/token", json={"username": "root"}).json()["token"]
    c.cookies.clear()
    assert c.get("/admin", headers={"authorization": f"Bearer {token}"}).text == "admin root"
    ada = c.post("/api/token", json={"username": "ada"}).json()["token"]
    c.cookies.clear()
    assert c.get("/admin", headers={"authorization": f"Bearer {ada}"}).status_code == 403
    r = c.get("/admin", headers={"authorization": "Bearer nope", "accept": "application/json"})
    assert r.status_code == 401 and "invalid_token" in r.headers["www-authenticate"]


def test_issuer_and_audience_are_issued_and_required(site: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WOLFPY_SECRET_KEY", "k" * 40)
    c = site(MW + '[app]\ndebug = false\n[security]\njwt_issuer = "https://id.example"\njwt_audience = "shop"\n')
    token = c.post("/api/token", json={"username": "root"}).json()["token"]
    claims = jwt.decode(token, "k" * 40, algorithms=["HS256"], audience="shop", issuer="https://id.example")
    c.cookies.clear()
    assert c.get("/admin", headers={"authorization": f"Bearer {token}"}).status_code == 200
    for change in ({"iss": "https://evil.example"}, {"aud": "other"}, {"iss": None}, {"aud": None}):
        forged = {k: v for k, v in {**claims, **change}.items() if v is not None}
        bad = jwt.encode(forged, "k" * 40, algorithm="HS256")
        assert c.get("/admin", headers={"authorization": f"Bearer {bad}"}).status_code == 401, change


# -- hosts and next URLs -------------------------------------------------------------------------------
class _Settings:
    def __init__(self, allowed: list[str], debug: bool) -> None:
        self.debug = debug
        self.app = type("A", (), {"allowed_hosts": allowed})()


class _Request:
    def __init__(self, host: str, allowed: list[str], debug: bool, scheme: str = "http") -> None:
        self.host = host
        self.scheme = scheme
        self.is_secure = scheme == "https"
        self.app = type("App", (), {"settings": _Settings(allowed, debug)})()


@pytest.mark.parametrize(("url", "host", "allowed", "debug", "scheme", "ok"), [
    ("https://example.com/x", "example.com", ["example.com"], False, "https", True),
    ("https://www.example.com/x", "example.com", [".example.com"], False, "https", True),
    ("https://example.com:8443/x", "example.com", ["example.com"], False, "https", True),
    ("https://example.com:8443/x", "example.com", ["example.com:443"], False, "https", False),
    ("http://example.com/x", "example.com", ["example.com"], False, "https", False),   # no downgrade
    ("//example.com/x", "example.com", ["example.com"], False, "https", True),
    ("https://evil.com/x", "evil.com", ["example.com"], False, "https", False),       # Host is not trusted
    ("http://testserver/ok", "testserver", [], True, "http", True),                  # debug: the request's host
    ("http://testserver:81/ok", "testserver", [], True, "http", False),
    ("http://testserver/ok", "testserver", [], False, "http", False),                # production: paths only
    ("http://testserver/ok", "testserver", ["*"], False, "http", False),
    ("http://evil.com/", "example.com:x@evil.com", [], True, "http", False),
    ("http://example.com/", "example.com:x@evil.com", [], True, "http", False),
    ("/ok?next=http://evil.com", "example.com:x@evil.com", [], False, "http", True),
])
def test_safe_next_judges_hosts_by_the_settings(url: str, host: str, allowed: list[str], debug: bool,
                                               scheme: str, ok: bool) -> None:
    request = _Request(host, allowed, debug, scheme)
    assert safe_next(url, request, default="/d") == (encode_url(url) if ok else "/d")


def test_allowed_hosts_refuses_malformed_hosts_and_patterns(client_for: Any) -> None:
    files = {"routes/index.py": "def get(request):\n    return 'ok'\n"}
    c = client_for(files, toml='[app]\ndebug = false\nallowed_hosts = ["example.com"]\n'
                               '[middleware]\nbuiltin = ["allowed_hosts"]\n')
    assert c.get("/", headers={"host": "example.com:8000"}).text == "ok"
    assert c.get("/", headers={"host": "EXAMPLE.com."}).text == "ok"
    for host in ("example.com:x@evil.com", "evil.com#example.com", "example.com:", "example.com:65536",
                 "exa mple.com", "example.com/evil", "[::1]x", "xn--e.com\u00e9"):
        r = c.get("/", headers={"host": host})
        assert r.status_code == 400, host
    with pytest.raises(ConfigError, match="not a host name"):
        client_for(files, toml='[app]\ndebug = false\nallowed_hosts = ["https://example.com"]\n'
                               '[middleware]\nbuiltin = ["allowed_hosts"]\n')


def test_safe_next_needs_no_request_for_paths() -> None:
    assert safe_next("/a b") == "/a%20b"
    assert safe_next("http://example.com/") == "/"
    assert safe_next("\x08//evil.com") == "/"
