"""Passwords, login/logout, request.user, decorators, safe next URLs, throttling and JWT — over HTTP."""
from __future__ import annotations

import sys
import time

import bcrypt
import jwt
import pytest

from tests.services import service_url
from wolfpy.auth import hash_password, safe_next, verify_and_update, verify_password
from wolfpy.errors import BadRequest

MW = '[middleware]\nbuiltin = ["sessions", "csrf", "auth", "security_headers"]\n'
AUTH = {
    "models/__init__.py": "",
    "models/user.py": """
        from wolfpy.db import Model, CharField, BooleanField
        class User(Model):
            username = CharField(max_length=150, unique=True)
            email = CharField(max_length=254, default="")
            password_hash = CharField(max_length=255)
            is_admin = BooleanField(default=False)
    """,
    "routes/auth/login.py": """
        from wolfpy import redirect
        from wolfpy.auth import LoginThrottle, authenticate, login, safe_next
        _throttles = {}
        def post(request):
            throttle = _throttles.get(id(request.app)) or _throttles.setdefault(id(request.app), LoginThrottle(request.app, 3, 60))
            name = request.form.get("username", "")
            throttle.check(request, name)
            user = authenticate(name, request.form.get("password", ""))
            if user is None:
                throttle.failed(request, name)
                return "wrong username or password", 401
            throttle.succeeded(request, name)
            login(request, user)
            return redirect(safe_next(request.query.get("next"), request), status=303)
    """,
    "routes/auth/logout.py": """
        from wolfpy import redirect
        from wolfpy.auth import logout
        def post(request):
            logout(request)
            return redirect("/", status=303)
    """,
    "routes/auth/token.py": """
        from wolfpy import api_route, abort
        from wolfpy.auth import authenticate, issue_token
        @api_route
        def post(request):
            body = request.json or {}
            user = authenticate(body.get("username", ""), body.get("password", ""))
            if user is None:
                abort(401, "wrong username or password")
            return {"token": issue_token(user), "type": "Bearer"}
    """,
    "routes/private.py": """
        from wolfpy import login_required
        @login_required
        def get(request):
            return f"hello {request.user.username}"
    """,
    "routes/api/me.py": """
        from wolfpy import api_route, login_required, token_required
        @api_route
        @login_required
        def get(request):
            return {"user": request.user.username}
        @api_route
        @token_required
        async def post(request):
            return {"user": request.user.username}
    """,
    "routes/admin.py": """
        from wolfpy import role_required
        @role_required("admin")
        def get(request):
            return "admin area"
    """,
    "routes/index.py": "def get(request):\n    return 'home'\n",
    "routes/csrf.py": "from wolfpy.middleware.csrf import csrf_token\ndef get(request):\n    return csrf_token(request)\n",
}


def forget_models():
    for name in [n for n in sys.modules if n == "models" or n.startswith("models.")]:
        del sys.modules[name]


@pytest.fixture
def site(client_for, monkeypatch):
    forget_models()
    monkeypatch.setenv("DATABASE_URL", "sqlite:///auth.sqlite3")

    def make(toml=MW + "[app]\ndebug = false\n"):
        c = client_for(AUTH, toml=toml)
        c.app.database.create_tables(c.app.models, safe=True)
        User = c.app.models[0]
        if not User.select().exists():
            User.create(username="ada", email="ada@example.com", password_hash=hash_password("correct horse"))
            User.create(username="root", password_hash=hash_password("s3cret-admin"), is_admin=True)
        return c
    yield make
    forget_models()


def login(c, username="ada", password="correct horse", next_=None):
    token = c.get("/csrf").text
    url = "/auth/login" + (f"?next={next_}" if next_ else "")
    return c.post(url, data={"username": username, "password": password, "csrf_token": token})


def test_passwords():
    h = hash_password("pw")
    assert h.startswith("$argon2id$")
    assert verify_password("pw", h) and not verify_password("nope", h)
    assert not verify_password("pw", None) and not verify_password("pw", "not-a-hash")
    old = bcrypt.hashpw(b"legacy", bcrypt.gensalt(4)).decode()
    ok, new = verify_and_update("legacy", old)
    assert ok and new and new.startswith("$argon2id$")
    assert verify_and_update("x" * 100, old) == (False, None)    # past bcrypt's 72 bytes
    with pytest.raises(BadRequest):
        hash_password("x" * 1025)


def test_register_login_protected_logout_flow(site):
    c = site()
    r = c.get("/private")
    assert r.status_code == 303 and r.headers["location"] == "/auth/login?next=%2Fprivate"
    before = c.cookies.get("wolfpy_session")
    r = login(c, next_="/private")
    assert (r.status_code, r.headers["location"]) == (303, "/private")
    assert c.cookies["wolfpy_session"] != before                          # new session id
    r = c.get("/private")
    assert r.text == "hello ada" and r.headers["cache-control"] == "no-store"
    assert c.get("/api/me").json() == {"user": "ada"}
    token = c.get("/csrf").text
    assert c.post("/auth/logout", data={"csrf_token": token}).status_code == 303
    assert c.get("/private").status_code == 303


def test_login_by_email_and_wrong_passwords(site):
    c = site()
    assert login(c, "ada@example.com").status_code == 303
    c2 = site()
    wrong = login(c2, "ada", "bad")
    unknown = login(c2, "nobody", "bad")
    assert (wrong.status_code, wrong.text) == (unknown.status_code, unknown.text) == (401, "wrong username or password")


def test_old_hashes_are_upgraded_on_login(site):
    c = site()
    User = c.app.models[0]
    User.update(password_hash=bcrypt.hashpw(b"correct horse", bcrypt.gensalt(4)).decode()).execute()
    assert login(c).status_code == 303
    assert User.get(User.username == "ada").password_hash.startswith("$argon2id$")


def test_api_clients_get_401_json(site):
    c = site()
    r = c.get("/api/me")
    assert r.status_code == 401 and r.json()["error"]["status"] == 401


def test_role_required(site):
    c = site()
    login(c)
    assert c.get("/admin").status_code == 403
    admin = site()
    login(admin, "root", "s3cret-admin")
    assert admin.get("/admin").text == "admin area"


def test_too_long_password_is_400(site):
    c = site()
    assert login(c, "ada", "x" * 2000).status_code == 400


def test_throttling_per_account_and_address(site):
    c = site()
    for _ in range(3):
        assert login(c, "ada", "bad").status_code == 401
    r = login(c, "ada", "correct horse")
    assert r.status_code == 429 and r.headers["retry-after"]


def test_throttling_shared_through_redis(site, monkeypatch):
    import redis
    url = service_url("redis")
    monkeypatch.setenv("REDIS_URL", url)
    client = redis.Redis.from_url(url)
    stale = client.keys("wolfpy:throttle:*")
    if stale:
        client.delete(*stale)
    client.close()
    worker1, worker2 = site(), site()                     # two apps, as two processes would be
    for c in (worker1, worker2, worker1):
        assert login(c, "ada", "bad").status_code == 401
    assert login(worker2, "ada", "correct horse").status_code == 429


BAD_NEXT = ["//evil.example", "///evil.example", "https://evil.example/x", "http:evil.example",
            "javascript:alert(1)", "\\\\evil.example", "/\\evil.example", "\\/evil.example",
            " //evil.example", "/\t/evil.example", "http://testserver@evil.example/", "evil.example",
            "data:text/html,x", "//testserver.evil.example", "ftp://testserver/"]


@pytest.mark.parametrize("url", BAD_NEXT)
def test_unsafe_next_urls_fall_back(url):
    class R:
        host = "testserver"
    assert safe_next(url, R()) == "/"


# Absolute URLs are judged against [app] allowed_hosts: tests/test_auth_hardening.py.
@pytest.mark.parametrize("url", ["/", "/private?x=1", "/a/b#frag"])
def test_safe_next_urls_pass(url):
    class R:
        host = "testserver"
    assert safe_next(url, R()) == url


def test_open_redirect_refused_over_http(site):
    c = site()
    r = login(c, next_="//evil.example")
    assert r.headers["location"] == "/"


def test_jwt_tokens(site):
    c = site()
    r = c.post("/auth/token", json={"username": "ada", "password": "correct horse"})
    token = r.json()["token"]
    assert c.post("/api/me", headers={"authorization": f"Bearer {token}"}).json() == {"user": "ada"}
    key = c.app.settings.app.secret_key
    now = int(time.time())
    bad = {
        "none": jwt.encode({"sub": "1", "exp": now + 60}, None, algorithm="none"),
        "expired": jwt.encode({"sub": "1", "exp": now - 10}, key, algorithm="HS256"),
        "wrong signature": jwt.encode({"sub": "1", "exp": now + 60}, "x" * 40, algorithm="HS256"),
        "no exp": jwt.encode({"sub": "1"}, key, algorithm="HS256"),
        "garbage": "abc.def.ghi",
    }
    for name, value in bad.items():
        r = c.post("/api/me", headers={"authorization": f"Bearer {value}"})
        assert r.status_code == 401, name
    assert c.post("/api/me").status_code == 401
    assert c.post("/auth/token", json={"username": "ada", "password": "nope"}).status_code == 401


def test_access_log_names_the_user_without_loading_it(site):
    import json
    import logging
    c = site(MW.replace('"security_headers"]', '"security_headers", "access_log"]')
             + "[app]\ndebug = false\n[logging]\nconsole = false\n")
    login(c)
    queries: list[str] = []

    class Catch(logging.Handler):
        def emit(self, record):
            queries.append(str(record.getMessage()))
    peewee_log = logging.getLogger("peewee")
    catch, level = Catch(), peewee_log.level
    peewee_log.addHandler(catch)
    peewee_log.setLevel(logging.DEBUG)
    try:
        assert c.get("/").text == "home"             # touches neither the user nor the session
        home_queries = list(queries)
        assert c.get("/private").text == "hello ada"  # loads the user
        assert c.get("/csrf").status_code == 200      # reads the session only
    finally:
        peewee_log.removeHandler(catch)
        peewee_log.setLevel(level)
    assert not [q for q in home_queries if '"user"' in q], home_queries  # no query made for the log
    lines = [json.loads(x) for x in (c.app.project.root / "logs" / "app.log").read_text().splitlines()]
    users = {x["path"]: x["user"] for x in lines if x["logger"] == "wolfpy.access"}
    ada = c.app.models[0].get(username="ada")
    assert users["/"] is None and users["/private"] == "ada" and users["/csrf"] == ada.id
