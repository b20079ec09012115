"""The Request: lazy, slotted, sans-IO.

An adapter builds a Request from what it knows cheaply (the app, its
:class:`RequestConfig`, the method, the raw path, the query string, the scheme)
plus an opaque ``src`` and the adapter object ``io`` that can read headers, the
client address and the body out of ``src`` on demand. Nothing is parsed until a
handler asks for it, and nothing is read from the app's settings: what the
parsers need is in the config, built once per app.
"""
from __future__ import annotations

import json as _json
import sys
from dataclasses import dataclass, field
from typing import Any, Callable
from urllib.parse import unquote

from ..errors import BadRequest, PayloadTooLarge, UnsupportedMediaType, WolfPyError
from .cookies import parse_cookie_header
from .datastructures import Headers, MultiDict
from .hosts import HostMatcher
from .limits import DEFAULT_LIMITS, Limits
from .urlencoded import parse_plain_form, parse_query, parse_urlencoded

_EMPTY_MULTI = MultiDict()
_PREFERS_JSON: dict[str, bool] = {}
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
_URLENCODED = "application/x-www-form-urlencoded"


@dataclass(frozen=True)
class RequestConfig:
    """What requests need from their app's settings, read once per app.

    ``limits`` bound every parser; ``trusted_proxies`` are the peers whose
    ``X-Forwarded-For`` counts for ``client_ip``; ``hosts`` admits what ``[app]
    allowed_hosts`` (with the development names outside production) allows, for the
    WebSocket origin check. The adapters build it from the settings
    (:func:`wolfpy.adapters.common.request_config`).
    """

    limits: Limits = DEFAULT_LIMITS
    trusted_proxies: frozenset[str] = frozenset()
    hosts: HostMatcher = field(default_factory=lambda: HostMatcher(()))


class Request:
    """An HTTP request as handlers see it. docs/requests-and-responses.md lists the public attributes;
    ``scheme`` and ``config`` (the app's :class:`RequestConfig`) come from the adapter."""

    __slots__ = (
        "app", "config", "method", "raw_path", "query_string", "scheme", "params", "route", "_user",
        "_src", "_io", "_headers", "_query", "_cookies", "_payload", "_path", "_session", "_state",
    )

    def __init__(self, app: Any, config: RequestConfig, io: Any, src: Any, method: str, raw_path: str,
                 query_string: str, scheme: str = "http") -> None:
        self.app = app
        self.config = config
        self.scheme = scheme
        self._io = io
        self._src = src
        self.method = method
        self.raw_path = raw_path
        self.query_string = query_string
        self.params: dict[str, Any] = {}
        self.route: Any = None
        self._user: Any = None
        self._headers: Headers | None = None
        self._query: MultiDict | None = None
        self._cookies: dict[str, str] | None = None
        self._payload: _Payload | None = None   # what is read from the body, once read
        self._path: str | None = None
        self._session: Any = None
        self._state: dict[str, Any] | None = None

    # -- URL ----------------------------------------------------------------
    @property
    def path(self) -> str:
        """The percent-decoded path (``/files/a b``); ``raw_path`` keeps the encoding."""
        p = self._path
        if p is None:
            p = self._path = unquote(self.raw_path) if "%" in self.raw_path else self.raw_path
        return p

    @property
    def host(self) -> str:
        return self._io.host(self._src)

    @property
    def url(self) -> str:
        qs = self.query_string
        return f"{self.scheme}://{self.host}{self.raw_path}{'?' + qs if qs else ''}"

    @property
    def is_secure(self) -> bool:
        return self.scheme in ("https", "wss")

    # -- headers and friends -------------------------------------------------
    @property
    def headers(self) -> Headers:
        h = self._headers
        if h is None:
            h = self._headers = self._io.headers(self._src)
        return h

    @property
    def query(self) -> MultiDict:
        q = self._query
        if q is None:
            if not self.query_string:
                q = _EMPTY_MULTI
            else:
                q = parse_query(self.query_string, self.config.limits)
            self._query = q
        return q

    @property
    def cookies(self) -> dict[str, str]:
        c = self._cookies
        if c is None:
            header = self.headers.get("cookie")
            c = self._cookies = parse_cookie_header(header) if header else {}
        return c

    @property
    def content_type(self) -> str:
        """The media type without parameters, lower-cased (``""`` when absent)."""
        value = self.headers.get("content-type", "")
        return value.split(";", 1)[0].strip().lower()

    @property
    def content_length(self) -> int | None:
        return self._io.content_length(self._src)

    @property
    def client(self) -> tuple[str, int] | None:
        """The peer's (host, port) as the server saw it."""
        return self._io.client(self._src)

    @property
    def client_ip(self) -> str | None:
        """The client's address; ``X-Forwarded-For`` counts only from a trusted proxy."""
        peer = self.client
        ip = peer[0] if peer else None
        trusted = self.config.trusted_proxies
        if not trusted or ip not in trusted:
            return ip
        forwarded = self.headers.getlist("x-forwarded-for")
        hops = [h.strip() for value in forwarded for h in value.split(",") if h.strip()]
        # Walk from the nearest hop; the first address that is not a trusted proxy is the client.
        for hop in reversed(hops):
            if hop not in trusted:
                return hop
        return hops[0] if hops else ip

    def accepts(self, mime: str) -> bool:
        """True if the ``Accept`` header allows ``mime`` (no header accepts everything)."""
        header = self.headers.get("accept")
        if not header:
            return True
        return _accept_quality(header, mime) > 0

    def prefers_json(self) -> bool:
        """True when the client ranks JSON above HTML (browsers never do)."""
        header = self.headers.get("accept")
        if not header:
            return False
        answer = _PREFERS_JSON.get(header)
        if answer is None:
            answer = _accept_quality(header, "application/json") > _accept_quality(header, "text/html")
            if len(_PREFERS_JSON) < 512:  # Accept headers repeat: a small bounded memo
                _PREFERS_JSON[header] = answer
        return answer

    # -- body ------------------------------------------------------------------
    def _reader(self) -> Any:
        p = self._payload
        if p is None:
            p = self._payload = _Payload()
        stream = p.stream
        if stream is None:
            encoding = self.headers.get("content-encoding")
            if encoding and encoding.strip().lower() != "identity":
                # Never decompressed: a few KB of gzip can hold gigabytes (a zip bomb).
                raise UnsupportedMediaType(message=f"request bodies with Content-Encoding {encoding!r} "
                                                   "are not accepted; send the body uncompressed")
            stream = p.stream = self._io.body(self._src, self.config.limits.max_body_size)
        return stream

    @property
    def body(self) -> bytes:
        """The whole body (at most ``max_body_size`` bytes, else 413)."""
        p = self._payload
        if p is None:
            p = self._payload = _Payload()
        b = p.body
        if b is None:
            if p.stream is None:
                # The adapter's one read of a short body of declared length, when it can.
                b = self._io.read_body(self._src, self.config.limits.max_body_size)
            if b is None:
                b = self._reader().read(-1)
            p.body = b
        return b

    @property
    def json(self) -> Any:
        """The body parsed as JSON; None for an empty body. Malformed JSON is a 400."""
        p = self._payload
        if p is None:
            p = self._payload = _Payload()
        value = p.json
        if value is _UNSET:
            value = p.json = self._parse_json()
        return value

    def _parse_json(self) -> Any:
        ctype = self.content_type
        if ctype and ctype != "application/json" and not ctype.endswith("+json"):
            raise UnsupportedMediaType(message=f"expected a JSON body, got {ctype}")
        limits = self.config.limits
        length = self.content_length
        if length is not None and length > limits.max_json_size:
            raise PayloadTooLarge(message=f"JSON body over the limit of {limits.max_json_size} bytes")
        raw = self.body
        if not raw:
            return None
        if len(raw) > limits.max_json_size:
            raise PayloadTooLarge(message=f"JSON body over the limit of {limits.max_json_size} bytes")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise BadRequest(message="the JSON body is not valid UTF-8") from None
        try:
            return loads_json(text, limits.max_json_depth)
        except ValueError as exc:
            raise BadRequest(message=f"malformed JSON: {exc}") from None

    @property
    def form(self) -> MultiDict:
        """Fields of a urlencoded or multipart body (empty for other bodies)."""
        p = self._payload
        if p is None:
            p = self._payload = _Payload()
        elif p.form is not None:
            return p.form
        limits = self.config.limits
        if p.body is None and p.stream is None:
            # A form as browsers send it, whose body the adapter reads in one call: one
            # look at the headers for both.
            body = self._io.read_body(self._src, limits.max_body_size, _URLENCODED)
            if body is not None:
                p.body = body
                p.files = _EMPTY_MULTI
                form = None
                if len(body) <= limits.max_form_field_size:  # what parse_urlencoded tries first
                    form = parse_plain_form(body, limits.max_form_parts)
                if form is None:
                    form = parse_urlencoded(body, limits)
                p.form = form
                return form
        return self._parse_form(p, limits)

    @property
    def files(self) -> MultiDict:
        """Uploaded files of a multipart body: name → UploadFile."""
        p = self._payload
        if p is None:
            p = self._payload = _Payload()
        if p.files is None:
            self._parse_form(p, self.config.limits)
        return p.files  # type: ignore[return-value]

    def _parse_form(self, p: _Payload, limits: Limits) -> MultiDict:
        ctype = self.content_type
        if ctype == _URLENCODED:
            p.files = _EMPTY_MULTI
            form = p.form = parse_urlencoded(self.body, limits)
            return form
        if ctype == "multipart/form-data":
            from .forms import parse_multipart
            source: Any = self._reader() if p.body is None else _BytesReader(p.body)
            p.form, p.files = parse_multipart(self.headers.get("content-type", ""), source, limits)
        else:
            p.form, p.files = _EMPTY_MULTI, _EMPTY_MULTI
        return p.form  # type: ignore[return-value]

    # -- per-request state -----------------------------------------------------
    @property
    def state(self) -> dict[str, Any]:
        """A dict for middleware and handlers to share values during one request."""
        s = self._state
        if s is None:
            s = self._state = {}
        return s

    @property
    def user(self) -> Any:
        """The signed-in user, or None. Loaded on first use (see ``wolfpy.auth``)."""
        user = self._user
        if type(user) is _LazyUser:
            user = self._user = user.load(self)
        return user

    @user.setter
    def user(self, value: Any) -> None:
        self._user = value

    def set_user_loader(self, load: Callable[["Request"], Any]) -> None:
        """Have ``request.user`` come from ``load(request)``, called the first time it is
        read (never, when nothing reads it). A user already set is kept."""
        if self._user is None:
            self._user = _LazyUser(load)

    @property
    def loaded_user(self) -> Any:
        """The user when ``request.user`` has been set or read during this request, else
        None; never loads it."""
        user = self._user
        return None if type(user) is _LazyUser else user

    @property
    def session(self) -> Any:
        s = self._session
        if s is None:
            raise WolfPyError("request.session is not available: no session middleware is enabled "
                              "for this app")
        return s

    @session.setter
    def session(self, value: Any) -> None:
        self._session = value

    @property
    def has_session(self) -> bool:
        """True when a session middleware gave this request a session (``request.session``)."""
        return self._session is not None

    def close(self) -> None:
        """Release uploaded files' temporary storage."""
        p = self._payload
        files = p.files if p is not None else None
        if files is not None and files is not _EMPTY_MULTI and files:
            for _, upload in files.items(multi=True):
                upload.close()

    def __repr__(self) -> str:
        return f"<Request {self.method} {self.raw_path}>"


class _LazyUser:
    """Placeholder for ``request.user`` until something reads it."""

    __slots__ = ("load",)

    def __init__(self, load: Any) -> None:
        self.load = load


class _Unset:
    __slots__ = ()

    def __repr__(self) -> str:
        return "<unset>"


_UNSET: Any = _Unset()


class _Payload:
    """What a request's body gave once read: the reader, the bytes, the form and files, the
    JSON. One slot of the Request until a handler reads the body, not five; the defaults
    are class attributes, so making one runs no Python code."""

    stream: Any = None
    body: bytes | None = None
    form: MultiDict | None = None
    files: MultiDict | None = None
    json: Any = _UNSET


class _BytesReader:
    __slots__ = ("_data", "_pos")

    def __init__(self, data: bytes) -> None:
        self._data = data
        self._pos = 0

    def read(self, n: int = -1) -> bytes:
        end = len(self._data) if n < 0 else self._pos + n
        chunk = self._data[self._pos:end]
        self._pos += len(chunk)
        return chunk


def loads_json(text: str, max_depth: int) -> Any:
    """Parse JSON text strictly, the way request bodies and WebSocket messages are read.

    Beyond :func:`json.loads`: ``NaN``, ``Infinity`` and ``-Infinity`` are refused
    (they are not JSON, RFC 8259 section 6), so is a number too large for a float
    (``1e999999`` would be ``inf``), an integer of more than 4,300 digits, a lone
    surrogate escape (``"\\ud800"`` cannot be encoded again) and nesting deeper than
    ``max_depth``. Each check costs nothing on a body that cannot trip it.

    Raises:
        ValueError: with a one-line reason; malformed JSON included.
    """
    try:
        value = _json.loads(text, parse_constant=_no_constant, parse_float=_finite_float,
                            parse_int=_int_parser())
    except RecursionError:
        raise ValueError("nested too deeply") from None
    if "\\u" in text:
        # Only an escape can produce a surrogate in text that was valid UTF-8; a
        # well-formed pair is joined by the decoder, so what is left is a lone one.
        try:
            _json.dumps(value, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            raise ValueError("a lone surrogate escape (\\ud800-\\udfff) is not text") from None
    # Nesting cannot exceed the number of brackets: count them (in C) before walking.
    if (text.count("[") + text.count("{") > max_depth) and _too_deep(value, max_depth):
        raise ValueError(f"nested deeper than {max_depth}")
    return value


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _finite_float(text: str) -> float:
    value = float(text)
    if value - value != 0:  # inf (nan cannot come from a JSON number)
        raise ValueError(f"number too large: {text[:20]}{'...' if len(text) > 20 else ''}")
    return value


_MAX_INT_DIGITS = 4300


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > _MAX_INT_DIGITS:
        raise ValueError(f"an integer of more than {_MAX_INT_DIGITS} digits")
    return int(text)


def _int_parser() -> Any:
    # Python >= 3.11 (and 3.10.7) refuses long digit strings itself, fast; parse with
    # int() in C then, and in Python only where that bound is absent or raised.
    limit = _int_max_str_digits()
    return None if 0 < limit <= _MAX_INT_DIGITS else _bounded_int


_int_max_str_digits = getattr(sys, "get_int_max_str_digits", lambda: 0)


def _too_deep(value: Any, limit: int) -> bool:
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            if depth > limit:
                return True
            stack.extend((v, depth + 1) for v in item.values() if isinstance(v, (dict, list)))
        elif isinstance(item, list):
            if depth > limit:
                return True
            stack.extend((v, depth + 1) for v in item if isinstance(v, (dict, list)))
    return False


def _accept_quality(header: str, mime: str) -> float:
    """The q-value ``header`` gives ``mime``, the most specific range winning."""
    main, _, sub = mime.partition("/")
    best_specificity, best_q = -1, 0.0
    for item in header.split(",")[:64]:
        range_, *params = item.split(";")
        range_ = range_.strip().lower()
        q = 1.0
        for p in params:
            k, _, v = p.strip().partition("=")
            if k.strip() == "q":
                try:
                    q = float(v)
                except ValueError:
                    q = 0.0
        r_main, _, r_sub = range_.partition("/")
        if range_ == mime:
            spec = 2
        elif r_main == main and r_sub == "*":
            spec = 1
        elif range_ in ("*/*", "*"):
            spec = 0
        else:
            continue
        if spec > best_specificity:
            best_specificity, best_q = spec, q
    return best_q
