"""A project that stores uploads: a ``Doc`` model with a ``FileField`` and routes to
upload, list, replace and delete, and a multipart client that streams its body."""
from __future__ import annotations

import http.client
import json
import os
import sqlite3
from pathlib import Path
from typing import Any, Iterator

from .conftest import HOST, write_project

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
BOUNDARY = "wolfpyboundary7MA4YWxkTrZu0gW"

FILES = {
    "models/__init__.py": "",
    "models/doc.py": """
        from wolfpy.db import CharField, FileField, Model

        class Doc(Model):
            title = CharField(max_length=100)
            file = FileField()
    """,
    "routes/docs/index.py": """
        from wolfpy.db import DATABASE
        from models.doc import Doc

        def _row(doc):
            f = doc.file
            return {"id": doc.id, "title": doc.title, "name": f.name, "url": f.url, "size": f.size,
                    "content_type": f.content_type, "original_name": f.original_name}

        def get(request):
            return [_row(d) for d in Doc.select().order_by(Doc.id)]

        def post(request):
            stored = request.files["doc"].save(private=request.form.get("private") == "1")
            try:
                with DATABASE.atomic():
                    doc = Doc.create(title=request.form.get("title", ""), file=stored)
                    if request.form.get("fail") == "1":
                        raise ValueError("refused after the row was written")
            except ValueError as exc:
                return {"error": str(exc)}, 409
            return _row(doc), 201
    """,
    "routes/docs/[id].py": """
        from wolfpy import abort
        from models.doc import Doc

        def post(request, id: int):
            doc = Doc.get_or_none(Doc.id == id) or abort(404)
            doc.file = request.files["doc"].save()
            doc.save()
            return {"name": doc.file.name}

        def delete(request, id: int):
            doc = Doc.get_or_none(Doc.id == id) or abort(404)
            doc.delete_instance()
    """,
    "routes/sink.py": """
        def post(request):
            upload = request.files["doc"]
            return {"size": upload.size}
    """,
}

TOML = """
[app]
allowed_hosts = ["127.0.0.1"]
max_body_size = {body}

[storage]
max_size = {max_size}
allowed_types = ["image/png", "text/plain", "text/html", "image/svg+xml"]
"""


def make_upload_project(root: Path, body_limit: int = 8 * 1024 * 1024,
                        max_size: int = 1024 * 1024) -> Path:
    project = write_project(root, FILES, TOML.format(body=body_limit, max_size=max_size))
    with sqlite3.connect(project / "db.sqlite3") as db:
        db.execute("CREATE TABLE doc (id INTEGER PRIMARY KEY, title VARCHAR(100) NOT NULL, "
                   "file VARCHAR(255) NOT NULL)")
    return project


def stored_files(project: Path) -> list[str]:
    """The stored files under media/ (metadata dotfiles left out)."""
    media = project / "media"
    return sorted(str(p.relative_to(media)) for p in media.rglob("*")
                  if p.is_file() and not p.name.startswith("."))


def _head(fields: dict[str, str], filename: str, ctype: str) -> bytes:
    out = b""
    for key, value in fields.items():
        out += (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{key}\"\r\n\r\n"
                f"{value}\r\n").encode()
    out += (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"doc\"; filename=\"{filename}\""
            f"\r\nContent-Type: {ctype}\r\n\r\n").encode()
    return out


TAIL = f"\r\n--{BOUNDARY}--\r\n".encode()
CONTENT_TYPE = f"multipart/form-data; boundary={BOUNDARY}"


def upload(port: int, path: str, data: bytes, filename: str = "a.png", ctype: str = "image/png",
           **fields: str) -> tuple[int, Any]:
    body = _head(fields, filename, ctype) + data + TAIL
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        conn.request("POST", path, body=body, headers={"Content-Type": CONTENT_TYPE})
        r = conn.getresponse()
        raw = r.read()
        if r.getheader("content-type", "").startswith("application/json"):
            return r.status, json.loads(raw)
        return r.status, raw
    finally:
        conn.close()


def stream_upload(port: int, path: str, size: int, chunk: int = 1024 * 1024) -> tuple[int, bytes]:
    """Upload ``size`` bytes of text generated as they are sent (never held whole)."""
    head = _head({}, "big.txt", "text/plain")

    def body() -> Iterator[bytes]:
        yield head
        block = (b"0123456789abcdef" * (chunk // 16))[:chunk]
        left = size
        while left:
            n = min(left, chunk)
            yield block[:n]
            left -= n
        yield TAIL

    conn = http.client.HTTPConnection(HOST, port, timeout=300)
    try:
        conn.putrequest("POST", path)
        conn.putheader("Content-Type", CONTENT_TYPE)
        conn.putheader("Content-Length", str(len(head) + size + len(TAIL)))
        conn.endheaders()
        for part in body():
            conn.send(part)
        r = conn.getresponse()
        return r.status, r.read()
    finally:
        conn.close()


def request(port: int, method: str, path: str, headers: dict[str, str] | None = None
            ) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        conn.request(method, path, headers=headers or {})
        r = conn.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
    finally:
        conn.close()


def rss_kib(pid: int) -> int:
    """The resident set of ``pid`` and its children (a gunicorn master and its worker)."""
    total = 0
    for p in [pid, *_children(pid)]:
        try:
            with open(f"/proc/{p}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except OSError:
            pass
    return total


def _children(pid: int) -> list[int]:
    out = []
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{task}/children") as f:
                kids = [int(x) for x in f.read().split()]
        except OSError:
            continue
        for kid in kids:
            out += [kid, *_children(kid)]
    return out
