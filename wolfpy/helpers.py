"""Helpers that work on the current request: url_for, static_url, send_file."""
from __future__ import annotations

import hashlib
import mimetypes
import os
from email.utils import formatdate, parsedate_to_datetime
from typing import Any, Iterator

from .context import current_request
from .errors import NotFound, WolfPyError
from .http.response import Response, content_disposition

FILE_CHUNK = 64 * 1024


def url_for(name: str, /, **params: Any) -> str:
    """The URL of route ``name`` (its file path under routes/, e.g. ``"posts/[id]"``)."""
    return current_request().app.url_for(name, **params)


def static_url(path: str) -> str:
    """The URL of a file under ``static/``, or of its fingerprinted build when
    ``static/dist/manifest.json`` names it (``css/app.css`` → ``/static/dist/css/app.3f2a9c1b.css``)."""
    try:
        app = current_request().app
    except WolfPyError:  # outside a request: no project to read a manifest from
        return "/static/" + path.lstrip("/")
    from .assets.manifest import resolve
    return resolve(app, path)


def send_file(path: str | os.PathLike[str], *, content_type: str | None = None,
              download_name: str | None = None, request: Any = None) -> Response:
    """Send a file with ETag, Last-Modified, conditional GET (304) and a single byte Range (206).

    ``path`` is a path the application chose; never pass a client-supplied name here.
    ``download_name`` makes it an attachment saved under that name (any characters:
    ``filename*`` carries it in UTF-8, ``filename`` an ASCII fallback, RFC 6266).
    """
    request = request or current_request()
    try:
        st = os.stat(path)
    except OSError:
        raise NotFound() from None
    if not os.path.isfile(path):
        raise NotFound()
    ctype = content_type or mimetypes.guess_type(str(path))[0] or "application/octet-stream"
    if ctype.startswith("text/") and "charset" not in ctype:
        ctype += "; charset=utf-8"
    etag = '"' + hashlib.sha1(f"{st.st_mtime_ns}-{st.st_size}".encode()).hexdigest()[:20] + '"'
    last_modified = formatdate(st.st_mtime, usegmt=True)
    headers = [("etag", etag), ("last-modified", last_modified), ("accept-ranges", "bytes")]
    if download_name:
        headers.append(("content-disposition", content_disposition(download_name)))
    if _not_modified(request, etag, st.st_mtime):
        return Response(b"", 304, headers, ctype)
    size = st.st_size
    rng = _parse_range(request.headers.get("range"), size)
    if_range = request.headers.get("if-range")
    if rng is not None and if_range and if_range != etag and if_range != last_modified:
        rng = None
    if rng == "unsatisfiable":
        headers.append(("content-range", f"bytes */{size}"))
        return Response(b"", 416, headers, ctype)
    start, end = (0, size - 1) if rng is None else rng
    length = max(0, end - start + 1)
    headers.append(("content-length", str(length)))
    status = 200
    if rng is not None:
        status = 206
        headers.append(("content-range", f"bytes {start}-{end}/{size}"))
    return Response(FileStream(str(path), start, length), status, headers, ctype)


class FileStream:
    """Iterates over a byte range of a file in chunks; closes the file when done."""

    def __init__(self, path: str, start: int, length: int) -> None:
        self._file = open(path, "rb")
        self._file.seek(start)
        self._left = length

    def __iter__(self) -> Iterator[bytes]:
        try:
            while self._left > 0:
                chunk = self._file.read(min(FILE_CHUNK, self._left))
                if not chunk:
                    break
                self._left -= len(chunk)
                yield chunk
        finally:
            self.close()

    def close(self) -> None:
        self._file.close()


def _not_modified(request: Any, etag: str, mtime: float) -> bool:
    inm = request.headers.get("if-none-match")
    if inm is not None:
        tags = [t.strip() for t in inm.split(",")]
        return "*" in tags or etag in tags or f"W/{etag}" in tags
    ims = request.headers.get("if-modified-since")
    if ims:
        try:
            return int(mtime) <= parsedate_to_datetime(ims).timestamp()
        except (TypeError, ValueError, IndexError):
            return False
    return False


def _parse_range(header: str | None, size: int) -> Any:
    """One byte range, or None (send everything), or "unsatisfiable".

    Multiple ranges are answered with the whole file, which HTTP allows; merging
    many ranges is where other servers went quadratic (Starlette CVE-2025-62727).
    """
    if not header or not header.startswith("bytes=") or "," in header or len(header) > 200:
        return None
    spec = header[6:].strip()
    first, sep, last = spec.partition("-")
    if not sep:
        return None
    try:
        if first == "":
            n = int(last)
            if n <= 0:
                return "unsatisfiable"
            return (max(0, size - n), size - 1)
        start = int(first)
        end = int(last) if last else size - 1
    except ValueError:
        return None
    if start >= size or start < 0:
        return "unsatisfiable"
    if end < start:
        return None
    return (start, min(end, size - 1))
