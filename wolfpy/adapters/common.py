"""What the WSGI and ASGI adapters share, written once and free of either protocol.

Each function takes plain strings, bytes and numbers (never an ``environ`` or a
``scope``): the request-target → the raw path, the declared body length and the
early 413, the body of a ``HEAD`` response, ``Connection: close`` after an early
error, and the app's :class:`~wolfpy.http.request.RequestConfig`. The body reader
is :mod:`wolfpy.http.body`'s and the WebSocket origin check is
:func:`wolfpy.http.hosts.origin_allowed`, over the same host rule as the
``allowed_hosts`` built-in.
"""
from __future__ import annotations

from typing import Any
from urllib.parse import quote

from ..errors import BadRequest, HTTPError
from ..http.body import body_too_large
from ..http.hosts import HostMatcher, allowed_patterns
from ..http.request import RequestConfig

#: What stays unescaped when a decoded path is encoded again (RFC 3986 ``pchar`` and ``/``).
SAFE_PATH = "/:@!$&'()*+,;=-._~"
#: Sent after an early error: the unread body makes the connection unusable.
CONNECTION_CLOSE = ("connection", "close")


def request_config(app: Any) -> RequestConfig:
    """``app``'s :class:`RequestConfig`, built from its settings on first use and kept on
    the app (``app.request_config``): settings do not change once an app serves."""
    config: RequestConfig | None = app.request_config
    if config is None:
        settings = app.settings
        config = app.request_config = RequestConfig(
            limits=settings.limits,
            trusted_proxies=frozenset(settings.security.trusted_proxies),
            hosts=HostMatcher(allowed_patterns(settings)))
    return config


def target_path(target: str, script_name: str | None = None) -> str:
    """The raw (still percent-encoded) path of a request-target, so that each segment is
    decoded exactly once later: the query is dropped, an absolute-form target
    (``http://host/path``, which proxies send and servers pass through) keeps only its
    path, and a mount prefix ``script_name`` (decoded, as WSGI gives it) is removed."""
    path = target.partition("?")[0] if "?" in target else target
    if path[:1] != "/":
        rest = path.partition("://")[2]
        path = "/" + rest.partition("/")[2] if rest else "/"
    if script_name:
        quoted = quote(script_name.encode("latin-1"), safe=SAFE_PATH)
        if path.startswith(quoted):
            path = path[len(quoted):] or "/"
    return path


def quote_path(decoded: bytes) -> str:
    """A path a server gave already decoded, percent-encoded again (when it gives no raw one)."""
    return quote(decoded, safe=SAFE_PATH)


def _invalid_length() -> BadRequest:
    return BadRequest(message="invalid Content-Length header")


def content_length(value: str | bytes) -> int:
    """A ``Content-Length`` value as a number; 400 when it is not plain ASCII digits
    (``-1``, ``1, 2``, ``+3`` and ``²`` are refused)."""
    if not (value.isascii() and value.isdigit()):
        raise _invalid_length()
    return int(value)


def early_body_error(value: str | bytes | None, limit: int) -> HTTPError | None:
    """What to answer before reading a byte of the body, from its declared length: 413
    when it is over ``limit``, 400 when it is not a number (see :func:`content_length`),
    None when reading may start. Either is sent with :data:`CONNECTION_CLOSE`; the WSGI
    adapter, which reads the body only when a handler asks, leaves the 400 to that read."""
    if value is None:
        return None
    if not (value.isascii() and value.isdigit()):
        return _invalid_length()
    return body_too_large(limit) if int(value) > limit else None


def discard_body(body: Any) -> bytes:
    """The body of the answer to ``HEAD``: nothing. A streamed body is closed unread."""
    if hasattr(body, "close"):
        body.close()
    return b""
