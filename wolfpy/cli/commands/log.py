"""``wolfpy log tail [-n N] [-f] [--raw]``: read the project's ``logs/app.log``."""
from __future__ import annotations

import json
import os
import re
import time
from typing import Any, BinaryIO, Iterator

import typer

from ..common import fail, find_project

log_app = typer.Typer(help="Read the project's log (logs/app.log).", no_args_is_help=True)

POLL_SECONDS = 0.2
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match[str]) -> str:
    ch = match.group()
    return _NAMED.get(ch) or (f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}")


def clean(text: str) -> str:
    """``text`` safe for a terminal line: control and line-breaking characters escaped."""
    return _CONTROL.sub(_escape, text)


def pretty(line: str) -> str:
    """One record on one line: ``time level [method path status duration request_id] message``."""
    try:
        rec = json.loads(line)
    except ValueError:
        return clean(line)
    if not isinstance(rec, dict):
        return clean(line)

    def field(key: str) -> str:
        value = rec.get(key)
        return "-" if value is None else str(value)

    parts = [field("time"), field("level").ljust(7)]
    if rec.get("method") is not None:
        duration = rec.get("duration_ms")
        parts += [field("method"), field("path"), field("status"),
                  "-" if duration is None else f"{duration}ms", field("request_id")]
    if rec.get("logger") != "wolfpy.access" or not rec.get("method"):
        parts.append(field("message"))
    if rec.get("exc_type"):
        parts.append(f"[{rec['exc_type']}]")
    return clean(" ".join(parts))


def last_lines(f: BinaryIO, count: int, end: int, block: int = 8192) -> list[bytes]:
    """The last ``count`` lines of ``f`` before offset ``end`` (read backwards, in blocks)."""
    if count <= 0 or end <= 0:
        return []
    data = b""
    pos = end
    while pos > 0 and data.count(b"\n") <= count:
        step = min(block, pos)
        pos -= step
        f.seek(pos)
        data = f.read(step) + data
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    if pos > 0:
        lines = lines[1:]  # the first one may be cut
    return [line for line in lines if line.strip()][-count:]


def follow(f: BinaryIO, path: str, offset: int, poll: float = POLL_SECONDS) -> Iterator[bytes | None]:
    """Lines appended to ``path`` from ``offset`` on; ``None`` at every idle poll.

    Follows the name, like ``tail -F``: after a rotation (the path names another file)
    the rest of the old file is read, then the new one from its start; after a
    truncation, reading starts again at the beginning.
    """
    f.seek(offset)
    ident = _ident(os.fstat(f.fileno()))
    pending = b""
    opened: BinaryIO | None = None  # a file this function opened (after a rotation)
    try:
        while True:
            chunk = f.read()
            if chunk:
                pending += chunk
                *lines, pending = pending.split(b"\n")
                yield from (line for line in lines if line.strip())
                continue
            try:
                st = os.stat(path)
            except FileNotFoundError:  # between a rotation's rename and the new file
                yield None
                time.sleep(poll)
                continue
            if _ident(st) != ident:
                for line in (pending + f.read()).split(b"\n"):
                    if line.strip():
                        yield line
                pending = b""
                if opened is not None:
                    opened.close()
                f = opened = open(path, "rb")
                ident = _ident(os.fstat(f.fileno()))
                continue
            if st.st_size < f.tell():  # truncated
                f.seek(0)
                pending = b""
                continue
            yield None
            time.sleep(poll)
    finally:
        if opened is not None:
            opened.close()


def _ident(st: os.stat_result) -> tuple[int, int]:
    return st.st_dev, st.st_ino


@log_app.command("tail")
def tail(
    lines: int = typer.Option(20, "--lines", "-n", min=0, help="How many of the last lines to show."),
    follow_: bool = typer.Option(False, "--follow", "-f", help="Keep printing lines as they are written."),
    raw: bool = typer.Option(False, "--raw", help="Print the JSON lines as they are in the file."),
) -> None:
    """Print the last lines of logs/app.log, one record per line (-f to follow)."""
    from ...logs import log_file
    project = find_project()
    path = log_file(project)
    rel = path.relative_to(project.root).as_posix()
    if not path.is_file():
        fail(f"no log file yet ({rel}): it is written by an app serving requests with the "
             "access_log middleware ([middleware] builtin) and [logging] file = true")
    show = (lambda b: clean(b.decode("utf-8", "replace"))) if raw else \
        (lambda b: pretty(b.decode("utf-8", "replace")))
    try:
        f: Any = open(path, "rb")
    except OSError as exc:
        fail(f"cannot read {rel}: {exc.strerror}")
    try:
        end = f.seek(0, os.SEEK_END)  # follow from here, so no line is missed nor shown twice
        for line in last_lines(f, lines, end):
            typer.echo(show(line))
        if follow_:
            for new in follow(f, str(path), end):
                if new is not None:
                    typer.echo(show(new))
    finally:
        f.close()
