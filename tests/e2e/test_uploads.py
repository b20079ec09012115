"""Uploads over real HTTP under gunicorn and uvicorn: store, list, download with Range,
replace and delete; HTML served as an attachment; a spoofed type refused; a failed
transaction leaves no file behind; /media/ neither lists nor escapes its folder."""
from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote

import pytest

from .conftest import Server
from .upload_project import PNG, make_upload_project, request, stored_files, upload

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_upload_project(tmp_path_factory.mktemp("uploads") / "site")


def test_upload_list_download_replace_delete(server: Server, project: Path) -> None:
    data = PNG + bytes(range(256)) * 40
    status, doc = upload(server.port, "/docs", data, filename="../../etc/My Photo\x07.png", title="one")
    assert status == 201, doc
    name = doc["name"]
    assert re.fullmatch(r"[0-9a-f]{2}/[0-9a-f]{32}\.png", name)  # generated, not the client's
    assert doc["original_name"] == "My Photo.png"  # kept, sanitised
    assert doc["url"] == f"/media/{name}" and doc["size"] == len(data)
    assert doc["content_type"] == "image/png"
    assert name in stored_files(project)

    status, rows = request(server.port, "GET", "/docs")[0], upload_list(server)
    assert status == 200 and any(r["name"] == name for r in rows)

    status, headers, body = request(server.port, "GET", doc["url"])
    assert status == 200 and body == data
    assert headers["content-type"] == "image/png" and "content-disposition" not in headers
    assert headers["x-content-type-options"] == "nosniff"
    etag = headers["etag"]
    assert request(server.port, "GET", doc["url"], {"If-None-Match": etag})[0] == 304
    status, headers, body = request(server.port, "GET", doc["url"], {"Range": "bytes=8-99"})
    assert status == 206 and body == data[8:100]
    assert headers["content-range"] == f"bytes 8-99/{len(data)}"

    status, replaced = upload(server.port, f"/docs/{doc['id']}", PNG + b"new", filename="b.png")
    assert status == 200 and replaced["name"] != name
    files = stored_files(project)
    assert replaced["name"] in files and name not in files  # the old file went after the commit
    assert request(server.port, "GET", doc["url"])[0] == 404

    assert request(server.port, "DELETE", f"/docs/{doc['id']}")[0] == 204
    assert replaced["name"] not in stored_files(project)
    assert all(r["id"] != doc["id"] for r in upload_list(server))


def upload_list(server: Server) -> list[dict[str, object]]:
    import json
    return json.loads(request(server.port, "GET", "/docs")[2])  # type: ignore[no-any-return]


@pytest.mark.parametrize("content, kind", [
    (b"<!DOCTYPE html><script>alert(document.cookie)</script>", "text/html"),
    (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>', "image/svg+xml"),
])
def test_markup_is_served_as_an_attachment(server: Server, content: bytes, kind: str) -> None:
    # Declared as a harmless text file: the bytes decide.
    status, doc = upload(server.port, "/docs", content, filename="notes.txt", ctype="text/plain")
    assert status == 201 and doc["content_type"] == kind
    status, headers, body = request(server.port, "GET", doc["url"])
    assert status == 200 and body == content
    assert headers["content-disposition"].startswith("attachment;")
    assert "notes.txt" in headers["content-disposition"]
    assert headers["x-content-type-options"] == "nosniff"
    assert "sandbox" in headers["content-security-policy"]


@pytest.mark.parametrize("content, filename, ctype", [
    (b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 100, "cat.png", "image/png"),  # a program called a PNG
    (b"%PDF-1.7\n" + b"x" * 100, "notes.txt", "text/plain"),  # PDF is not allowed in this project
])
def test_a_spoofed_type_is_refused(server: Server, project: Path, content: bytes, filename: str,
                                   ctype: str) -> None:
    before = stored_files(project)
    status, body = upload(server.port, "/docs", content, filename=filename, ctype=ctype)
    assert status == 415, body
    assert stored_files(project) == before


def test_a_file_over_storage_max_size_is_refused(server: Server, project: Path) -> None:
    # [storage] max_size is 1 MiB here, under the 8 MiB body limit.
    before = stored_files(project)
    status, body = upload(server.port, "/docs", PNG + b"\x00" * (1024 * 1024))
    assert status == 413 and b"limit of 1048576 bytes" in body
    assert stored_files(project) == before


def test_a_failed_transaction_leaves_no_orphan_file(server: Server, project: Path) -> None:
    before = stored_files(project)
    status, body = upload(server.port, "/docs", PNG, fail="1", title="doomed")
    assert status == 409, body
    assert stored_files(project) == before
    assert all(r["title"] != "doomed" for r in upload_list(server))


def test_media_neither_lists_nor_escapes(server: Server, project: Path) -> None:
    status, doc = upload(server.port, "/docs", PNG, title="x")
    assert status == 201
    folder, file = doc["name"].split("/")
    for path in ["/media/", "/media", f"/media/{folder}", f"/media/{folder}/",
                 "/media/../wolfpy.toml", "/media/%2e%2e/wolfpy.toml", f"/media/{folder}/..%2f..%2fwolfpy.toml",
                 f"/media/{folder}/.{file}.json", "/media/..%5cwolfpy.toml", f"/media/{quote(folder)}%2f{file}"]:
        status, _headers, body = request(server.port, "GET", path)
        assert status in (404, 400, 308), (path, status)
        assert b"allowed_types" not in body and file.encode() not in body


def test_private_files_need_a_signed_url(server: Server) -> None:
    status, doc = upload(server.port, "/docs", PNG, private="1")
    assert status == 201 and doc["name"].startswith("private/")
    url = doc["url"]
    assert "signature=" in url and "expires=" in url
    assert request(server.port, "GET", url)[0] == 200
    bare = url.split("?")[0]
    assert request(server.port, "GET", bare)[0] == 404
    assert request(server.port, "GET", url[:-1] + ("0" if url[-1] != "0" else "1"))[0] == 404
    expired = re.sub(r"expires=\d+", "expires=1000", url)
    assert request(server.port, "GET", expired)[0] == 404
