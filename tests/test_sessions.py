"""Sessions (signed cookie, Redis), flash messages, CSRF and allowed hosts — over HTTP."""
from __future__ import annotations

import re

import pytest
from itsdangerous import URLSafeTimedSerializer

from tests.services import service_url

MW = '[middleware]\nbuiltin = ["sessions", "csrf", "security_headers"]\n'
APP = {
    "routes/count.py": """
        def get(request):
            request.session["n"] = request.session.get("n", 0) + 1
            return {"n": request.session["n"]}
    """,
    "routes/plain.py": "def get(request):\n    return 'no session here'\n",
    "routes/form.py": """
        from wolfpy import flash, redirect, render
        def get(request):
            return render("form.html")
        def post(request):
            flash(request, "saved " + request.form["name"])
            return redirect("/form", status=303)
    """,
    "routes/login.py": """
        def post(request):
            request.session.regenerate()
            request.session["_user"] = request.form["name"]
            return "in"
        def delete(request):
            request.session.invalidate()
            return "out"
    """,
    "routes/me.py": "def get(request):\n    return {'user': request.session.get('_user')}\n",
    "routes/hook.py": """
        from wolfpy import csrf_exempt
        @csrf_exempt
        def post(request):
            return "hooked"
    """,
    "routes/nocsrf.py": "csrf = False\ndef post(request):\n    return 'module off'\n",
    "routes/api/items.py": """
        from wolfpy import api_route
        @api_route(status=201)
        def post(request):
            return {"ok": True}
    """,
    "templates/form.html": "${csrf_field()}\n% for m in flashes():\n<p>${m}</p>\n% endfor\n",
}


def make(client_for, toml=MW + "[app]\ndebug = false\n", **kw):
    return client_for(APP, toml=toml, **kw)


def token_of(client) -> str:
    page = client.get("/form").text
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def test_session_round_trip_and_cookie_flags(client_for):
    c = make(client_for)
    r = c.get("/count")
    assert r.json() == {"n": 1}
    cookie = r.headers["set-cookie"]
    assert cookie.startswith("wolfpy_session=") and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" in cookie                       # production
    assert r.headers["vary"] == "Cookie"
    assert c.get("/count").json() == {"n": 2}
    plain = c.get("/plain")
    assert "set-cookie" not in plain.headers and "vary" not in plain.headers


def test_no_secure_flag_in_debug(client_for):
    c = make(client_for, toml=MW + "[app]\ndebug = true\n")
    assert "Secure" not in c.get("/count").headers["set-cookie"]


@pytest.mark.parametrize("mangle", [
    lambda v: v[:-3] + ("AAA" if not v.endswith("AAA") else "BBB"),   # tampered signature
    lambda v: v[: len(v) // 2],                                          # truncated
    lambda v: "garbage",                                                  # nonsense
])
def test_tampered_cookie_is_a_fresh_anonymous_session(client_for, mangle):
    c = make(client_for)
    c.get("/count")
    c.get("/count")
    c.cookies["wolfpy_session"] = mangle(c.cookies["wolfpy_session"])
    assert c.get("/count").json() == {"n": 1}


def test_key_rotation_old_keys_verify_newest_signs(client_for, monkeypatch):
    old, new = "o" * 40, "n" * 40
    monkeypatch.setenv("WOLFPY_SECRET_KEY", new)
    c = make(client_for, toml=MW + f'[app]\ndebug = false\nfallback_secret_keys = ["{old}"]\n')
    signed_with_old = URLSafeTimedSerializer(old, salt="wolfpy.session").dumps({"n": 41, "_created": 2**31,
                                                                              "_seen": 2**31})
    c.cookies["wolfpy_session"] = signed_with_old
    r = c.get("/count")
    assert r.json() == {"n": 42}
    reissued = c.cookies["wolfpy_session"]
    assert URLSafeTimedSerializer(new, salt="wolfpy.session").loads(reissued)["n"] == 42
    with pytest.raises(Exception):
        URLSafeTimedSerializer(old, salt="wolfpy.session").loads(reissued)


def test_expired_session_starts_over(client_for, monkeypatch):
    monkeypatch.setenv("WOLFPY_SECRET_KEY", "k" * 40)
    c = make(client_for, toml=MW + "[app]\ndebug = false\n[session]\nidle_timeout = 60\n")
    stale = URLSafeTimedSerializer("k" * 40, salt="wolfpy.session").dumps({"n": 7, "_created": 1, "_seen": 1})
    c.cookies["wolfpy_session"] = stale
    assert c.get("/count").json() == {"n": 1}


def test_flash_messages_show_once(client_for):
    c = make(client_for)
    token = token_of(c)
    r = c.post("/form", data={"name": "<b>x</b>", "csrf_token": token})
    assert r.status_code == 303
    page = c.get("/form").text
    assert "<p>saved &lt;b&gt;x&lt;/b&gt;</p>" in page
    assert "<p>" not in c.get("/form").text


def test_csrf_rules(client_for):
    c = make(client_for)
    token = token_of(c)
    assert c.post("/form", data={"name": "a"}, csrf=False).status_code == 403           # missing
    assert c.post("/form", data={"name": "a", "csrf_token": "x" * 43}).status_code == 403  # wrong
    assert c.post("/form", data={"name": "a", "csrf_token": token}).status_code == 303
    assert c.post("/form", data={"name": "a"}, headers={"x-csrf-token": token}).status_code == 303
    r = c.post("/form", data={"name": "a", "csrf_token": token}, headers={"origin": "http://evil.example"})
    assert r.status_code == 403
    assert c.post("/form", data={"name": "a", "csrf_token": token},
                  headers={"origin": "http://testserver"}).status_code == 303


def test_another_sessions_token_is_refused(client_for):
    alice, mallory = make(client_for), make(client_for)
    stolen = token_of(mallory)
    token_of(alice)
    assert alice.post("/form", data={"name": "a", "csrf_token": stolen}).status_code == 403


def test_https_needs_a_same_origin_referer(client_for, make_client):
    c = make(client_for)
    secure = make_client(c.app, base_url="https://testserver")
    token = token_of(secure)
    data = {"name": "a", "csrf_token": token}
    assert secure.post("/form", data=data).status_code == 403
    assert secure.post("/form", data=data, headers={"referer": "https://evil.example/x"}).status_code == 403
    assert secure.post("/form", data=data, headers={"referer": "https://testserver/form"}).status_code == 303


def test_csrf_exemptions(client_for):
    c = make(client_for)
    assert c.post("/hook").text == "hooked"
    assert c.post("/nocsrf").text == "module off"
    assert c.post("/api/items", json={}).status_code == 201                   # API, no session cookie
    # A bearer token that does not verify exempts nothing (tests/test_auth_hardening.py).
    assert c.post("/form", data={"name": "a"}, headers={"authorization": "Bearer abc"},
                  csrf=False).status_code == 403
    c.get("/count")                                                            # now it has a session cookie
    assert c.post("/api/items", json={}, csrf=False).status_code == 403


def test_login_regenerates_and_logout_clears(client_for):
    c = make(client_for)
    token = token_of(c)
    before = c.cookies["wolfpy_session"]
    assert c.post("/login", data={"name": "ada", "csrf_token": token}).text == "in"
    assert c.cookies["wolfpy_session"] != before
    assert c.get("/me").json() == {"user": "ada"}
    assert c.delete("/login", headers={"x-csrf-token": token}).text == "out"
    assert c.get("/me").json() == {"user": None}


def test_redis_sessions_live_server_side(client_for, monkeypatch):
    import redis
    url = service_url("redis")
    monkeypatch.setenv("REDIS_URL", url)
    c = make(client_for, toml=MW + '[app]\ndebug = false\n[session]\nbackend = "redis"\n')
    assert c.get("/count").json() == {"n": 1}
    assert c.get("/count").json() == {"n": 2}
    client = redis.Redis.from_url(url)
    keys = client.keys("wolfpy:session:*")
    assert keys
    token = token_of(c)
    c.post("/login", data={"name": "ada", "csrf_token": token})
    sid_cookie = c.cookies["wolfpy_session"]
    assert c.get("/me").json() == {"user": "ada"}
    c.delete("/login", headers={"x-csrf-token": token})
    assert c.get("/me").json() == {"user": None}
    c.cookies["wolfpy_session"] = sid_cookie                     # replaying the logged-out id
    assert c.get("/me").json() == {"user": None}
    client.close()


def test_allowed_hosts(client_for):
    files = {"routes/index.py": "def get(request):\n    return 'ok'\n"}
    c = client_for(files, toml='[app]\ndebug = false\nallowed_hosts = ["example.com", ".example.org"]\n'
                               '[middleware]\nbuiltin = ["allowed_hosts"]\n')
    assert c.get("/", headers={"host": "example.com"}).status_code == 200
    assert c.get("/", headers={"host": "api.example.org:8443"}).status_code == 200
    assert c.get("/", headers={"host": "example.org"}).status_code == 200
    assert c.get("/", headers={"host": "evil.example"}).status_code == 400
    assert c.get("/").status_code == 400                          # "testserver" only allowed in debug
