"""The benchmark applications: the same handful of endpoints in every framework.

Every builder returns ``{case_name: app}`` (a WSGI or ASGI callable) for the cases it
serves, and raises ``ImportError`` when its framework is not installed.

Endpoints (identical behaviour everywhere, checked before timing by run.py):

    GET  /                 -> "Hello, World!"
    GET  /users/{id}       -> the id as text
    GET  /json             -> {"message": "Hello, World!"}
    POST /form             -> the 5 urlencoded fields joined with "|"
    GET  /r{i}/{id}        -> the id as text, in a separate app with 1,000 such routes
    GET  /page             -> a Mako page of 50 escaped items (WolfPy only)

The bare WSGI/ASGI callables are the floor: a hand-written ``if``/dict dispatch with
no framework at all. The module imports nothing but the standard library at the top, so
``e2e.py`` can serve ``apps:bare_wsgi`` / ``apps:bare_asgi`` directly.
"""
from __future__ import annotations

import json
import os
import shutil
import tempfile
import textwrap
from pathlib import Path
from typing import Any, Callable
from urllib.parse import parse_qsl

N_ROUTES = 1000
HELLO = "Hello, World!"
HELLO_BYTES = HELLO.encode()
JSON_DOC = {"message": HELLO}
FORM_FIELDS = ("name", "email", "age", "city", "comment")
SECRET_KEY = "bench-secret-key-" + "x" * 40

TEXT_PLAIN = "text/plain; charset=utf-8"

# 50 items that all need escaping, rendered by the Mako case.
MAKO_ITEMS = [f"<item {i}> & \"quoted\" 'text' {i * 7}" for i in range(50)]
MAKO_TITLE = "Items <&>"
MAKO_TEMPLATE = """\
<!doctype html>
<html><head><meta charset="utf-8"><title>${title}</title></head>
<body>
<h1>${title}</h1>
<ul>
% for item in items:
  <li>${item}</li>
% endfor
</ul>
</body></html>
"""


def form_response(values: list[str]) -> str:
    return "|".join(values)


# ---------------------------------------------------------------------------------
# Bare callables: the floor. Minimal but correct (status, content-type, length).
# ---------------------------------------------------------------------------------
_H_TEXT = ("Content-Type", TEXT_PLAIN)
_H_JSON = ("Content-Type", "application/json")


def bare_wsgi(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
    """Plaintext, param, JSON, form and 404 in one hand-dispatched WSGI callable."""
    path = environ["PATH_INFO"]
    method = environ["REQUEST_METHOD"]
    if path == "/" and method == "GET":
        body, ctype, status = HELLO_BYTES, _H_TEXT, "200 OK"
    elif path == "/json" and method == "GET":
        body, ctype, status = json.dumps(JSON_DOC).encode(), _H_JSON, "200 OK"
    elif path[:7] == "/users/" and method == "GET" and "/" not in path[7:] and len(path) > 7:
        body, ctype, status = path[7:].encode(), _H_TEXT, "200 OK"
    elif path == "/form" and method == "POST":
        length = int(environ.get("CONTENT_LENGTH") or 0)
        data = environ["wsgi.input"].read(length).decode()
        form = dict(parse_qsl(data, keep_blank_values=True))
        body = form_response([form[k] for k in FORM_FIELDS]).encode()
        ctype, status = _H_TEXT, "200 OK"
    else:
        body, ctype, status = b"Not Found", _H_TEXT, "404 Not Found"
    start_response(status, [ctype, ("Content-Length", str(len(body)))])
    return [body]


def make_bare_wsgi_many(n: int = N_ROUTES) -> Callable[..., Any]:
    """A WSGI callable with ``n`` routes ``/r{i}/{id}``: one dict lookup on the first segment."""
    def make(i: int) -> Callable[[str], bytes]:
        return lambda ident: ident.encode()
    table = {f"r{i}": make(i) for i in range(n)}

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        parts = environ["PATH_INFO"].split("/")
        handler = table.get(parts[1]) if len(parts) == 3 and parts[2] else None
        if handler is None or environ["REQUEST_METHOD"] != "GET":
            body, status = b"Not Found", "404 Not Found"
        else:
            body, status = handler(parts[2]), "200 OK"
        start_response(status, [_H_TEXT, ("Content-Length", str(len(body)))])
        return [body]
    return app


_A_TEXT = (b"content-type", TEXT_PLAIN.encode())
_A_JSON = (b"content-type", b"application/json")


async def _asgi_reply(send: Callable[..., Any], status: int, ctype: tuple[bytes, bytes], body: bytes) -> None:
    await send({"type": "http.response.start", "status": status,
                "headers": [ctype, (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


async def bare_asgi(scope: dict[str, Any], receive: Callable[..., Any], send: Callable[..., Any]) -> None:
    """The ASGI twin of :func:`bare_wsgi` (lifespan answered, so servers start quietly)."""
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    path = scope["path"]
    method = scope["method"]
    if path == "/" and method == "GET":
        await _asgi_reply(send, 200, _A_TEXT, HELLO_BYTES)
    elif path == "/json" and method == "GET":
        await _asgi_reply(send, 200, _A_JSON, json.dumps(JSON_DOC).encode())
    elif path[:7] == "/users/" and method == "GET" and "/" not in path[7:] and len(path) > 7:
        await _asgi_reply(send, 200, _A_TEXT, path[7:].encode())
    elif path == "/form" and method == "POST":
        chunks = []
        more = True
        while more:
            message = await receive()
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        form = dict(parse_qsl(b"".join(chunks).decode(), keep_blank_values=True))
        await _asgi_reply(send, 200, _A_TEXT, form_response([form[k] for k in FORM_FIELDS]).encode())
    else:
        await _asgi_reply(send, 404, _A_TEXT, b"Not Found")


def make_bare_asgi_many(n: int = N_ROUTES) -> Callable[..., Any]:
    table = {f"r{i}": (lambda ident: ident.encode()) for i in range(n)}

    async def app(scope: dict[str, Any], receive: Callable[..., Any], send: Callable[..., Any]) -> None:
        parts = scope["path"].split("/")
        handler = table.get(parts[1]) if len(parts) == 3 and parts[2] else None
        if handler is None or scope["method"] != "GET":
            await _asgi_reply(send, 404, _A_TEXT, b"Not Found")
        else:
            await _asgi_reply(send, 200, _A_TEXT, handler(parts[2]))
    return app


# ---------------------------------------------------------------------------------
# WolfPy: file-routed projects generated in a temp dir, loaded with wolfpy.load.
# ---------------------------------------------------------------------------------
_TOML_NO_MW = """\
[app]
name = "bench"
secret_key = "{key}"

[middleware]
builtin = []
"""
_TOML_DEFAULT = """\
[app]
name = "bench"
secret_key = "{key}"
"""


def _route_sources(is_async: bool) -> dict[str, str]:
    d = "async def" if is_async else "def"
    fields = ", ".join(repr(f) for f in FORM_FIELDS)
    return {
        "routes/index.py": f"""
            {d} get(request):
                return "Hello, World!"
            """,
        "routes/users/[id].py": f"""
            {d} get(request, id):
                return id
            """,
        "routes/json.py": f"""
            {d} get(request):
                return {{"message": "Hello, World!"}}
            """,
        "routes/form.py": f"""
            FIELDS = ({fields})

            {d} post(request):
                form = request.form
                return "|".join([form[name] for name in FIELDS])
            """,
        "routes/page.py": f"""
            from wolfpy import render

            ITEMS = {MAKO_ITEMS!r}

            {d} get(request):
                return render("page.html", title={MAKO_TITLE!r}, items=ITEMS)
            """,
        "templates/page.html": MAKO_TEMPLATE,
    }


def _write_project(root: Path, files: dict[str, str], toml: str) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "wolfpy.toml").write_text(toml.format(key=SECRET_KEY))
    (root / "routes").mkdir(exist_ok=True)
    for rel, source in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(source) if rel.endswith(".py") else source)
    return root


class Workspace:
    """A temp dir holding the generated WolfPy projects; removed by :meth:`cleanup`."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="wolfpy-bench-"))

    def project(self, name: str, files: dict[str, str], toml: str = _TOML_NO_MW) -> Path:
        return _write_project(self.root / name, files, toml)

    def cleanup(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


def write_core_project(ws: Workspace, is_async: bool) -> Path:
    return ws.project("core_async" if is_async else "core_sync", _route_sources(is_async))


def write_many_project(ws: Workspace, is_async: bool, n: int = N_ROUTES) -> Path:
    d = "async def" if is_async else "def"
    files = {f"routes/r{i}/[id].py": f"{d} get(request, id):\n    return id\n" for i in range(n)}
    return ws.project(f"many_{'async' if is_async else 'sync'}", files)


def write_default_mw_project(ws: Workspace, is_async: bool) -> Path:
    """Plaintext ``/`` with the default settings, i.e. the default built-in middleware."""
    d = "async def" if is_async else "def"
    files = {"routes/index.py": f'{d} get(request):\n    return "Hello, World!"\n'}
    return ws.project(f"defaultmw_{'async' if is_async else 'sync'}", files, _TOML_DEFAULT)


def load_default_project(ws: Workspace) -> Any:
    """The app of a fresh default project, as ``wolfpy new`` writes it, in production mode
    (``WOLFPY_APP_DEBUG=false``, the benchmark's host allowed, as a deployment sets them).

    Raises LookupError (with the reason) when this WolfPy cannot make one yet.
    """
    import wolfpy
    dest = ws.root / "default_project"
    try:
        from wolfpy.scaffold import create_project
    except ImportError:
        raise LookupError("this WolfPy has no `wolfpy new` (wolfpy.scaffold) yet") from None
    try:
        create_project(dest, "benchsite")
    except Exception as exc:
        raise LookupError(f"`wolfpy new` failed: {type(exc).__name__}: {exc}") from None
    saved = {k: os.environ.get(k) for k in ("WOLFPY_SECRET_KEY", "WOLFPY_APP_DEBUG", "WOLFPY_APP_ALLOWED_HOSTS")}
    os.environ["WOLFPY_SECRET_KEY"] = SECRET_KEY
    os.environ["WOLFPY_APP_DEBUG"] = "false"
    os.environ["WOLFPY_APP_ALLOWED_HOSTS"] = "127.0.0.1"  # the benchmark's Host, as a deployment names its own
    try:
        return wolfpy.load(dest)
    except Exception as exc:
        raise LookupError(f"the default project does not load: {type(exc).__name__}: {exc}") from None
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def wolfpy_apps(ws: Workspace) -> dict[str, dict[str, Any]]:
    """``{"wsgi": {...}, "asgi": {...}}``: WolfPy's apps per case."""
    import wolfpy
    out: dict[str, dict[str, Any]] = {"wsgi": {}, "asgi": {}}
    for is_async, kind in ((False, "wsgi"), (True, "asgi")):
        core = wolfpy.load(write_core_project(ws, is_async))
        many = wolfpy.load(write_many_project(ws, is_async))
        dmw = wolfpy.load(write_default_mw_project(ws, is_async))
        if kind == "asgi":
            core, many, dmw = core.asgi, many.asgi, dmw.asgi
        for case in ("plaintext", "param", "json", "404", "form", "mako"):
            out[kind][case] = core
        out[kind]["first1000"] = out[kind]["last1000"] = many
        out[kind]["plaintext_default_mw"] = dmw
    return out


# ---------------------------------------------------------------------------------
# Peers. Each idiomatic for its framework; plaintext is text/plain where the
# framework makes that the natural choice.
# ---------------------------------------------------------------------------------
CORE_CASES = ("plaintext", "param", "json", "404", "form")


def _spread(core: Any, many: Any) -> dict[str, Any]:
    out = {c: core for c in CORE_CASES}
    out["first1000"] = out["last1000"] = many
    return out


def bare_apps() -> dict[str, dict[str, Any]]:
    return {"wsgi": _spread(bare_wsgi, make_bare_wsgi_many()),
            "asgi": _spread(bare_asgi, make_bare_asgi_many())}


def falcon_wsgi() -> dict[str, Any]:
    import falcon

    class Plain:
        def on_get(self, req: Any, resp: Any) -> None:
            resp.content_type = falcon.MEDIA_TEXT
            resp.text = HELLO

    class User:
        def on_get(self, req: Any, resp: Any, id: str) -> None:
            resp.content_type = falcon.MEDIA_TEXT
            resp.text = id

    class Json:
        def on_get(self, req: Any, resp: Any) -> None:
            resp.media = {"message": HELLO}

    class Form:
        def on_post(self, req: Any, resp: Any) -> None:
            form = req.get_media()
            resp.content_type = falcon.MEDIA_TEXT
            resp.text = form_response([form[k] for k in FORM_FIELDS])

    app = falcon.App()
    app.add_route("/", Plain())
    app.add_route("/users/{id}", User())
    app.add_route("/json", Json())
    app.add_route("/form", Form())
    many = falcon.App()
    for i in range(N_ROUTES):
        many.add_route(f"/r{i}/{{id}}", User())
    return _spread(app, many)


def falcon_asgi() -> dict[str, Any]:
    import falcon
    import falcon.asgi

    class Plain:
        async def on_get(self, req: Any, resp: Any) -> None:
            resp.content_type = falcon.MEDIA_TEXT
            resp.text = HELLO

    class User:
        async def on_get(self, req: Any, resp: Any, id: str) -> None:
            resp.content_type = falcon.MEDIA_TEXT
            resp.text = id

    class Json:
        async def on_get(self, req: Any, resp: Any) -> None:
            resp.media = {"message": HELLO}

    class Form:
        async def on_post(self, req: Any, resp: Any) -> None:
            form = await req.get_media()
            resp.content_type = falcon.MEDIA_TEXT
            resp.text = form_response([form[k] for k in FORM_FIELDS])

    app = falcon.asgi.App()
    app.add_route("/", Plain())
    app.add_route("/users/{id}", User())
    app.add_route("/json", Json())
    app.add_route("/form", Form())
    many = falcon.asgi.App()
    for i in range(N_ROUTES):
        many.add_route(f"/r{i}/{{id}}", User())
    return _spread(app, many)


def starlette() -> dict[str, Any]:
    from starlette.applications import Starlette
    from starlette.responses import JSONResponse, PlainTextResponse
    from starlette.routing import Route

    async def plain(request: Any) -> Any:
        return PlainTextResponse(HELLO)

    async def user(request: Any) -> Any:
        return PlainTextResponse(request.path_params["id"])

    async def as_json(request: Any) -> Any:
        return JSONResponse({"message": HELLO})

    async def form(request: Any) -> Any:
        async with request.form() as data:
            return PlainTextResponse(form_response([data[k] for k in FORM_FIELDS]))

    app = Starlette(routes=[
        Route("/", plain), Route("/users/{id}", user), Route("/json", as_json),
        Route("/form", form, methods=["POST"]),
    ])
    many = Starlette(routes=[Route(f"/r{i}/{{id}}", user) for i in range(N_ROUTES)])
    return _spread(app, many)


def flask() -> dict[str, Any]:
    from flask import Flask, request

    app = Flask("bench_flask")

    @app.get("/")
    def plain() -> Any:
        return HELLO, 200, {"Content-Type": TEXT_PLAIN}

    @app.get("/users/<id>")
    def user(id: str) -> Any:
        return id, 200, {"Content-Type": TEXT_PLAIN}

    @app.get("/json")
    def as_json() -> Any:
        return {"message": HELLO}

    @app.post("/form")
    def form() -> Any:
        f = request.form
        return form_response([f[k] for k in FORM_FIELDS]), 200, {"Content-Type": TEXT_PLAIN}

    many = Flask("bench_flask_many")
    for i in range(N_ROUTES):
        many.add_url_rule(f"/r{i}/<id>", f"r{i}", user)
    return _spread(app, many)


def bottle() -> dict[str, Any]:
    import bottle as b

    app = b.Bottle()

    @app.get("/")
    def plain() -> Any:
        b.response.content_type = TEXT_PLAIN
        return HELLO

    def user(id: str) -> Any:
        b.response.content_type = TEXT_PLAIN
        return id
    app.get("/users/<id>", callback=user)

    @app.get("/json")
    def as_json() -> Any:
        return {"message": HELLO}

    @app.post("/form")
    def form() -> Any:
        f = b.request.forms
        b.response.content_type = TEXT_PLAIN
        return form_response([f.get(k) for k in FORM_FIELDS])

    many = b.Bottle()
    for i in range(N_ROUTES):
        many.get(f"/r{i}/<id>", callback=user)
    return _spread(app, many)


def mako_direct() -> Callable[[], str]:
    """The bare render the Mako case is measured against: one compiled Template, no framework.
    Same settings as WolfPy's lookup: every ``${}`` HTML-escaped, strict undefined."""
    from mako.template import Template
    template = Template(MAKO_TEMPLATE, default_filters=["h"], strict_undefined=True)
    items, title = MAKO_ITEMS, MAKO_TITLE

    def render() -> str:
        return template.render(title=title, items=items)
    return render
