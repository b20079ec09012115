"""A performance guard that a noisy machine cannot fool: Python function calls per request.

Timing tests flake; call counts do not. The budgets are the counts measured when
they were set plus a small margin: a change that adds work to the hot path fails
here and has to justify itself (and raise the budget) explicitly.
"""
from __future__ import annotations

import asyncio
import io
import sys
from typing import Any, Callable

import pytest

from wolfpy import App

# Python-level calls per request (sys.setprofile "call" events), measured then padded by ~2.
BUDGET = {
    ("wsgi", "/"): 17,
    ("wsgi", "/users/42"): 22,
    ("wsgi", "/json"): 19,
    ("wsgi", "/missing"): 22,
    ("asgi", "/"): 18,
    ("asgi", "/users/42"): 24,
    ("asgi", "/missing"): 24,
}


def make_app() -> App:
    app = App(secret_key="k" * 40)

    @app.route("/")
    def plaintext(request):
        return "Hello, World!"

    @app.route("/users/{id}")
    def user(request, id: int):
        return str(id)

    @app.route("/json")
    def js(request):
        return {"message": "Hello, World!"}

    @app.route("/async")
    async def aplaintext(request):
        return "Hello, World!"

    @app.route("/async/users/{id}")
    async def auser(request, id: int):
        return str(id)

    app.freeze()
    return app


def count_calls(fn: Callable[[], Any]) -> int:
    fn()  # warm caches (first-request work is not the steady state)
    calls = 0

    def profiler(frame: Any, event: str, arg: Any) -> None:
        nonlocal calls
        if event == "call":
            calls += 1
    sys.setprofile(profiler)
    try:
        fn()
    finally:
        sys.setprofile(None)
    return calls


def wsgi_call(app: App, path: str) -> Callable[[], Any]:
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": "", "SERVER_NAME": "x",
               "SERVER_PORT": "80", "SERVER_PROTOCOL": "HTTP/1.1", "wsgi.url_scheme": "http",
               "wsgi.input": io.BytesIO(), "wsgi.errors": sys.stderr, "HTTP_HOST": "x",
               "HTTP_ACCEPT": "*/*", "HTTP_USER_AGENT": "bench"}

    def start_response(status: str, headers: list, exc_info: Any = None) -> None:
        pass
    return lambda: app(environ, start_response)


def asgi_counts(app: App, path: str) -> int:
    scope = {"type": "http", "method": "GET", "path": path, "raw_path": path.encode(), "query_string": b"",
             "headers": [(b"host", b"x"), (b"accept", b"*/*")], "client": ("127.0.0.1", 1),
             "server": ("x", 80), "scheme": "http"}

    async def receive() -> dict:
        return {"type": "http.request", "body": b""}

    async def send(message: dict) -> None:
        pass

    async def main() -> int:
        asgi = app.asgi
        await asgi(scope, receive, send)
        calls = 0

        def profiler(frame: Any, event: str, arg: Any) -> None:
            nonlocal calls
            if event == "call" and "asyncio" not in frame.f_code.co_filename:
                calls += 1
        sys.setprofile(profiler)
        try:
            await asgi(scope, receive, send)
        finally:
            sys.setprofile(None)
        return calls
    return asyncio.run(main())


@pytest.mark.parametrize("path", ["/", "/users/42", "/json", "/missing"])
def test_wsgi_calls_per_request_within_budget(path):
    calls = count_calls(wsgi_call(make_app(), path))
    assert calls <= BUDGET[("wsgi", path)], f"{calls} Python calls for GET {path} (WSGI)"


@pytest.mark.parametrize("path", ["/", "/users/42", "/missing"])
def test_asgi_calls_per_request_within_budget(path):
    # A 404 must be answered on the event loop: a thread-pool hop would show up here
    # as dozens of concurrent.futures/threading calls.
    url = "/missing" if path == "/missing" else "/async" + (path if path != "/" else "")
    calls = asgi_counts(make_app(), url)
    assert calls <= BUDGET[("asgi", path)], f"{calls} Python calls for GET {path} (ASGI, async handler)"
