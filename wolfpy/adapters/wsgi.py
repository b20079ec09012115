"""WSGI adapter: environ → Request → ``App.handle`` → start_response."""
from __future__ import annotations

from typing import Any, Iterable

from ..http.body import CHUNK, BodyReader, read_declared
from ..http.datastructures import LookupHeaders
from ..http.request import Request
from ..http.status import STATUS_LINES, status_line
from .common import (CONNECTION_CLOSE, content_length, discard_body, early_body_error, quote_path,
                     request_config, target_path)

#: environ key set once the body has been opened: the request may hold uploads to close.
_BODY_OPENED = "wolfpy.body_opened"


def _env_key(name: str) -> str:
    key = name.upper().replace("-", "_")
    key = key if key in ("CONTENT_TYPE", "CONTENT_LENGTH") else "HTTP_" + key
    if len(_ENV_KEYS) < 256:
        _ENV_KEYS[name] = key
    return key


# environ keys per header name asked for: a bounded memo of a pure function, so it is
# shared by every app of the process.
_ENV_KEYS: dict[str, str] = {}


class EnvironHeaders(LookupHeaders):
    """Request headers read straight from the environ: ``get`` is one dict lookup,
    the full list is built only when someone iterates."""

    __slots__ = ("_environ",)

    def __init__(self, environ: Any) -> None:
        self._environ = environ
        self._map = None
        self._raw = None  # type: ignore[assignment]

    def get(self, key: str, default: Any = None) -> Any:
        env_key = _ENV_KEYS.get(key)
        if env_key is None:
            env_key = _env_key(key)
        value = self._environ.get(env_key)
        if value is None or (value == "" and env_key[:5] != "HTTP_"):
            return default
        return value

    def getlist(self, key: str) -> list[str]:
        # WSGI servers join repeated headers with ", " into one environ value.
        value = self.get(key)
        return [] if value is None else [value]

    def _mapping(self) -> dict[str, str]:
        if self._map is None:
            raw = []
            for key, value in self._environ.items():
                if key[:5] == "HTTP_":
                    raw.append((key[5:].replace("_", "-").lower(), value))
                elif key in ("CONTENT_TYPE", "CONTENT_LENGTH") and value:
                    raw.append((key.replace("_", "-").lower(), value))
            self._raw = raw
            self._map = dict(raw)
        return self._map

    def raw(self) -> list[tuple[str, str]]:
        self._mapping()
        return list(self._raw)


class WSGIIO:
    """How a Request reads what it needs out of a WSGI environ, on demand."""

    headers = EnvironHeaders

    @staticmethod
    def client(environ: Any) -> tuple[str, int] | None:
        addr = environ.get("REMOTE_ADDR")
        if not addr:
            return None
        try:
            port = int(environ.get("REMOTE_PORT") or 0)
        except ValueError:
            port = 0
        return addr, port

    @staticmethod
    def host(environ: Any) -> str:
        host = environ.get("HTTP_HOST")
        if host:
            return host
        name, port = environ.get("SERVER_NAME", "localhost"), str(environ.get("SERVER_PORT", ""))
        default = "443" if environ.get("wsgi.url_scheme") == "https" else "80"
        return name if not port or port == default else f"{name}:{port}"

    @staticmethod
    def content_length(environ: Any) -> int | None:
        value = environ.get("CONTENT_LENGTH")
        return content_length(value) if value else None

    @staticmethod
    def body(environ: Any, limit: int) -> BodyReader:
        value = environ.get("CONTENT_LENGTH")
        length = content_length(value) if value else None
        stream = environ.get("wsgi.input")
        if stream is None or (length is None and "chunked" not in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
                              and not environ.get("wsgi.input_terminated")):
            # No declared body: reading wsgi.input to EOF could block (PEP 3333).
            return BodyReader.empty(limit)
        environ[_BODY_OPENED] = True
        return BodyReader(stream.read, length, limit)

    @staticmethod
    def read_body(environ: Any, limit: int, content_type: str | None = None) -> bytes | None:
        """The whole body in one read when it is short, of declared length and not
        encoded (nearly every form post), and its Content-Type is ``content_type``
        exactly when one is given; None for :meth:`body`'s reader to read it."""
        if content_type is not None and environ.get("CONTENT_TYPE") != content_type:
            return None
        value = environ.get("CONTENT_LENGTH")
        stream = environ.get("wsgi.input")
        if not value or stream is None or "HTTP_CONTENT_ENCODING" in environ:
            return None
        length = content_length(value)
        if length > CHUNK or length > limit:
            return None
        environ[_BODY_OPENED] = True
        return read_declared(stream.read, length)


IO = WSGIIO()


def _path_info(environ: Any) -> str:
    """The path of a server that gives no raw URI: PATH_INFO, already decoded (as latin-1
    bytes), encoded again."""
    info = environ.get("PATH_INFO") or "/"
    if "%" not in info and info.isascii():
        return info  # decoding it again changes nothing
    return quote_path(info.encode("latin-1"))


def serve_wsgi(app: Any, environ: Any, start_response: Any) -> Iterable[bytes]:
    method = environ["REQUEST_METHOD"]
    config = app.request_config or request_config(app)
    # The raw (still percent-encoded) path, so each segment is decoded exactly once.
    raw = environ.get("RAW_URI") or environ.get("REQUEST_URI")
    request = Request(app, config, IO, environ, method,
                      target_path(raw, environ.get("SCRIPT_NAME")) if raw else _path_info(environ),
                      environ.get("QUERY_STRING", ""), environ.get("wsgi.url_scheme", "http"))
    length = environ.get("CONTENT_LENGTH")
    error = early_body_error(length, config.limits.max_body_size) if length else None
    # The body is read lazily here: a length that is not a number is the 400 of the
    # first read, inside the chain; one over the limit is refused before anything runs.
    if error is not None and error.status == 413:
        response = app.early_error(request, error)
        close_connection = True
    else:
        close_connection = False
        response = app.handle(request)
        if _BODY_OPENED in environ:
            request.close()
    status = response.status
    headers = response.header_list()
    if close_connection:
        headers.append(CONNECTION_CLOSE)
    start_response(STATUS_LINES.get(status) or status_line(status), headers)
    body = response.body
    if method == "HEAD":
        return [discard_body(body)]
    if type(body) is bytes:
        return [body]
    return body
