"""Query strings, urlencoded bodies, multipart forms and header parameters.

Every parser here has a count, a size and a time bound (docs/security.md): query
strings and urlencoded bodies are :mod:`wolfpy.http.urlencoded`'s (re-exported here),
multipart bodies are streamed through python-multipart's low-level parser and never
buffered whole, and header parameters are split by a linear scanner, not a regular
expression.
"""
from __future__ import annotations

import re
import tempfile
from typing import TYPE_CHECKING, IO, Protocol

from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser

from ..errors import BadRequest, PayloadTooLarge, UnsupportedMediaType
from .datastructures import MultiDict, UploadFile
from .headerparams import parse_options_header
from .limits import DEFAULT_LIMITS, Limits
from .urlencoded import parse_query, parse_urlencoded

if TYPE_CHECKING:
    from python_multipart.multipart import MultipartCallbacks

__all__ = ["parse_query", "parse_urlencoded", "parse_multipart", "parse_options_header"]

CHUNK_SIZE = 64 * 1024


class Readable(Protocol):
    def read(self, n: int, /) -> bytes: ...


# -- multipart -----------------------------------------------------------------------

# RFC 2046 section 5.1.1: 1 to 70 characters, not ending with a space. The RFC's
# character set is narrower; any printable ASCII is taken, as other parsers do.
MAX_BOUNDARY = 70
_BOUNDARY = re.compile(r"[\x20-\x7e]{0,69}[\x21-\x7e]")


def _display_filename(name: str) -> str:
    # For display only: drop any directory part a client sent (C:\x\a.txt, ../a.txt).
    cut = max(name.rfind("/"), name.rfind("\\"))
    return name[cut + 1 :] if cut != -1 else name


def _decode_header(raw: bytes) -> str:
    # Browsers send non-ASCII names and filenames as raw UTF-8; fall back to latin-1.
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


class _MultipartCollector:
    """The callbacks for python-multipart's MultipartParser, with WolfPy's limits."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.fields: list[tuple[str, str]] = []
        self.files: list[tuple[str, UploadFile]] = []
        self.parts = 0
        self.file_count = 0
        self.done = False
        # Per-part state.
        self.headers: dict[str, str] = {}
        self.header_field = bytearray()
        self.header_value = bytearray()
        self.name = ""
        self.filename: str | None = None
        self.content_type = ""
        self.counted = False
        self.buffer = bytearray()
        self.file: IO[bytes] | None = None
        self.size = 0

    def on_part_begin(self) -> None:
        self.parts += 1
        if self.parts > self.limits.max_form_parts:
            raise PayloadTooLarge(message="too many form parts")
        self.headers = {}
        self.header_field.clear()
        self.header_value.clear()
        self.filename = None
        self.buffer = bytearray()
        self.file = None
        self.size = 0

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self.header_field += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self.header_value += data[start:end]

    def on_header_end(self) -> None:
        name = self.header_field.decode("latin-1").lower()
        value = _decode_header(bytes(self.header_value)).strip(" \t")
        self.header_field.clear()
        self.header_value.clear()
        if name in self.headers:
            if name in ("content-disposition", "content-type"):
                # Two of these would let two parsers read two different parts.
                raise BadRequest(message=f"multipart part with two {name} headers")
            value = f"{self.headers[name]}, {value}"
        if len(value) > self.limits.max_header_value:
            raise BadRequest(message=f"multipart {name} header too long")
        self.headers[name] = value

    def on_headers_finished(self) -> None:
        disposition = self.headers.get("content-disposition")
        if disposition is None:
            raise BadRequest(message="multipart part without Content-Disposition")
        # RFC 7578 section 4.2: a part's plain filename wins over a filename*.
        _kind, params = parse_options_header(disposition, extended_wins=False)
        name = params.get("name")
        if name is None:
            raise BadRequest(message="multipart part without a name")
        self.name = name
        filename = params.get("filename")
        if filename is None:
            return
        self.filename = _display_filename(filename)
        self.content_type = self.headers.get("content-type", "application/octet-stream")
        # An empty filename is a browser's "no file chosen": count it only if data follows.
        self.counted = False
        if filename:
            self._count_file()
        self.file = tempfile.SpooledTemporaryFile(max_size=self.limits.spool_threshold)

    def _count_file(self) -> None:
        self.counted = True
        self.file_count += 1
        if self.file_count > self.limits.max_files:
            raise PayloadTooLarge(message="too many files")

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        file = self.file
        if file is not None:
            if not self.counted:
                self._count_file()
            file.write(data[start:end])
            self.size += end - start
            return
        if len(self.buffer) + end - start > self.limits.max_form_field_size:
            raise PayloadTooLarge(message="form field too large")
        self.buffer += memoryview(data)[start:end]

    def on_part_end(self) -> None:
        file = self.file
        if file is None:
            try:
                value = self.buffer.decode("utf-8")
            except UnicodeDecodeError:
                raise BadRequest(message="invalid UTF-8 in form data") from None
            self.fields.append((self.name, value))
            return
        self.file = None
        if not self.filename and self.size == 0:
            file.close()
            return
        file.seek(0)
        upload = UploadFile(self.filename or "", self.content_type, file, self.size, self.headers)
        self.files.append((self.name, upload))

    def on_end(self) -> None:
        self.done = True

    def close_all(self) -> None:
        if self.file is not None:
            self.file.close()
        for _name, upload in self.files:
            upload.close()


def parse_multipart(content_type: str, stream: Readable,
                    limits: Limits = DEFAULT_LIMITS) -> tuple[MultiDict, MultiDict]:
    """Parse a ``multipart/form-data`` body read from ``stream`` in 64 KiB chunks.

    Args:
        content_type: the request's Content-Type header, with its boundary.
        stream: anything with ``read(n) -> bytes`` (``b''`` at EOF); it enforces the
            whole-body limit itself.
        limits: the field, part, file and header bounds.

    Returns:
        ``(fields, files)``: field values are ``str``; file values are
        :class:`UploadFile` objects over spooled temporary files, rewound to 0.

    Raises:
        BadRequest: no boundary, a malformed or truncated body, invalid UTF-8 in
            a field, an oversized Content-Type.
        PayloadTooLarge: a field over ``max_form_field_size``, more than
            ``max_form_parts`` parts or ``max_files`` files.
        UnsupportedMediaType: the Content-Type is not multipart/form-data.
    """
    if len(content_type) > limits.max_header_value:
        raise BadRequest(message="Content-Type header too long")
    mime, params = parse_options_header(content_type)
    if mime != "multipart/form-data":
        raise UnsupportedMediaType(message=f"expected multipart/form-data, got {mime or 'nothing'}")
    boundary = params.get("boundary")
    if not boundary:
        raise BadRequest(message="multipart body without boundary")
    if len(boundary) > MAX_BOUNDARY or not _BOUNDARY.fullmatch(boundary):
        raise BadRequest(message=f"invalid multipart boundary: 1 to {MAX_BOUNDARY} printable "
                                 "ASCII characters (RFC 2046)")
    boundary_bytes = boundary.encode("ascii")

    collector = _MultipartCollector(limits)
    try:
        try:
            c = collector
            callbacks: MultipartCallbacks = {
                "on_part_begin": c.on_part_begin,
                "on_header_field": c.on_header_field,
                "on_header_value": c.on_header_value,
                "on_header_end": c.on_header_end,
                "on_headers_finished": c.on_headers_finished,
                "on_part_data": c.on_part_data,
                "on_part_end": c.on_part_end,
                "on_end": c.on_end,
            }
            parser = MultipartParser(boundary_bytes, callbacks,
                                     max_header_size=limits.max_header_value + 256)
            read = stream.read
            write = parser.write
            while chunk := read(CHUNK_SIZE):
                if not collector.done:
                    write(chunk)
                # Past the closing boundary the epilogue is read and dropped, so the
                # body is consumed whole.
        except FormParserError as exc:
            raise BadRequest(message=f"malformed multipart body: {exc}") from None
        if not collector.done:
            raise BadRequest(message="multipart body ended before the final boundary")
    except BaseException:
        collector.close_all()
        raise
    return MultiDict(collector.fields), MultiDict(collector.files)
