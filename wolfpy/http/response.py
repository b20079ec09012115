"""Response and the helpers handlers return: json, redirect, abort, send_file."""
from __future__ import annotations

import dataclasses
import datetime as _dt
import enum
import json as _json
import re
import unicodedata
from typing import Any, Iterable, Iterator, Mapping, MutableMapping, NoReturn
from urllib.parse import quote

from ..errors import http_error
from ..typetable import JSON_ENCODERS
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
        value = _check_header(key, value)
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
        self._list.append((key, _check_header(key, value)))

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


# RFC 9110: a field name is a token; a field value is visible ASCII, spaces and tabs, or
# obs-text (bytes 0x80-0xFF, sent as Latin-1). Checked when a header is set, so that a
# bad value is an error where it is made, never a failure while the adapter encodes it.
_BAD_NAME = re.compile(r"[^!#$%&'*+\-.^_`|~0-9A-Za-z]")
_BAD_VALUE = re.compile(r"[^\t\x20-\x7e\x80-\xff]")


def _check_header(key: str, value: str) -> str:
    """``value`` ready to send as header ``key`` (a ``Location`` is percent-encoded), or an error."""
    if type(key) is not str or type(value) is not str:
        raise TypeError(f"header names and values must be str, got {key!r}: {value!r}")
    if not key or _BAD_NAME.search(key):
        raise ValueError(f"invalid header name {key!r}: use letters, digits and - only")
    if key.lower() == "location":
        return encode_url(value)
    bad = _BAD_VALUE.search(value)
    if bad is not None:
        char = bad.group()
        what = "a line break" if char in "\r\n" else f"the character {char!r} (U+{ord(char):04X})"
        raise ValueError(f"header {key!r}: the value contains {what}, which an HTTP header cannot "
                         "carry; encode it first (redirect() percent-encodes URLs, send_file() "
                         "encodes download names)")
    return value


# -- URLs -------------------------------------------------------------------------
# What may stay as it is in a URL (RFC 3986 reserved and unreserved characters), and
# a valid percent escape; everything else is percent-encoded as UTF-8.
_URL_READY = re.compile(r"(?:[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})*")
_LONE_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
_URL_SAFE = ":/?#[]@!$&'()*+,;=%"


def encode_url(url: str) -> str:
    """``url`` in RFC 3986 form: characters a URL cannot hold (non-ASCII, spaces, control
    characters such as CR and LF, ``\\``, ``"``, ``<``, ...) are percent-encoded as UTF-8;
    valid escapes such as ``%20`` are kept, a lone ``%`` becomes ``%25``.

    ``encode_url("/café?q=a b")`` is ``"/caf%C3%A9?q=a%20b"``; an encoded URL is unchanged.
    """
    if type(url) is not str:
        raise TypeError(f"a URL must be a str, got {type(url).__name__}")
    if _URL_READY.fullmatch(url):
        return url
    return quote(_LONE_PERCENT.sub("%25", url), safe=_URL_SAFE, errors="surrogatepass")


# -- Content-Disposition (RFC 6266) ------------------------------------------------------
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def content_disposition(filename: str, disposition: str = "attachment") -> str:
    """A ``Content-Disposition`` value for ``filename``: ``filename="..."`` in ASCII, plus
    ``filename*=UTF-8''...`` (RFC 6266, RFC 8187) when the name is not plain ASCII.

    Control characters become ``_``; the ASCII fallback drops accents and other non-ASCII
    characters, and replaces ``"`` and ``\\``.
    """
    name = _CONTROL.sub("_", filename)
    fallback = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    fallback = fallback.replace('"', "_").replace("\\", "_").replace("%", "_").strip() or "download"
    if fallback == name:
        return f'{disposition}; filename="{fallback}"'
    encoded = quote(name, safe="!#$&+^`|", errors="surrogatepass")
    return f"{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{encoded}"


_KNOWN_TYPES = frozenset({"text/html; charset=utf-8", "text/plain; charset=utf-8", "application/json",
                          "application/octet-stream"})
_NO_BODY = frozenset({204, 304})


class Response:
    """An HTTP response: a body (bytes, or an iterable of bytes for streaming), a status, headers.

    ``Response("<p>hi</p>")`` is HTML; bytes default to ``application/octet-stream``.
    """

    __slots__ = ("body", "status", "_content_type", "_headers", "_cookies", "on_close")

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
        if content_type is None:
            content_type = OCTET
        elif content_type not in _KNOWN_TYPES:
            content_type = _check_header("content-type", content_type)
        self._content_type = content_type
        if headers:
            items = list(headers.items()) if isinstance(headers, Mapping) else list(headers)
            self._headers: list[tuple[str, str]] | None = [(k, _check_header(k, v)) for k, v in items]
        else:
            self._headers = None
        self._cookies: list[str] | None = None
        self.on_close: Any = None

    @property
    def content_type(self) -> str:
        """The ``Content-Type`` header (not sent on 204 and 304 responses)."""
        return self._content_type

    @content_type.setter
    def content_type(self, value: str) -> None:
        self._content_type = _check_header("content-type", value)

    @property
    def headers(self) -> MutableHeaders:
        if self._headers is None:
            self._headers = []
        return MutableHeaders(self._headers)

    @property
    def raw_headers(self) -> list[tuple[str, str]]:
        """The ``(name, value)`` pairs set on this response, as a plain list that middleware
        may extend in bulk (the built-in security headers do). Unlike ``headers[...] =``,
        nothing checks what is added here: add only constant, valid header values."""
        if self._headers is None:
            self._headers = []
        return self._headers

    @property
    def text(self) -> str:
        return self.body.decode() if isinstance(self.body, bytes) else ""

    def set_cookie(self, name: str, value: str = "", *, max_age: int | None = None,
                   expires: _dt.datetime | None = None, path: str = "/", domain: str | None = None,
                   secure: bool = False, httponly: bool = True, samesite: str | None = "Lax") -> None:
        """Add a ``Set-Cookie`` header. HttpOnly and SameSite=Lax by default."""
        for what, part in (("path", path), ("domain", domain)):
            if part and (";" in part or not part.isascii() or _BAD_VALUE.search(part)):
                raise ValueError(f"cookie {what} {part!r}: use ASCII without ';' or control characters")
        line = render_set_cookie(name, value, max_age=max_age, expires=expires, path=path,
                                 domain=domain, secure=secure, httponly=httponly, samesite=samesite)
        if self._cookies is None:
            self._cookies = []
        self._cookies.append(line)

    def delete_cookie(self, name: str, *, path: str = "/", domain: str | None = None) -> None:
        self.set_cookie(name, "", max_age=0, path=path, domain=domain)

    def header_list(self) -> list[tuple[str, str]]:
        """Every header line to send, ``Content-Type``/``Content-Length`` first.

        A 204 or 304 response has neither, and no body: one set anyway is dropped here.
        """
        body = self.body
        if self.status in _NO_BODY:
            out = []
            if type(body) is not bytes or body:
                close = getattr(body, "close", None)
                if close is not None:
                    close()
                self.body = b""
        else:
            out = [("content-type", self._content_type)]
            if type(body) is bytes:
                out.append(("content-length", str(len(body))))
        if self._headers:
            out.extend(self._headers)
        if self._cookies:
            out.extend(("set-cookie", c) for c in self._cookies)
        return out

    def __repr__(self) -> str:
        return f"<Response {self.status} {self._content_type}>"


# -- JSON ------------------------------------------------------------------------
# The value types of the table (dates, UUID, Decimal, ...); a subclass is encoded as
# the first of them it is an instance of.
_ENCODED_TYPES = tuple(JSON_ENCODERS)


def _default(obj: Any) -> Any:
    encode = JSON_ENCODERS.get(type(obj))
    if encode is None and isinstance(obj, _ENCODED_TYPES):
        encode = next(f for t, f in JSON_ENCODERS.items() if isinstance(obj, t))
    if encode is not None:
        return encode(obj)
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
    """Redirect to ``url`` (``303`` after a form POST, ``301``/``308`` for permanent moves).

    ``url`` is sent percent-encoded (:func:`encode_url`): non-ASCII characters, spaces and
    control characters (CR and LF included) can never break the ``Location`` header.
    Redirecting to a URL taken from the request? Pass it through ``safe_next`` first.
    """
    if status not in (301, 302, 303, 307, 308):
        raise ValueError(f"{status} is not a redirect status")
    return Response(b"", status, [("location", encode_url(url))], HTML)


def abort(status: int, message: str | None = None) -> NoReturn:
    """Stop the handler with an HTTP error (rendered as a page or JSON)."""
    raise http_error(status, message)
