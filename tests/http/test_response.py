"""Response, cookies, redirect and send_file (docs/requests-and-responses.md)."""
from __future__ import annotations

import pytest

from wolfpy import Response, redirect

FILES = {
    "routes/cookie.py": """
        from wolfpy import Response
        def get(request):
            r = Response("set")
            r.set_cookie("theme", "dark", max_age=3600)
            r.set_cookie("plain", "1", httponly=False, samesite="Strict", secure=True)
            return r
        def delete(request):
            r = Response("gone")
            r.delete_cookie("theme")
            return r
    """,
    "routes/who.py": "def get(request):\n    return request.cookies\n",
    "routes/go.py": """
        from wolfpy import redirect
        def post(request):
            return redirect("/who", status=303)
        def get(request):
            return redirect("/who")
    """,
    "routes/file/[name].py": """
        import os
        from wolfpy import send_file
        def get(request, name):
            allowed = {"data.txt"}
            if name not in allowed:
                from wolfpy import abort
                abort(404)
            return send_file(os.path.join(request.app.project.root, "files", name))
    """,
    "files/data.txt": "0123456789" * 10,
}


@pytest.fixture
def client(client_for):
    return client_for(FILES)


def test_cookies_are_httponly_and_samesite_lax_by_default(client):
    r = client.get("/cookie")
    theme, plain = r.headers.getlist("set-cookie")
    assert theme.startswith("theme=dark; Max-Age=3600; Expires=")
    assert "HttpOnly" in theme and "SameSite=Lax" in theme and "Path=/" in theme
    assert "HttpOnly" not in plain and "SameSite=Strict" in plain and "Secure" in plain


def test_cookie_jar_round_trip_and_delete(client):
    client.get("/cookie")
    assert client.get("/who").json() == {"theme": "dark", "plain": "1"}
    r = client.delete("/cookie")
    assert "Max-Age=0" in r.headers["set-cookie"]
    assert client.get("/who").json() == {"plain": "1"}


def test_redirects(client):
    r = client.post("/go")
    assert (r.status_code, r.headers["location"]) == (303, "/who")
    assert client.get("/go").status_code == 302


def test_redirect_rejects_header_injection():
    # redirect() percent-encodes: a line break can never start another header.
    assert redirect("/x\r\nSet-Cookie: a=b").headers["location"] == "/x%0D%0ASet-Cookie:%20a=b"
    with pytest.raises(ValueError):
        Response("x", headers={"x-a": "1\r\nx-b: 2"})
    with pytest.raises(ValueError):
        Response("x").set_cookie("a", "b;c")


def test_send_file_with_etag_and_304(client):
    r = client.get("/file/data.txt")
    assert r.status_code == 200
    assert r.content == b"0123456789" * 10
    assert r.headers["content-type"] == "text/plain; charset=utf-8"
    assert r.headers["content-length"] == "100"
    etag, modified = r.headers["etag"], r.headers["last-modified"]
    not_modified = client.get("/file/data.txt", headers={"if-none-match": etag})
    assert not_modified.status_code == 304 and not_modified.content == b""
    assert "content-length" not in not_modified.headers
    assert client.get("/file/data.txt", headers={"if-modified-since": modified}).status_code == 304
    assert client.get("/file/data.txt", headers={"if-none-match": '"other"'}).status_code == 200


@pytest.mark.parametrize("header, status, body, content_range", [
    ("bytes=0-4", 206, b"01234", "bytes 0-4/100"),
    ("bytes=95-", 206, b"56789", "bytes 95-99/100"),
    ("bytes=-3", 206, b"789", "bytes 97-99/100"),
    ("bytes=90-200", 206, b"0123456789", "bytes 90-99/100"),
    ("bytes=100-", 416, b"", "bytes */100"),
    ("bytes=0-1,3-4", 200, b"0123456789" * 10, None),   # multiple ranges: the whole file
    ("chars=0-4", 200, b"0123456789" * 10, None),
])
def test_send_file_ranges(client, header, status, body, content_range):
    r = client.get("/file/data.txt", headers={"range": header})
    assert r.status_code == status
    assert r.content == body
    assert r.headers.get("content-range") == content_range


def test_head_on_a_file_sends_no_body(client):
    r = client.head("/file/data.txt")
    assert r.status_code == 200 and r.content == b"" and r.headers["content-length"] == "100"


def test_response_headers_are_case_insensitive():
    r = Response("x", headers={"X-A": "1"})
    r.headers["x-a"] = "2"
    assert r.headers["X-A"] == "2"
    r.headers.add("Vary", "Cookie")
    r.headers.add("vary", "Accept")
    assert r.headers.getlist("VARY") == ["Cookie", "Accept"]
    del r.headers["vary"]
    assert "Vary" not in r.headers
