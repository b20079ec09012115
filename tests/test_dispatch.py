"""One app-wide chain: every response, errors included, passes out through the app-wide
middleware; a route's own middleware still sees the exceptions raised inside it."""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Callable

import pytest

from wolfpy import App, Hooks, Response, abort
from wolfpy.testing import TestClient

ROUTES = {
    "routes/about.py": "def get(request):\n    return 'about'\n",
    "routes/boom.py": "def get(request):\n    raise RuntimeError('boom')\n",
    "routes/aboom.py": "async def get(request):\n    raise RuntimeError('boom')\n",
    "routes/items/[id].py": "def get(request, id: int):\n    return str(id)\n",
    "routes/admin/_middleware.py": """
        from wolfpy import abort
        def middleware(request, call_next):
            if not request.headers.get("x-token"):
                abort(403)
            return call_next(request)
    """,
    "routes/admin/index.py": "def get(request):\n    return 'admin'\n",
    "routes/catalogue/_middleware.py": """
        from wolfpy import Response
        def middleware(request, call_next):
            try:
                return call_next(request)
            except LookupError:
                return Response("not in the catalogue", status=404)
    """,
    "routes/catalogue/[item].py": "def get(request, item):\n    return {'a': 'one'}[item]\n",
}
TOML = ("[app]\ndebug = false\nmax_body_size = 10\n"
        "[middleware]\nbuiltin = ['request_id', 'security_headers']\n")


def stamp(request: Any, call_next: Callable[[Any], Response]) -> Response:
    response = call_next(request)
    response.headers.add("x-stamp", "sync")
    return response


async def astamp(request: Any, call_next: Any) -> Response:
    response = await call_next(request)
    response.headers.add("x-stamp", "async")
    return response


@pytest.fixture
def client(make_project: Callable[..., Path], make_client: Callable[[App], TestClient],
           monkeypatch: pytest.MonkeyPatch) -> TestClient:
    monkeypatch.setenv("WOLFPY_SECRET_KEY", "k" * 40)
    app = App(make_project(ROUTES, TOML))
    app.load_routes()
    app.add_middleware(stamp)
    app.add_middleware(astamp)
    return make_client(app)


def test_every_dispatched_response_passes_out_through_app_middleware(client: TestClient) -> None:
    responses = {
        "ok": client.get("/about"),
        "404": client.get("/missing"),
        "param 404": client.get("/items/abc"),
        "308": client.get("/about/?x=1"),
        "405": client.post("/about"),
        "500": client.get("/boom"),
        "async 500": client.get("/aboom"),
        "403 from _middleware.py": client.get("/admin"),
    }
    statuses = {name: r.status_code for name, r in responses.items()}
    assert statuses == {"ok": 200, "404": 404, "param 404": 404, "308": 308, "405": 405, "500": 500,
                        "async 500": 500, "403 from _middleware.py": 403}
    for name, r in responses.items():
        assert r.headers.getlist("x-stamp") == ["async", "sync"], name
        assert r.headers["x-content-type-options"] == "nosniff", name
        assert len(r.headers["x-request-id"]) == 32, name
    assert responses["308"].headers["location"] == "/about?x=1"


def test_a_request_refused_before_dispatch_gets_only_the_after_steps(client: TestClient) -> None:
    r = client.post("/about", content=b"x" * 11)
    assert r.status_code == 413
    assert r.headers["x-content-type-options"] == "nosniff" and len(r.headers["x-request-id"]) == 32
    assert "x-stamp" not in r.headers  # middleware functions never see a request that was not dispatched


def test_a_route_middleware_still_catches_the_handlers_exception(client: TestClient) -> None:
    r = client.get("/catalogue/b")
    assert (r.status_code, r.text) == (404, "not in the catalogue")
    assert r.headers.getlist("x-stamp") == ["async", "sync"]
    assert client.get("/catalogue/a").text == "one"


def test_an_error_raised_by_app_middleware_passes_out_through_the_layers_outside_it(
        make_project: Callable[..., Path], make_client: Callable[[App], TestClient],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WOLFPY_SECRET_KEY", "k" * 40)
    app = App(make_project(ROUTES, TOML))
    app.load_routes()

    def block(request: Any, call_next: Any) -> Response:
        if request.headers.get("x-block"):
            abort(429, "slow down")
        if request.headers.get("x-crash"):
            raise KeyError("crash")
        return call_next(request)
    app.add_middleware(stamp)
    app.add_middleware(block)
    c = make_client(app)
    for headers, status in (({"x-block": "1"}, 429), ({"x-crash": "1"}, 500), ({}, 200)):
        r = c.get("/about", headers=headers)
        assert r.status_code == status
        assert r.headers["x-stamp"] == "sync" and r.headers["x-content-type-options"] == "nosniff"


def test_an_error_in_a_builtin_before_step_gets_every_builtin_after_step(client_for: Any) -> None:
    c = client_for({"routes/index.py": "def get(request):\n    return 'ok'\n"},
                   toml="[app]\nallowed_hosts = ['good.example']\n"
                        "[middleware]\nbuiltin = ['request_id', 'allowed_hosts', 'security_headers']\n")
    r = c.get("/", headers={"host": "evil.example"})
    assert r.status_code == 400
    assert r.headers["x-content-type-options"] == "nosniff" and len(r.headers["x-request-id"]) == 32
    assert c.get("/", headers={"host": "good.example"}).status_code == 200


class Tag(Hooks):
    def __init__(self, name: str, answer: bool = False) -> None:
        self.tag, self.answer = name, answer

    def before(self, request: Any) -> Response | None:
        request.state.setdefault("befores", []).append(self.tag)
        if self.answer and request.headers.get("x-answer"):
            return Response("early", status=503)
        return None

    def after(self, request: Any, response: Response) -> Response:
        response.headers.add("x-after", self.tag)
        return response


def test_hooks_answering_early_skip_the_inner_layers(make_project: Callable[..., Path],
                                                    make_client: Callable[[App], TestClient],
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WOLFPY_SECRET_KEY", "k" * 40)
    app = App(make_project({"routes/index.py": "def get(request):\n    return ','.join(request.state['befores'])\n"},
                           "[middleware]\nbuiltin = []\n"))
    app.load_routes()
    for hooks in (Tag("a"), Tag("b", answer=True), Tag("c")):
        app.add_middleware(hooks)
    c = make_client(app)
    r = c.get("/")
    assert r.text == "a,b,c" and r.headers.getlist("x-after") == ["c", "b", "a"]
    r = c.get("/", headers={"x-answer": "1"})
    assert (r.status_code, r.text) == (503, "early") and r.headers.getlist("x-after") == ["b", "a"]


def test_a_failing_after_step_is_a_500_that_still_gets_the_builtin_headers(
        make_project: Callable[..., Path], make_client: Callable[[App], TestClient],
        monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setenv("WOLFPY_SECRET_KEY", "k" * 40)
    app = App(make_project({"routes/index.py": "def get(request):\n    return 'ok'\n"}, TOML))
    app.load_routes()

    class Broken(Hooks):
        def after(self, request: Any, response: Response) -> Response:
            raise ValueError("broken after step")
    app.add_middleware(Broken())
    with caplog.at_level(logging.ERROR, logger="wolfpy"):
        r = make_client(app).get("/")
    assert r.status_code == 500
    assert r.headers["x-content-type-options"] == "nosniff" and len(r.headers["x-request-id"]) == 32
    assert "broken after step" in caplog.text


def test_a_url_that_is_not_utf8_is_a_400_with_the_builtin_headers(client: TestClient) -> None:
    r = client.get("/items/%ff")
    assert r.status_code == 400
    assert r.headers["x-content-type-options"] == "nosniff" and len(r.headers["x-request-id"]) == 32
    r = client.get("/items/%ff/")  # the trailing-slash check decodes it too
    assert r.status_code == 400 and r.headers.getlist("x-stamp") == ["async", "sync"]
