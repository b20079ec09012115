"""The admin with a FileField over real HTTP: the add form takes a file (multipart, CSRF),
the change list and the change form link to it, a replacement deletes the old file after
the commit, and a file of a type [storage] refuses is a field error."""
from __future__ import annotations

import http.client
import re
import uuid
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

from tests.test_auth_generators import new_project, ok

from .conftest import HOST, Server
from .test_auth_flow import Jar
from .upload_project import PNG, stored_files

pytestmark = pytest.mark.e2e

PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    with pytest.MonkeyPatch.context() as mp:
        for key in ("DATABASE_URL", "WOLFPY_DATABASE_URL", "WOLFPY_APP_DEBUG", "WOLFPY_SECRET_KEY"):
            mp.delenv(key, raising=False)
        root = new_project(tmp_path_factory.mktemp("upadmin"), "site")
        ok("generate", "auth", cwd=root)
        ok("generate", "model", "Doc", "title:str", "file:str", cwd=root)
        model = root / "models" / "doc.py"
        text = model.read_text()
        text = re.sub(r"file = CharField\([^)]*\)", "file = FileField()", text)
        model.write_text(text.replace("from wolfpy.db import ", "from wolfpy.db import FileField, "))
        ok("db", "migrate", "--yes", cwd=root)
        ok("create", "user", "boss", "--password", PASSWORD, "--admin", cwd=root)
        yield root


def post_multipart(server: Server, jar: Jar, path: str, fields: dict[str, str],
                   file: tuple[str, bytes, str] | None) -> tuple[int, dict[str, str], str]:
    boundary = uuid.uuid4().hex
    body = b""
    for key, value in fields.items():
        body += f"--{boundary}\r\nContent-Disposition: form-data; name=\"{key}\"\r\n\r\n{value}\r\n".encode()
    if file is not None:
        name, data, ctype = file
        body += (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n"
                 f"Content-Type: {ctype}\r\n\r\n").encode() + data + b"\r\n"
    body += f"--{boundary}--\r\n".encode()
    headers = {"Content-Type": f"multipart/form-data; boundary={boundary}", "Origin": server.origin,
               "Cookie": "; ".join(f"{k}={v}" for k, v in jar.cookies.items())}
    conn = http.client.HTTPConnection(HOST, server.port, timeout=15)
    try:
        conn.request("POST", path, body=body, headers=headers)
        r = conn.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read().decode()
    finally:
        conn.close()


def test_file_fields_in_the_admin(project: Path, run_server: Callable[..., Any]) -> None:
    server: Server = run_server("gunicorn", project).wait_ready()
    jar = Jar(server)
    token = jar.csrf("/admin/login")
    status, headers, _ = jar.request("POST", "/admin/login", {"username": "boss", "password": PASSWORD,
                                                               "next": "/admin", "csrf_token": token})
    assert status == 303
    status, _, form = jar.request("GET", "/admin/doc/doc/add")
    assert status == 200, form[:500]
    assert 'enctype="multipart/form-data"' in form and 'type="file"' in form
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)  # type: ignore[union-attr]

    status, headers, text = post_multipart(server, jar, "/admin/doc/doc/add", {"title": "first", "csrf_token": token},
                                           ("scan <1>.png", PNG, "image/png"))
    assert status == 303, text[:800]
    [first] = stored_files(project)
    status, _, listing = jar.request("GET", "/admin/doc/doc")
    assert f'<a href="/media/{first}">scan &lt;1&gt;.png</a>' in listing

    status, _, change = jar.request("GET", "/admin/doc/doc/1")
    assert f'href="/media/{first}"' in change and 'type="file"' in change
    # No new file: the title changes, the file stays.
    status, _, _ = post_multipart(server, jar, "/admin/doc/doc/1", {"title": "renamed", "csrf_token": token}, None)
    assert status == 303 and stored_files(project) == [first]
    # A new file replaces it; the old one goes once the change is committed.
    status, _, _ = post_multipart(server, jar, "/admin/doc/doc/1", {"title": "renamed", "csrf_token": token},
                                  ("second.png", PNG + b"2", "image/png"))
    assert status == 303
    [second] = stored_files(project)
    assert second != first
    # A page passed off as an image is refused as a field error, and nothing is stored.
    status, _, text = post_multipart(server, jar, "/admin/doc/doc/1", {"title": "x", "csrf_token": token},
                                     ("cat.png", b"<html><script>alert(1)</script>", "image/png"))
    assert status == 422 and "text/html files are not accepted here" in text
    assert stored_files(project) == [second]
