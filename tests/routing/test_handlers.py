"""Methods, return values, parameters, url_for and programmatic routes (docs/routing.md)."""
from __future__ import annotations

import pytest

from wolfpy import App
from wolfpy.testing import TestClient

HANDLERS = {
    "routes/index.py": """
        def get(request):
            return "home"
        def post(request):
            return "posted", 201
    """,
    "routes/items/[id].py": """
        async def get(request, id: int):
            return {"id": id, "async": True}
        def put(request, id: int):
            return {"id": id, "put": True}
        def patch(request, id: int):
            return {"id": id, "patch": True}
        def delete(request, id: int):
            return None
    """,
    "routes/returns/[kind].py": """
        from wolfpy import Response, json
        def get(request, kind):
            if kind == "str": return "<b>html</b>"
            if kind == "dict": return {"a": 1}
            if kind == "list": return [1, 2]
            if kind == "bytes": return b"\\x00\\x01"
            if kind == "none": return None
            if kind == "tuple2": return "created", 201
            if kind == "tuple3": return {"x": 1}, 202, {"X-Extra": "yes"}
            if kind == "response": return Response("plain", status=418, content_type="text/plain")
            if kind == "json": return json({"ok": True}, status=207)
            if kind == "object": return object()
            raise ValueError(kind)
    """,
    "routes/links/[slug].py": """
        from wolfpy import url_for
        def get(request, slug):
            return {"self": url_for("links/[slug]", slug=slug),
                    "file": url_for("files/[...path]", path="a b/c"),
                    "wiki": url_for("wiki/[[...page]]"),
                    "index": url_for("index", page=2)}
    """,
    "routes/files/[...path].py": "def get(request, path):\n    return path\n",
    "routes/wiki/[[...page]].py": "def get(request, page):\n    return page\n",
    "routes/boom.py": "def get(request):\n    raise RuntimeError('secret detail')\n",
    "routes/abort.py": """
        from wolfpy import abort
        def get(request):
            abort(403, "members only")
    """,
    "routes/params.py": """
        def get(request, **params):
            return {"params": request.params}
    """,
}


@pytest.fixture
def client(client_for):
    return client_for(HANDLERS)


def test_methods_map_to_functions(client):
    assert client.get("/").text == "home"
    r = client.post("/")
    assert (r.status_code, r.text) == (201, "posted")
    assert client.get("/items/3").json() == {"id": 3, "async": True}
    assert client.put("/items/3").json() == {"id": 3, "put": True}
    assert client.patch("/items/3").json() == {"id": 3, "patch": True}
    assert client.delete("/items/3").status_code == 204


def test_undefined_method_is_405_with_allow(client):
    r = client.delete("/")
    assert r.status_code == 405
    assert r.headers["allow"] == "GET, HEAD, POST, OPTIONS"
    assert client.post("/items/1").headers["allow"] == "GET, HEAD, PUT, PATCH, DELETE, OPTIONS"
    assert client.request("PROPFIND", "/").status_code == 405


def test_head_falls_back_to_get_without_body(client):
    r = client.head("/items/9")
    assert r.status_code == 200
    assert r.content == b""
    assert r.headers["content-type"] == "application/json"
    assert r.headers["content-length"] == str(len(b'{"id":9,"async":true}'))


def test_options_is_automatic(client):
    r = client.options("/items/1")
    assert r.status_code == 204
    assert r.headers["allow"] == "GET, HEAD, PUT, PATCH, DELETE, OPTIONS"


@pytest.mark.parametrize("kind, status, ctype, body", [
    ("str", 200, "text/html; charset=utf-8", b"<b>html</b>"),
    ("dict", 200, "application/json", b'{"a":1}'),
    ("list", 200, "application/json", b"[1,2]"),
    ("bytes", 200, "application/octet-stream", b"\x00\x01"),
    ("none", 204, None, b""),
    ("tuple2", 201, "text/html; charset=utf-8", b"created"),
    ("tuple3", 202, "application/json", b'{"x":1}'),
    ("response", 418, "text/plain", b"plain"),
    ("json", 207, "application/json", b'{"ok":true}'),
])
def test_return_values(client, kind, status, ctype, body):
    r = client.get(f"/returns/{kind}")
    assert r.status_code == status
    if ctype:
        assert r.headers["content-type"] == ctype
    assert r.content == body


def test_tuple_headers_are_sent(client):
    assert client.get("/returns/tuple3").headers["x-extra"] == "yes"


def test_unsupported_return_value_is_500_without_details(client):
    r = client.get("/returns/object")
    assert r.status_code == 500
    assert "object" not in r.text


def test_exception_is_500_and_hides_details_in_production(client):
    r = client.get("/boom")
    assert r.status_code == 500
    assert "secret detail" not in r.text
    assert "Traceback" not in r.text


def test_exception_shows_traceback_in_debug(client_for):
    c = client_for(HANDLERS, toml="[app]\ndebug = true\n")
    r = c.get("/boom")
    assert r.status_code == 500
    assert "RuntimeError: secret detail" in r.text


def test_abort_gives_status_and_message(client):
    r = client.get("/abort")
    assert r.status_code == 403
    assert "members only" in r.text


def test_errors_are_json_when_the_client_prefers_json(client):
    r = client.get("/abort", headers={"accept": "application/json"})
    assert r.json() == {"error": {"status": 403, "message": "members only"}}
    r = client.get("/nowhere", headers={"accept": "application/json"})
    assert r.json() == {"error": {"status": 404, "message": "Not Found"}}


def test_url_for_builds_urls_from_route_names(client):
    assert client.get("/links/hello%20world").json() == {
        "self": "/links/hello%20world",
        "file": "/files/a%20b/c",
        "wiki": "/wiki",
        "index": "/?page=2",
    }


def test_url_for_with_a_parameter_called_name(client_for):
    c = client_for({"routes/users/[name].py": """
        from wolfpy import url_for
        def get(request, name):
            return url_for("users/[name]", name=name + "!")
    """})
    assert c.get("/users/ann").text == "/users/ann%21"


def test_status_applies_to_str_returns_with_params(make_client):
    from wolfpy import App
    app = App(secret_key="s" * 40)

    @app.route("/made/{id}", methods=["POST"], status=201)
    def made(request, id):
        return f"made {id}"

    @app.route("/amade/{id}", methods=["POST"], status=201)
    async def amade(request, id):
        return f"made {id}"
    c = make_client(app)
    assert c.post("/made/1").status_code == 201
    assert c.post("/amade/1").status_code == 201


def test_request_params(client):
    assert client.get("/params").json() == {"params": {}}


def test_url_for_outside_a_request_explains(client):
    from wolfpy import url_for
    from wolfpy.errors import WolfPyError
    with pytest.raises(WolfPyError, match="outside of a request"):
        url_for("index")
    assert client.app.url_for("items/[id]", id=5) == "/items/5"


# -- programmatic routes share the router --------------------------------------------
def make_single_file_app() -> App:
    app = App(secret_key="s" * 40)

    @app.route("/hello/{name}", methods=["GET"])
    def hello(request, name):
        return f"hello {name}"

    @app.route("/hello/{name}", methods=["POST"])
    async def hello_post(request, name):
        return {"posted": name}

    @app.api_route("/api/items/{id:int}", methods=["GET"], status=200)
    def item(request, id):
        return {"id": id}

    @app.api_route("/api/items", methods=["POST"], status=201)
    def create(request):
        return {"created": request.json}

    @app.route("/static-path/{path...}")
    def tail(request, path):
        return path
    return app


def test_programmatic_routes(make_client):
    c = make_client(make_single_file_app())
    assert c.get("/hello/wolf").text == "hello wolf"
    assert c.post("/hello/wolf").json() == {"posted": "wolf"}
    assert c.get("/api/items/7").json() == {"id": 7}
    assert c.get("/api/items/x").status_code == 404
    r = c.post("/api/items", json={"a": 1})
    assert (r.status_code, r.json()) == (201, {"created": {"a": 1}})
    assert c.get("/static-path/a/b").text == "a/b"
    assert c.delete("/hello/x").headers["allow"] == "GET, HEAD, POST, OPTIONS"


def test_api_route_errors_are_json_even_for_browsers(make_client):
    c = make_client(make_single_file_app())
    r = c.post("/api/items", content=b"{not json", headers={"content-type": "application/json",
                                                             "accept": "text/html"})
    assert r.status_code == 400
    assert r.json()["error"]["status"] == 400


def test_api_route_decorator_in_a_route_file(client_for):
    c = client_for({"routes/api/todos.py": """
        from wolfpy import api_route, abort
        @api_route(status=201)
        def post(request):
            return {"title": request.json["title"]}
        @api_route
        def get(request):
            abort(404, "no todos")
    """})
    r = c.post("/api/todos", json={"title": "x"})
    assert (r.status_code, r.json()) == (201, {"title": "x"})
    assert c.get("/api/todos").json() == {"error": {"status": 404, "message": "no todos"}}


def test_api_module_flag(client_for):
    c = client_for({"routes/api/ping.py": "api = True\ndef get(request):\n    return 'pong'\n"})
    r = c.get("/api/ping")
    assert r.json() == "pong"
    assert c.delete("/api/ping").json()["error"]["status"] == 405


def test_several_apps_in_one_process(load_app, make_client, tmp_path):
    a = load_app({"routes/index.py": "def get(request):\n    return 'A'\n"})
    b_root = tmp_path / "second"
    from wolfpy import App
    (b_root / "routes").mkdir(parents=True)
    (b_root / "wolfpy.toml").write_text("[app]\nname = 'b'\n")
    (b_root / "routes" / "index.py").write_text("def get(request):\n    return 'B'\n")
    b = App(b_root)
    b.load_routes()
    assert make_client(a).get("/").text == "A"
    assert make_client(b).get("/").text == "B"
