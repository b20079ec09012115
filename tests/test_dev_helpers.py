"""Development helpers that must stay out of the way: the live-reload script goes into
whole HTML pages only, and a GET handler that returns nothing is pointed out (in debug).

Both under WSGI and ASGI.
"""
from __future__ import annotations

import logging
import re
from typing import Any, Callable

import pytest

from wolfpy import App
from wolfpy.devserver.livereload import SCRIPT, LiveReloadScript

LIVERELOAD = SCRIPT.decode()

PAGES = {
    "routes/page.py": """\
        def get(request):
            return "<!doctype html><html><body><p>page</p></body></html>"
    """,
    "routes/no_body.py": """\
        def get(request):
            return "<html><p>no body tag</p></html>"
    """,
    "routes/fragment.py": """\
        def get(request):
            return "<p>a fragment</p>"
    """,
    "routes/json_string.py": """\
        def get(request):
            return '{"ok": true}'
    """,
    "routes/plain.py": """\
        from wolfpy import Response

        def get(request):
            return Response("plain text that mentions </body>", content_type="text/plain; charset=utf-8")
    """,
    "routes/plain_tuple.py": """\
        def get(request):
            return ("plain text that mentions </body>", 200, {"content-type": "text/plain"})
    """,
}


@pytest.fixture
def dev_client(make_project: Callable[..., Any], make_client: Callable[[App], Any], monkeypatch) -> Any:
    """The project as the dev server runs it: debug on, the live-reload middleware added."""
    monkeypatch.setenv("WOLFPY_SECRET_KEY", "d" * 40)
    app = App(make_project(PAGES, "[app]\ndebug = true\n[middleware]\nbuiltin = []\n"))
    app.load_routes()
    app.add_middleware(LiveReloadScript())
    app.freeze()
    return make_client(app)


def test_whole_html_pages_get_the_script_before_body_end(dev_client):
    r = dev_client.get("/page")
    assert r.text == f"<!doctype html><html><body><p>page</p>{LIVERELOAD}</body></html>"
    r = dev_client.get("/no_body")
    assert r.text == f"<html><p>no body tag</p>{LIVERELOAD}</html>"
    assert int(r.headers["content-length"]) == len(r.content)


@pytest.mark.parametrize("path, body", [
    ("/fragment", "<p>a fragment</p>"),
    ("/json_string", '{"ok": true}'),
    ("/plain", "plain text that mentions </body>"),
    ("/plain_tuple", "plain text that mentions </body>"),
])
def test_other_responses_are_left_as_the_handler_made_them(dev_client, path, body):
    r = dev_client.get(path)
    assert r.status_code == 200
    assert r.text == body
    assert int(r.headers["content-length"]) == len(body)


# -- a GET handler that returns nothing ----------------------------------------------------

NONE_ROUTES = {
    "routes/forgot.py": """\
        from wolfpy import render

        def get(request):
            render_me = "<p>never returned</p>"
    """,
    "routes/forgot_async.py": """\
        async def get(request):
            pass
    """,
    "routes/fine.py": """\
        def get(request):
            return "<p>fine</p>"

        def post(request):
            return None
    """,
    "routes/api/ping.py": """\
        api = True

        def get(request):
            return None
    """,
}


def none_warnings(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records
            if r.name == "wolfpy" and r.levelno == logging.WARNING and "returned None" in r.getMessage()]


def test_debug_warns_once_per_handler_that_returns_none_for_get(load_app, make_client, caplog):
    client = make_client(load_app(NONE_ROUTES, "[app]\ndebug = true\n[middleware]\nbuiltin = []\n"))
    caplog.set_level(logging.WARNING, logger="wolfpy")
    for _ in range(3):
        assert client.get("/forgot").status_code == 204
    assert client.get("/forgot_async").status_code == 204
    assert client.post("/fine").status_code == 204     # not a GET: nothing to say
    assert client.get("/api/ping").status_code == 204  # an API's 204 is deliberate
    assert client.get("/fine").status_code == 200
    found = none_warnings(caplog)
    assert len(found) == 2, found
    assert re.match(r"routes/forgot\.py: get\(\) returned None for GET", found[0]), found
    assert re.match(r"routes/forgot_async\.py: get\(\) returned None for GET", found[1]), found


def test_without_debug_nothing_is_logged(load_app, make_client, caplog):
    app = load_app(NONE_ROUTES, "[app]\ndebug = false\n[middleware]\nbuiltin = []\n")
    client = make_client(app)
    caplog.set_level(logging.WARNING, logger="wolfpy")
    assert client.get("/forgot").status_code == 204
    assert none_warnings(caplog) == []


def test_app_route_handlers_are_named_too(make_client, caplog, monkeypatch):
    app = App(None, debug=True)

    @app.route("/quiet")
    def quiet(request):
        return None

    client = make_client(app)
    caplog.set_level(logging.WARNING, logger="wolfpy")
    assert client.get("/quiet").status_code == 204
    found = none_warnings(caplog)
    assert len(found) == 1 and "app.route('/quiet')" in found[0] and "quiet" in found[0], found
