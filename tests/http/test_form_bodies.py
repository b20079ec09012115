"""How a form's body reaches the parser: read in one call when its length is declared and
short, through the bounded reader otherwise, under WSGI and ASGI, with the same answer."""
from __future__ import annotations

import asyncio
import io
import json
import sys
from typing import Any

import pytest

FORM = "application/x-www-form-urlencoded"
ROUTES = {
    "routes/f.py": """
        def post(request):
            return {"form": request.form.to_dict(flat=False), "files": len(request.files),
                    "body": len(request.body)}
    """,
    "routes/bf.py": """
        def post(request):
            size = len(request.body)
            return {"form": request.form.to_dict(flat=False), "body": size}
    """,
    "routes/raw.py": """
        def post(request):
            return {"body": len(request.body), "again": len(request.body)}
    """,
}
BIG = b"a=1&big=" + b"x" * 100_000 + b"&b=%E2%82%AC"      # over one 64 KiB read


class SocketLike:
    """A wsgi.input that gives at most ``step`` bytes per read, as a socket may."""

    def __init__(self, data: bytes, step: int) -> None:
        self.data, self.pos, self.step = data, 0, step

    def read(self, n: int = -1) -> bytes:
        n = len(self.data) - self.pos if n < 0 else n
        chunk = self.data[self.pos:self.pos + min(n, self.step)]
        self.pos += len(chunk)
        return chunk


def wsgi_post(app: Any, path: str, stream: Any, length: int, **extra: str) -> tuple[str, Any]:
    environ = {"REQUEST_METHOD": "POST", "PATH_INFO": path, "QUERY_STRING": "", "SERVER_NAME": "x",
               "SERVER_PORT": "80", "SERVER_PROTOCOL": "HTTP/1.1", "wsgi.url_scheme": "http",
               "wsgi.input": stream, "wsgi.errors": sys.stderr, "HTTP_HOST": "x",
               "CONTENT_TYPE": FORM, "CONTENT_LENGTH": str(length), **extra}
    seen: list[str] = []
    body = b"".join(app(environ, lambda status, headers, exc=None: seen.append(status)))
    return seen[0], json.loads(body) if seen[0].startswith("200") else body


def asgi_post(app: Any, path: str, messages: list[Any], headers: list[tuple[bytes, bytes]] | None = None,
              declared: bool = True) -> tuple[int, Any]:
    length = str(sum(len(m) for m in messages)).encode()
    framing = (b"content-length", length) if declared else (b"transfer-encoding", b"chunked")
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
             "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
             "server": ("x", 80), "client": ("127.0.0.1", 1),
             "headers": [(b"host", b"x"), (b"content-type", FORM.encode()), framing] + (headers or [])}
    queue = [{"type": "http.request", "body": m, "more_body": i < len(messages) - 1}
             for i, m in enumerate(messages)]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return queue.pop(0) if queue else {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(app.asgi(scope, receive, send))
    status = sent[0]["status"]
    body = b"".join(m.get("body", b"") for m in sent[1:])
    return status, json.loads(body) if status == 200 else body


@pytest.mark.parametrize("body", [b"a=1&b=x+y&b=%E2%82%AC", BIG], ids=["short", "over-64k"])
@pytest.mark.parametrize("step", [3, 1 << 20])
def test_wsgi_form_from_a_stream_that_gives_a_few_bytes_per_read(load_app, body: bytes, step: int) -> None:
    app = load_app(ROUTES, toml="[app]\ndebug = false\nmax_body_size = 1000000\n")
    status, got = wsgi_post(app, "/f", SocketLike(body, step), len(body))
    assert status == "200 OK"
    assert got["body"] == len(body) and got["files"] == 0
    expected = {"a": ["1"], "b": ["x y", "€"]} if body is not BIG else {"a": ["1"], "big": ["x" * 100_000],
                                                                          "b": ["€"]}
    assert got["form"] == expected


def test_wsgi_body_shorter_than_declared_is_what_arrived(load_app) -> None:
    app = load_app(ROUTES)
    status, got = wsgi_post(app, "/bf", io.BytesIO(b"a=1&b=2"), 100)
    assert status == "200 OK" and got == {"form": {"a": ["1"], "b": ["2"]}, "body": 7}


def test_wsgi_body_read_twice_is_the_same(load_app) -> None:
    app = load_app(ROUTES)
    assert wsgi_post(app, "/raw", io.BytesIO(b"a=1"), 3) == ("200 OK", {"body": 3, "again": 3})


@pytest.mark.parametrize("messages", [
    [b"a=1&b=x+y&b=%E2%82%AC"],
    [b"a=1&b=x", b"+y&b=%E2", b"%82%AC"],
    [bytearray(b"a=1&b=x+y&b=%E2%82%AC")],
    [b"", b"a=1&b=x+y&b=%E2%82%AC", b""],
], ids=["one message", "three messages", "bytearray", "empty messages around"])
def test_asgi_form_in_one_or_several_messages(load_app, messages: list[Any]) -> None:
    app = load_app(ROUTES)
    status, got = asgi_post(app, "/f", messages)
    assert status == 200
    assert got == {"form": {"a": ["1"], "b": ["x y", "€"]}, "files": 0, "body": 21}


def test_asgi_one_message_over_the_spool_size(load_app) -> None:
    app = load_app(ROUTES, toml="[app]\ndebug = false\nmax_body_size = 3000000\n")
    body = b"a=" + b"x" * (1024 * 1024 + 10)
    assert asgi_post(app, "/raw", [body]) == (200, {"body": len(body), "again": len(body)})


@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "chunked"])
def test_asgi_one_message_over_the_body_limit_is_413(load_app, declared: bool) -> None:
    app = load_app(ROUTES, toml="[app]\ndebug = false\nmax_body_size = 100\n")
    assert asgi_post(app, "/f", [b"a=" + b"x" * 98], declared=declared)[0] == 200
    status, body = asgi_post(app, "/f", [b"a=" + b"x" * 99], declared=declared)
    assert status == 413 and b"over the limit of 100 bytes" in body


def test_encoded_form_body_is_415_under_both_adapters(load_app) -> None:
    app = load_app(ROUTES)
    status, body = wsgi_post(app, "/f", io.BytesIO(b"a=1"), 3, HTTP_CONTENT_ENCODING="gzip")
    assert status.startswith("415") and b"Content-Encoding" in body
    status, body = asgi_post(app, "/f", [b"a=1"], [(b"content-encoding", b"gzip")])
    assert status == 415 and b"Content-Encoding" in body
    assert wsgi_post(app, "/raw", io.BytesIO(b"a=1"), 3, HTTP_CONTENT_ENCODING="identity")[0] == "200 OK"
    assert asgi_post(app, "/raw", [b"a=1"], [(b"content-encoding", b"identity")])[0] == 200


@pytest.mark.parametrize("ctype, parsed", [
    (FORM, True), (FORM + "; charset=UTF-8", True), ("Application/X-WWW-Form-Urlencoded", True),
    (" " + FORM + " ;charset=utf-8", True), ("text/plain", False), ("", False),
])
def test_form_content_types(client_for, ctype: str, parsed: bool) -> None:
    c = client_for(ROUTES)
    r = c.post("/f", content=b"a=1&b=2", headers={"content-type": ctype} if ctype else {})
    assert r.status_code == 200
    assert r.json()["form"] == ({"a": ["1"], "b": ["2"]} if parsed else {})


def test_asgi_two_content_types_take_the_general_path(load_app) -> None:
    """Two Content-Type fields are joined, as any repeated header is: not a form, and the
    body is still read whole, twice alike."""
    app = load_app(ROUTES)
    status, got = asgi_post(app, "/f", [b"a=1"], [(b"content-type", FORM.encode())])
    assert status == 200 and got == {"form": {}, "files": 0, "body": 3}
    assert asgi_post(app, "/raw", [b"a=1"], [(b"content-type", FORM.encode())]) == (200, {"body": 3, "again": 3})
