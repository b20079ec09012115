"""Response and the helpers handlers return: json, redirect, abort, send_file."""
from __future__ import annotations

import dataclasses
import datetime as _dt
import decimal
import enum
import json as _json
import uuid
from typing import Any, Iterable, Iterator, Mapping, MutableMapping, NoReturn

from ..errors import http_error
from .cookies import render_set_cookie

_orjson: Any = None
try:  # orjson is optional: several times faster when installed
    import orjson as _orjson_module
    _orjson = _orjson_module
except ImportError:  # pragma: no cover - depends on the environment
    pass

HTML = "text/html; charset=utf-8"
TEXT = "text/plain; charset=utf-8"
JSON = "application/json"
OCTET = "application/octet-stream"


class MutableHeaders(MutableMapping[str, str]):
    """Case-insensitive response headers over a list of ``[name, value]`` pairs.

    ``headers["X-A"] = "1"`` replaces, :meth:`add` appends another line.
    """

    __slots__ = ("_list",)

    def __init__(self, items: list[tuple[str, str]]) -> None:
        self._list = items

    def __getitem__(self, key: str) -> str:
        lk = key.lower()
        for k, v in self._list:
            if k.lower() == lk:
                return v
        raise KeyError(key)

    def __setitem__(self, key: str, value: str) -> None:
        _check_header(key, value)
        lk = key.lower()
        self._list[:] = [(k, v) for k, v in self._list if k.lower() != lk]
        self._list.append((key, value))

    def __delitem__(self, key: str) -> None:
        lk = key.lower()
        before = len(self._list)
        self._list[:] = [(k, v) for k, v in self._list if k.lower() != lk]
        if len(self._list) == before:
            raise KeyError(key)

    def add(self, key: str, value: str) -> None:
        _check_header(key, value)
        self._list.append((key, value))

    def getlist(self, key: str) -> list[str]:
        lk = key.lower()
        return [v for k, v in self._list if k.lower() == lk]

    def __iter__(self) -> Iterator[str]:
        seen = []
        for k, _ in self._list:
            if k.lower() not in seen:
                seen.append(k.lower())
                yield k

    def __len__(self) -> int:
        return len({k.lower() for k, _ in self._list})

    def __repr__(self) -> str:
        return f"MutableHeaders({self._list!r})"


def _check_header(key: str, value: str) -> None:
    # Header injection: a CR or LF would let a value start a new header or body.
    if any(c in key or c in value for c in "\r\n\0") or not key or ":" in key:
        raise ValueError(f"invalid header {key!r}: no CR, LF or NUL allowed")


class Response:
    """An HTTP response: a body (bytes, or an iterable of bytes for streaming), a status, headers.

    ``Response("<p>hi</p>")`` is HTML; bytes default to ``application/octet-stream``.
    """

    __slots__ = ("body", "status", "content_type", "_headers", "_cookies", "on_close")

    def __init__(self, body: Any = b"", status: int = 200,
                 headers: Mapping[str, str] | Iterable[tuple[str, str]] | None = None,
                 content_type: str | None = None) -> None:
        if type(body) is str:
            body = body.encode()
            if content_type is None:
                content_type = HTML
        elif body is None:
            body = b""
        self.body = body
        self.status = status
        self.content_type = content_type if content_type is not None else OCTET
        if headers:
            items = list(headers.items()) if isinstance(headers, Mapping) else list(headers)
            for k, v in items:
                _check_header(k, v)
            self._headers: list[tuple[str, str]] | None = items
        else:
            self._headers = None
        self._cookies: list[str] | None = None
        self.on_close: Any = None

    @property
    def headers(self) -> MutableHeaders:
        if self._headers is None:
            self._headers = []
        return MutableHeaders(self._headers)

    @property
    def text(self) -> str:
        return self.body.decode() if isinstance(self.body, bytes) else ""

    def set_cookie(self, name: str, value: str = "", *, max_age: int | None = None,
                   expires: _dt.datetime | None = None, path: str = "/", domain: str | None = None,
                   secure: bool = False, httponly: bool = True, samesite: str | None = "Lax") -> None:
        """Add a ``Set-Cookie`` header. HttpOnly and SameSite=Lax by default."""
        line = render_set_cookie(name, value, max_age=max_age, expires=expires, path=path,
                                 domain=domain, secure=secure, httponly=httponly, samesite=samesite)
        if self._cookies is None:
            self._cookies = []
        self._cookies.append(line)

    def delete_cookie(self, name: str, *, path: str = "/", domain: str | None = None) -> None:
        self.set_cookie(name, "", max_age=0, path=path, domain=domain)

    def header_list(self) -> list[tuple[str, str]]:
        """Every header line to send, ``Content-Type``/``Content-Length`` first."""
        body = self.body
        out = [("content-type", self.content_type)]
        if type(body) is bytes and self.status not in (204, 304):
            out.append(("content-length", str(len(body))))
        if self._headers:
            out.extend(self._headers)
        if self._cookies:
            out.extend(("set-cookie", c) for c in self._cookies)
        return out

    def __repr__(self) -> str:
        return f"<Response {self.status} {self.content_type}>"


# -- JSON ------------------------------------------------------------------------
def _default(obj: Any) -> Any:
    if isinstance(obj, (_dt.datetime, _dt.date, _dt.time)):
        return obj.isoformat()
    if isinstance(obj, (uuid.UUID, decimal.Decimal)):
        return str(obj)
    if isinstance(obj, enum.Enum):
        return obj.value
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return dataclasses.asdict(obj)
    if isinstance(obj, (set, frozenset, tuple)):
        return list(obj)
    to_dict = getattr(obj, "to_dict", None) or getattr(obj, "model_dump", None)
    if callable(to_dict):
        return to_dict()
    if hasattr(obj, "__data__") and hasattr(type(obj), "_meta"):  # a peewee model instance
        from playhouse.shortcuts import model_to_dict
        return model_to_dict(obj, recurse=False)
    raise TypeError(f"{type(obj).__name__} is not JSON serializable")


_encoder = _json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=_default)

if _orjson is not None:
    _ORJSON_OPTS = _orjson.OPT_NON_STR_KEYS

    def dumps(data: Any) -> bytes:
        try:
            return _orjson.dumps(data, default=_default, option=_ORJSON_OPTS)
        except TypeError:
            # orjson refuses what JSON allows (integers past 64 bits, for one): the stdlib
            # encoder takes those, and still raises for what JSON cannot hold.
            return _encoder.encode(data).encode()
else:  # pragma: no cover - depends on the environment
    def dumps(data: Any) -> bytes:
        return _encoder.encode(data).encode()


def json(data: Any, status: int = 200, headers: Mapping[str, str] | None = None) -> Response:
    """A JSON response (orjson when installed)."""
    return Response(dumps(data), status, headers, JSON)


def redirect(url: str, status: int = 302) -> Response:
    """Redirect to ``url`` (``303`` after a form POST, ``301``/``308`` for permanent moves)."""
    if status not in (301, 302, 303, 307, 308):
        raise ValueError(f"{status} is not a redirect status")
    if any(c in url for c in "\r\n\0"):
        raise ValueError("redirect URL contains a line break")
    return Response(b"", status, [("location", url)], HTML)


def abort(status: int, message: str | None = None) -> NoReturn:
    """Stop the handler with an HTTP error (rendered as a page or JSON)."""
    raise http_error(status, message)
