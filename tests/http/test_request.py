"""The Request API over HTTP (docs/requests-and-responses.md), under WSGI and ASGI."""
from __future__ import annotations

import hashlib

import pytest

ECHO = {
    "routes/echo.py": """
        def get(request):
            return {
                "method": request.method, "path": request.path, "url": request.url,
                "query": request.query.to_dict(flat=False), "q": request.query.get("q", "none"),
                "ua": request.headers["User-Agent"], "cookies": request.cookies,
                "client_ip": request.client_ip,
                "accepts_json": request.accepts("application/json"),
            }
        def post(request):
            return {"form": request.form.to_dict(flat=False)}
    """,
    "routes/missing.py": """
        def post(request):
            return request.form["nope"]
    """,
    "routes/json.py": """
        def post(request):
            return {"got": request.json}
    """,
    "routes/raw.py": """
        def post(request):
            return {"len": len(request.body), "sha": __import__("hashlib").sha256(request.body).hexdigest()}
    """,
    "routes/upload.py": """
        import hashlib
        def post(request):
            f = request.files["doc"]
            data = f.read()
            return {"name": f.filename, "type": f.content_type, "size": f.size,
                    "sha": hashlib.sha256(data).hexdigest(), "title": request.form["title"],
                    "many": [u.filename for u in request.files.getlist("many")]}
    """,
    "routes/aupload.py": """
        async def post(request):
            f = request.files["doc"]
            return {"size": f.size, "title": request.form["title"]}
    """,
    "routes/save/[name].py": """
        import os, tempfile
        def post(request, name):
            target = os.path.join(request.app.project.root, "uploaded.bin")
            request.files["doc"].save(target)
            return {"saved": os.path.getsize(target)}
    """,
}


@pytest.fixture
def client(client_for):
    return client_for(ECHO, toml="[app]\nmax_body_size = 200000\n")


def test_query_headers_cookies(client):
    client.cookies["theme"] = "dark"
    r = client.get("/echo?q=wolf&tag=a&tag=b&blank=&sp=a+b%20c", headers={"User-Agent": "ua/1"})
    data = r.json()
    assert data["method"] == "GET"
    assert data["path"] == "/echo"
    assert data["url"] == "http://testserver/echo?q=wolf&tag=a&tag=b&blank=&sp=a+b%20c"
    assert data["query"] == {"q": ["wolf"], "tag": ["a", "b"], "blank": [""], "sp": ["a b c"]}
    assert data["ua"] == "ua/1"
    assert data["cookies"] == {"theme": "dark"}
    assert data["client_ip"] == "127.0.0.1"


def test_semicolon_is_not_a_query_separator(client):
    assert client.get("/echo?q=a;b=c").json()["query"] == {"q": ["a;b=c"]}


def test_missing_query_key_default(client):
    assert client.get("/echo").json()["q"] == "none"


def test_accepts(client):
    assert client.get("/echo", headers={"accept": "text/html"}).json()["accepts_json"] is False
    assert client.get("/echo", headers={"accept": "application/*"}).json()["accepts_json"] is True
    assert client.get("/echo", headers={"accept": "application/json;q=0"}).json()["accepts_json"] is False


def test_percent_decoded_path(client_for):
    c = client_for({"routes/[name].py": "def get(request, name):\n    return {'path': request.path, 'raw': request.raw_path}\n"})
    assert c.get("/caf%C3%A9").json() == {"path": "/café", "raw": "/caf%C3%A9"}


def test_urlencoded_form(client):
    r = client.post("/echo", data={"a": "1", "b": ["x", "y"], "u": "é & ="})
    assert r.json() == {"form": {"a": ["1"], "b": ["x", "y"], "u": ["é & ="]}}


def test_missing_form_field_is_400_not_500(client):
    assert client.post("/missing", data={"a": "1"}).status_code == 400


def test_json_body(client):
    assert client.post("/json", json={"a": [1, {"b": None}]}).json() == {"got": {"a": [1, {"b": None}]}}


@pytest.mark.parametrize("body", [b"{", b'{"a": 1', b"[1,]", b"nul", b'{"a": "\\x"}'])
def test_malformed_json_is_400(client, body):
    r = client.post("/json", content=body, headers={"content-type": "application/json"})
    assert r.status_code == 400


def test_invalid_utf8_json_is_400(client):
    r = client.post("/json", content=b'{"a": "\xff"}', headers={"content-type": "application/json"})
    assert r.status_code == 400


def test_deeply_nested_json_is_400(client):
    body = b"[" * 100 + b"]" * 100
    r = client.post("/json", content=body, headers={"content-type": "application/json"})
    assert r.status_code == 400
    very = b"[" * 100000 + b"]" * 100000
    assert client.post("/json", content=very, headers={"content-type": "application/json"}).status_code in (400, 413)


def test_json_with_wrong_content_type_is_415(client):
    r = client.post("/json", content=b"{}", headers={"content-type": "text/plain"})
    assert r.status_code == 415


def test_body_over_limit_is_413(client):
    r = client.post("/raw", content=b"x" * 200001, headers={"content-type": "application/octet-stream"})
    assert r.status_code == 413
    r = client.post("/raw", content=b"x" * 200000, headers={"content-type": "application/octet-stream"})
    assert r.json()["len"] == 200000


def test_413_before_the_handler_runs(client_for, tmp_path):
    marker = tmp_path / "ran"
    c = client_for({"routes/up.py": f"def post(request):\n    open({str(marker)!r}, 'w').close()\n    return 'ran'\n"},
                   toml="[app]\nmax_body_size = 10\n")
    assert c.post("/up", content=b"x" * 11).status_code == 413
    assert not marker.exists()


def test_multipart_upload(client):
    payload = bytes(range(256)) * 100
    r = client.post("/upload", data={"title": "report"}, files={
        "doc": ("../../etc/report.pdf", payload, "application/pdf"),
    })
    assert r.status_code == 200, r.text
    assert r.json() == {"name": "report.pdf", "type": "application/pdf", "size": len(payload),
                        "sha": hashlib.sha256(payload).hexdigest(), "title": "report", "many": []}


def test_multipart_async_handler(client):
    r = client.post("/aupload", data={"title": "t"}, files={"doc": ("a.txt", b"abc", "text/plain")})
    assert r.json() == {"size": 3, "title": "t"}


def test_upload_save_to_a_chosen_path(client):
    r = client.post("/save/x", files={"doc": ("a.bin", b"z" * 5000)})
    assert r.json() == {"saved": 5000}


def test_multipart_without_boundary_is_400(client):
    r = client.post("/upload", content=b"--x\r\n", headers={"content-type": "multipart/form-data"})
    assert r.status_code == 400


def test_multipart_too_many_parts_is_413(client):
    body = b"".join(b'--b\r\nContent-Disposition: form-data; name="f%d"\r\n\r\nv\r\n' % i for i in range(1001))
    body += b"--b--\r\n"
    r = client.post("/echo", content=body, headers={"content-type": "multipart/form-data; boundary=b"})
    assert r.status_code == 413


def test_trusted_proxy_forwarded_for(client_for):
    files = {"routes/ip.py": "def get(request):\n    return request.client_ip\n"}
    untrusted = client_for(files)
    assert untrusted.get("/ip", headers={"x-forwarded-for": "6.6.6.6"}).text == "127.0.0.1"
    trusted = client_for(files, toml='[security]\ntrusted_proxies = ["127.0.0.1"]\n')
    assert trusted.get("/ip", headers={"x-forwarded-for": "6.6.6.6, 10.0.0.1"}).text == "10.0.0.1"
    trusted2 = client_for(files, toml='[security]\ntrusted_proxies = ["127.0.0.1", "10.0.0.1"]\n')
    assert trusted2.get("/ip", headers={"x-forwarded-for": "6.6.6.6, 10.0.0.1"}).text == "6.6.6.6"


def test_session_without_middleware_explains(client_for):
    c = client_for({"routes/s.py": "def get(request):\n    return str(request.session)\n"},
                   toml="[app]\ndebug = true\n")
    r = c.get("/s")
    assert r.status_code == 500 and "session middleware" in r.text


def test_nameless_cookie_is_ignored(client_for):
    c = client_for({"routes/c.py": "def get(request):\n    return request.cookies\n"})
    r = c.get("/c", headers={"cookie": "=__Host-x; a=1; b; c=\"q\""})
    assert r.json() == {"a": "1", "c": "q"}


def test_json_limit(client_for):
    c = client_for({"routes/j.py": "def post(request):\n    return {'n': len(request.json)}\n"},
                   toml="[security]\nmax_json_size = 100\n")
    assert c.post("/j", json=list(range(10))).json() == {"n": 10}
    assert c.post("/j", json=list(range(100))).status_code == 413


USER_LOADER = {
    "routes/_middleware.py": """
        from wolfpy import Hooks

        LOADS = []

        class Identity(Hooks):
            def before(self, request):
                def load(request):
                    LOADS.append(request.path)
                    return request.headers.get("x-user")
                request.set_user_loader(load)

            def after(self, request, response):
                response.headers["x-loaded-user"] = str(request.loaded_user)
                response.headers["x-loads"] = str(len(LOADS))
                response.headers["x-has-session"] = str(request.has_session)
                return response

        middleware = Identity()
    """,
    "routes/me.py": "def get(request):\n    return str(request.user)\n",
    "routes/anon.py": "def get(request):\n    return 'no user read'\n",
}


def test_user_loader_and_session_hooks(client_for):
    """Middleware installs the user through public hooks: the loader runs only when
    something reads request.user; has_session says whether a session middleware ran."""
    c = client_for(USER_LOADER, toml='[middleware]\nbuiltin = []\n')
    r = c.get("/anon", headers={"x-user": "ann"})
    assert r.headers["x-loaded-user"] == "None" and r.headers["x-loads"] == "0"
    assert r.headers["x-has-session"] == "False"
    r = c.get("/me", headers={"x-user": "ann"})
    assert r.text == "ann" and r.headers["x-loaded-user"] == "ann" and r.headers["x-loads"] == "1"
    with_sessions = client_for({"routes/s.py": "def get(request):\n    return str(request.has_session)\n"},
                               toml='[middleware]\nbuiltin = ["sessions"]\n')
    assert with_sessions.get("/s").text == "True"


def test_http_reads_no_app_settings():
    """The sans-IO core is given what it needs (RequestConfig, Limits); it never reads
    an app's settings."""
    import ast
    from pathlib import Path

    import wolfpy.http
    offenders = []
    for path in sorted(Path(wolfpy.http.__file__).parent.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr == "settings":
                offenders.append(f"{path.name}:{node.lineno}")
    assert not offenders, offenders
