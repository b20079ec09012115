"""Tools for tests/e2e/test_hostile.py: the test project, a raw HTTP client, process statistics.

Standard library only. Requests go on the wire byte for byte as written (no client
fixes up a path, a header or a length), and the answer is parsed with
:class:`http.client.HTTPResponse` over the same socket.
"""
from __future__ import annotations

import http.client
import os
import select
import shutil
import socket
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from tests.cli_runner import run_cli

APP_SOURCE = Path(__file__).resolve().parent / "hostile_app"
HOST = "127.0.0.1"
PASSWORD = "correct horse battery staple"
OLD_KEY = "hostile-old-key-rotated-out-oooooooooooooooooooo"   # [app] fallback_secret_keys
THROTTLE_WINDOW = 8         # seconds: the generated 300 s login window, shortened to be observable


# -- the project -------------------------------------------------------------------------------
def _cli(project: Path, *args: str) -> str:
    code, out, err = run_cli(*args, cwd=project)
    assert code == 0, f"wolfpy {' '.join(args)} failed ({code}):\n{out}\n{err}"
    return out


def build_project(parent: Path) -> Path:
    """``wolfpy new hostile`` + ``generate auth`` + ``generate token``, hostile_app/ laid over it,
    the login throttle window shortened, ``db migrate --yes``, two users, and the files that
    must never be served (a symlink out of static/, a sibling static_private/, dotfiles)."""
    _cli(parent, "new", "hostile")
    project = parent / "hostile"
    _cli(project, "generate", "auth")
    _cli(project, "generate", "token")
    for src in APP_SOURCE.rglob("*"):
        rel = src.relative_to(APP_SOURCE)
        if src.is_dir() or "__pycache__" in rel.parts or rel.name == "README.md":
            continue
        dest = project / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dest)
    for name in ("routes/auth/login.py", "routes/auth/token.py"):
        path = project / name
        source = path.read_text()
        assert "WINDOW = 300" in source, f"{name}: the generated throttle window moved"
        path.write_text(source.replace("WINDOW = 300", f"WINDOW = {THROTTLE_WINDOW}"))
    (project / ".env").unlink(missing_ok=True)          # production: the key comes from the environment
    out = _cli(project, "db", "migrate", "--yes")
    assert "applied" in out, out
    _cli(project, "create", "user", "alice", "--email", "alice@example.com", "--password", PASSWORD)
    _cli(project, "create", "user", "bob", "--email", "bob@example.com", "--password", PASSWORD)
    # Files that must never be served.
    (project / "secret.txt").write_text("TOP-SECRET outside static\n")
    os.symlink(project / "secret.txt", project / "static" / "link.txt")
    os.symlink("/etc", project / "static" / "etc-link")
    (project / "static" / ".env").write_text("SECRET=dotfile-in-static\n")
    (project / ".git").mkdir()
    (project / ".git" / "config").write_text("[core]\n\tSECRET = git-config\n")
    (project / "static" / "data.bin").write_bytes(bytes(range(256)) * 40)
    (project / "uploads").mkdir()
    (project / "tmp").mkdir()
    return project


# -- process statistics ------------------------------------------------------------------------
def children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in text.split()]


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError(f"no VmRSS for {pid}")


def open_fds(pid: int) -> dict[int, str]:
    out = {}
    base = f"/proc/{pid}/fd"
    for name in os.listdir(base):
        try:
            out[int(name)] = os.readlink(f"{base}/{name}")
        except OSError:
            pass
    return out


# -- raw HTTP ----------------------------------------------------------------------------------
@dataclass
class Resp:
    status: int                         # 0: the connection ended without an answer
    headers: dict[str, str]             # lower-case names; repeated ones joined with ", "
    body: bytes
    elapsed: float
    raw_headers: list[tuple[str, str]] = field(default_factory=list)
    error: str = ""
    by: str = ""                        # who answered, when the headers cannot tell


    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def header_all(self, name: str) -> list[str]:
        return [v for k, v in self.raw_headers if k.lower() == name]

    @property
    def answered_by(self) -> str:
        """``wolfpy`` when the answer carries the headers the app's middleware adds, else ``server``."""
        if self.by:
            return self.by
        if not self.status:
            return "none"
        return "wolfpy" if "x-request-id" in self.headers or "x-content-type-options" in self.headers else "server"

    def short(self) -> str:
        if not self.status:
            return f"no answer ({self.error or 'closed'})"
        return f"{self.status} by {self.answered_by}: {self.text[:160]!r}"


def _read_response(sock: socket.socket, method: str, started: float) -> Resp:
    resp = http.client.HTTPResponse(sock, method=method)
    try:
        resp.begin()
        body = resp.read()
    except (http.client.HTTPException, OSError) as exc:
        return Resp(0, {}, b"", time.monotonic() - started, error=f"{type(exc).__name__}: {exc}")
    raw = list(resp.getheaders())
    headers: dict[str, str] = {}
    for k, v in raw:
        k = k.lower()
        headers[k] = f"{headers[k]}, {v}" if k in headers else v
    resp.close()
    return Resp(resp.status, headers, body, time.monotonic() - started, raw)


def send_raw(port: int, head: bytes, body: bytes | Iterable[bytes] = b"", *, timeout: float = 10.0,
             method: str = "GET", source: str | None = None) -> Resp:
    """Send ``head`` (request line and headers, sent as is) and ``body`` (bytes, or chunks sent
    one by one), then read one answer. Stops sending as soon as the server answers early.
    ``source`` is the local address to connect from (another 127.x.y.z: a peer no server trusts)."""
    started = time.monotonic()
    with socket.create_connection((HOST, port), timeout=timeout,
                                  source_address=(source, 0) if source else None) as sock:
        try:
            sock.sendall(head)
            chunks = [body] if isinstance(body, (bytes, bytearray)) else body
            for chunk in chunks:
                if not chunk:
                    continue
                readable, _, _ = select.select([sock], [], [], 0)
                if readable:
                    break               # an early answer (413, 400 ...): stop sending
                sock.sendall(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass
        return _read_response(sock, method, started)


def request(port: int, method: str, target: str, headers: dict[str, str] | list[tuple[str, str]] | None = None,
            body: bytes | Iterable[bytes] = b"", *, host: str | None = None, length: bool = True,
            timeout: float = 10.0, source: str | None = None) -> Resp:
    """An HTTP/1.1 request with ``Connection: close``; ``target`` and header values go out unchanged."""
    items = list(headers.items()) if isinstance(headers, dict) else list(headers or [])
    names = {k.lower() for k, _ in items}
    lines = [f"{method} {target} HTTP/1.1"]
    if "host" not in names and host != "":
        lines.append(f"Host: {host or f'{HOST}:{port}'}")
    lines += [f"{k}: {v}" for k, v in items]
    if length and isinstance(body, (bytes, bytearray)) and "content-length" not in names \
            and "transfer-encoding" not in names and (body or method in ("POST", "PUT", "PATCH")):
        lines.append(f"Content-Length: {len(body)}")
    if "connection" not in names:
        lines.append("Connection: close")
    head = ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8", "surrogateescape")
    return send_raw(port, head, body, timeout=timeout, method=method, source=source)


def chunked(data: Iterable[bytes]) -> Iterable[bytes]:
    """``Transfer-Encoding: chunked`` framing of ``data``."""
    for piece in data:
        if piece:
            yield b"%x\r\n" % len(piece) + piece + b"\r\n"
    yield b"0\r\n\r\n"


def repeat(piece: bytes, total: int, size: int = 256 * 1024) -> Iterable[bytes]:
    """``total`` bytes of ``piece`` repeated, in pieces of about ``size`` bytes."""
    block = piece * max(1, size // max(1, len(piece)))
    sent = 0
    while sent < total:
        out = block[: total - sent]
        sent += len(out)
        yield out


def multipart(parts: list[tuple[dict[str, str] | list[tuple[str, str]], bytes]], boundary: str = "hostileboundary",
              *, close: bool = True) -> bytes:
    """A multipart body: each part is (headers, content)."""
    out = bytearray()
    for headers, content in parts:
        out += b"--" + boundary.encode("latin-1") + b"\r\n"
        items = headers.items() if isinstance(headers, dict) else headers
        for k, v in items:
            out += f"{k}: {v}\r\n".encode("utf-8", "surrogateescape")
        out += b"\r\n" + content + b"\r\n"
    if close:
        out += b"--" + boundary.encode("latin-1") + b"--\r\n"
    return bytes(out)


def file_part(name: str, filename: str, content: bytes,
              content_type: str = "text/plain") -> tuple[dict[str, str], bytes]:
    return {"Content-Disposition": f'form-data; name="{name}"; filename="{filename}"',
            "Content-Type": content_type}, content


def field_part(name: str, value: bytes) -> tuple[dict[str, str], bytes]:
    return {"Content-Disposition": f'form-data; name="{name}"'}, value
