"""Middleware: folder cascade (outermost first), sync/async mixes, built-ins, app-level."""
from __future__ import annotations

MW = """
def middleware(request, call_next):
    request.state.setdefault("trail", []).append("{name}")
    response = call_next(request)
    response.headers.add("x-trail", "{name}")
    return response
"""

AMW = """
async def middleware(request, call_next):
    request.state.setdefault("trail", []).append("{name}")
    response = await call_next(request)
    response.headers.add("x-trail", "{name}")
    return response
"""

TRAIL = "def get(request):\n    return {'trail': request.state['trail']}\n"
ATRAIL = "async def get(request):\n    return {'trail': request.state['trail']}\n"


def test_folder_middleware_cascades_outermost_first(client_for):
    c = client_for({
        "routes/_middleware.py": MW.format(name="root"),
        "routes/admin/_middleware.py": AMW.format(name="admin"),
        "routes/admin/users/_middleware.py": MW.format(name="users"),
        "routes/admin/users/index.py": TRAIL,
        "routes/admin/index.py": ATRAIL,
        "routes/public.py": TRAIL,
    })
    r = c.get("/admin/users")
    assert r.json() == {"trail": ["root", "admin", "users"]}
    # Response passes back out innermost first.
    assert r.headers.getlist("x-trail") == ["users", "admin", "root"]
    assert c.get("/admin").json() == {"trail": ["root", "admin"]}
    assert c.get("/public").json() == {"trail": ["root"]}


def test_group_middleware_applies_only_inside_the_group(client_for):
    c = client_for({
        "routes/(shop)/_middleware.py": MW.format(name="shop"),
        "routes/(shop)/cart.py": TRAIL,
        "routes/about.py": "def get(request):\n    return {'trail': request.state.get('trail', [])}\n",
    })
    assert c.get("/cart").json() == {"trail": ["shop"]}
    assert c.get("/about").json() == {"trail": []}


def test_middlewares_list_and_short_circuit(client_for):
    c = client_for({
        "routes/_middleware.py": """
            from wolfpy import Response
            def deny(request, call_next):
                if request.headers.get("x-deny"):
                    return Response("denied", status=401)
                return call_next(request)
            async def tag(request, call_next):
                response = await call_next(request)
                response.headers["x-tag"] = "yes"
                return response
            middlewares = [deny, tag]
        """,
        "routes/index.py": "async def get(request):\n    return 'ok'\n",
        "routes/sync.py": "def get(request):\n    return 'sync ok'\n",
    })
    assert c.get("/").text == "ok"
    assert c.get("/").headers["x-tag"] == "yes"
    assert c.get("/sync").headers["x-tag"] == "yes"
    r = c.get("/", headers={"x-deny": "1"})
    assert (r.status_code, r.text) == (401, "denied")


def test_middleware_sees_errors_as_responses(client_for):
    c = client_for({
        "routes/_middleware.py": MW.format(name="root"),
        "routes/secret.py": "from wolfpy import abort\ndef get(request):\n    abort(403)\n",
        "routes/items/[id].py": "def get(request, id: int):\n    return 'x'\n",
    })
    r = c.get("/secret")
    assert r.status_code == 403 and r.headers["x-trail"] == "root"
    r = c.get("/items/abc")
    assert r.status_code == 404 and r.headers["x-trail"] == "root"


def test_middleware_exception_is_a_500(client_for):
    c = client_for({
        "routes/_middleware.py": "def middleware(request, call_next):\n    raise KeyError('x')\n",
        "routes/index.py": "def get(request):\n    return 'never'\n",
    })
    assert c.get("/").status_code == 500


def test_builtin_security_headers_on_by_default_and_on_404(client_for):
    c = client_for({"routes/index.py": "def get(request):\n    return 'ok'\n"})
    for url in ("/", "/missing"):
        r = c.get(url)
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["x-frame-options"] == "DENY"
        assert r.headers["referrer-policy"] == "strict-origin-when-cross-origin"
        assert "strict-transport-security" not in r.headers  # plain HTTP


def test_responses_made_outside_the_chain_get_the_builtin_headers(client_for):
    c = client_for({
        "routes/_middleware.py": """
            from wolfpy import abort
            def middleware(request, call_next):
                if request.headers.get("x-block"):
                    abort(403)
                return call_next(request)
        """,
        "routes/boom.py": "def get(request):\n    raise RuntimeError('x')\n",
        "routes/about.py": "def get(request):\n    return 'about'\n",
    }, toml="[app]\nmax_body_size = 10\n[middleware]\nbuiltin = ['security_headers', 'request_id']\n")
    responses = [c.get("/boom"), c.get("/about", headers={"x-block": "1"}), c.get("/about/"),
                 c.post("/about", content=b"x" * 11)]
    assert [r.status_code for r in responses] == [500, 403, 308, 413]
    for r in responses:
        assert r.headers["x-content-type-options"] == "nosniff"
        assert len(r.headers["x-request-id"]) == 32


def test_hsts_on_https(client_for, make_client):
    c = client_for({"routes/index.py": "def get(request):\n    return 'ok'\n"})
    secure = make_client(c.app, base_url="https://testserver")
    assert secure.get("/").headers["strict-transport-security"].startswith("max-age=")


def test_builtin_list_is_configurable(client_for):
    files = {"routes/index.py": "def get(request):\n    return request.state.get('request_id', '')\n"}
    off = client_for(files, toml="[middleware]\nbuiltin = []\n")
    assert "x-content-type-options" not in off.get("/").headers
    on = client_for(files, toml="[middleware]\nbuiltin = ['request_id', 'security_headers']\n")
    r = on.get("/")
    assert len(r.headers["x-request-id"]) == 32 and r.text == r.headers["x-request-id"]


def test_unknown_builtin_is_a_config_error(load_app):
    import pytest
    from wolfpy.errors import ConfigError
    with pytest.raises(ConfigError, match="unknown middleware 'nope'"):
        load_app({"routes/index.py": "def get(request):\n    return 'ok'\n"},
                 toml="[middleware]\nbuiltin = ['nope']\n")


def test_app_level_middleware_runs_after_builtins_before_folders(make_project, make_client, monkeypatch):
    from wolfpy import App
    monkeypatch.setenv("WOLFPY_SECRET_KEY", "k" * 40)
    app = App(make_project({"routes/_middleware.py": MW.format(name="folder"), "routes/index.py": TRAIL}))
    app.load_routes()

    def app_mw(request, call_next):
        request.state.setdefault("trail", []).append("app")
        return call_next(request)
    app.add_middleware(app_mw)
    assert make_client(app).get("/").json() == {"trail": ["app", "folder"]}


def test_request_ids_are_unique_and_a_forked_worker_never_repeats_its_parents():
    import os
    import re
    from wolfpy.middleware.request_id import new_id
    new_id()  # the pool now holds ids this process has not handed out yet
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # a pre-forking server's worker
        os.write(write, ",".join(new_id() for _ in range(100)).encode())
        os._exit(0)
    os.close(write)
    child = os.read(read, 1 << 16).decode().split(",")
    os.close(read)
    os.waitpid(pid, 0)
    parent = [new_id() for _ in range(300)]
    assert len(child) == 100 and not set(child) & set(parent)
    assert len(set(parent)) == 300 and all(re.fullmatch(r"[0-9a-f]{32}", i) for i in parent + child)
