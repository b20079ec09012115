"""WSGI adapter: environ → Request → ``App.handle`` → start_response."""
from __future__ import annotations

from typing import Any, Iterable
from urllib.parse import quote

from ..errors import BadRequest, PayloadTooLarge
from ..http.body import BodyReader
from ..http.datastructures import LookupHeaders
from ..http.request import Request
from ..http.status import STATUS_LINES, status_line

_SAFE_PATH = "/:@!$&'()*+,;=-._~"


def _env_key(name: str) -> str:
    key = name.upper().replace("-", "_")
    key = key if key in ("CONTENT_TYPE", "CONTENT_LENGTH") else "HTTP_" + key
    if len(_ENV_KEYS) < 256:
        _ENV_KEYS[name] = key
    return key


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
    def scheme(environ: Any) -> str:
        return environ.get("wsgi.url_scheme", "http")

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
        if not value:
            return None
        if not (value.isascii() and value.isdigit()):  # not "-1", "1, 2" or "²"
            raise BadRequest(message="invalid Content-Length header")
        return int(value)

    @staticmethod
    def body(environ: Any, limit: int) -> BodyReader:
        length = WSGIIO.content_length(environ)
        stream = environ.get("wsgi.input")
        if stream is None or (length is None and "chunked" not in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
                              and not environ.get("wsgi.input_terminated")):
            # No declared body: reading wsgi.input to EOF could block (PEP 3333).
            return BodyReader(lambda n: b"", 0, limit)
        return BodyReader(stream.read, length, limit)


IO = WSGIIO()


def request_path(environ: Any) -> str:
    """The raw (still percent-encoded) path, so each segment is decoded exactly once."""
    raw = environ.get("RAW_URI") or environ.get("REQUEST_URI")
    if raw:
        path = raw.partition("?")[0]
        if path[:1] != "/":  # absolute-form "http://host/path"
            rest = path.partition("://")[2]
            path = "/" + rest.partition("/")[2] if rest else "/"
        script = environ.get("SCRIPT_NAME")
        if script:
            quoted = quote(script.encode("latin-1"), safe=_SAFE_PATH)
            if path.startswith(quoted):
                path = path[len(quoted):] or "/"
        return path
    # Servers without the raw URI: PATH_INFO is already decoded (as latin-1 bytes).
    info = environ.get("PATH_INFO") or "/"
    if "%" not in info and info.isascii():
        return info  # decoding it again changes nothing
    return quote(info.encode("latin-1"), safe=_SAFE_PATH)


def serve_wsgi(app: Any, environ: Any, start_response: Any) -> Iterable[bytes]:
    method = environ["REQUEST_METHOD"]
    request = Request(app, IO, environ, method, request_path(environ), environ.get("QUERY_STRING", ""))
    length = environ.get("CONTENT_LENGTH")
    close_connection = False
    if length and length.isascii() and length.isdigit() and int(length) > app.settings.limits.max_body_size:
        # Refuse before reading a byte; the unread body makes the connection unusable.
        response = app.early_error(request, PayloadTooLarge(
            message=f"request body over the limit of {app.settings.limits.max_body_size} bytes"))
        close_connection = True
    else:
        response = app.handle(request)
        if request._files:
            request.close()
    status = response.status
    headers = response.header_list()
    if close_connection:
        headers.append(("connection", "close"))
    start_response(STATUS_LINES.get(status) or status_line(status), headers)
    body = response.body
    if method == "HEAD":
        if hasattr(body, "close"):
            body.close()
        return [b""]
    if type(body) is bytes:
        return [body]
    return body
