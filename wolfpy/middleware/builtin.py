"""Built-in middleware, chosen by name in ``[middleware] builtin`` (in that order)."""
from __future__ import annotations

import logging
import re
import time
import uuid
import weakref
from typing import Any, Callable

from ..errors import ConfigError
from ..http.response import Response
from . import Hooks


class SecurityHeaders(Hooks):
    """nosniff, frame denial, a referrer policy; HSTS on HTTPS (SECURITY.md "headers")."""

    name = "security_headers"

    def __init__(self, app: Any) -> None:
        base = [
            ("x-content-type-options", "nosniff"),
            ("x-frame-options", "DENY"),
            ("referrer-policy", "strict-origin-when-cross-origin"),
            ("content-security-policy", "frame-ancestors 'none'"),
        ]
        hsts = ("strict-transport-security", "max-age=31536000; includeSubDomains")

        def after(request: Any, response: Response) -> Response:
            headers = response._headers
            if not headers:
                response._headers = headers = base.copy()
            else:
                present = {k.lower() for k, _ in headers}
                headers.extend(item for item in base if item[0] not in present)
                if hsts[0] in present:
                    return response
            if request.scheme == "https":
                headers.append(hsts)
            return response
        self.after = after


_REQUEST_ID = re.compile(r"^[A-Za-z0-9._\-]{1,128}$")


class RequestId(Hooks):
    """Gives every request an id (``request.state["request_id"]``) sent back as ``X-Request-ID``.

    An incoming ``X-Request-ID`` is reused only from a trusted proxy and only when
    it is a short token, so a client cannot inject text into the logs.
    """

    name = "request_id"

    def __init__(self, app: Any) -> None:
        trusted = set(app.settings.security.trusted_proxies)

        def before(request: Any) -> None:
            rid = None
            if trusted:
                peer = request.client
                incoming = request.headers.get("x-request-id")
                if peer and peer[0] in trusted and incoming and _REQUEST_ID.match(incoming):
                    rid = incoming
            request.state["request_id"] = rid or uuid.uuid4().hex
            return None

        def after(request: Any, response: Response) -> Response:
            rid = request.state.get("request_id")
            if rid is None:  # a response made before the chain ran (an early 413, say)
                before(request)
                rid = request.state["request_id"]
            response.headers["X-Request-ID"] = rid
            return response
        self.before, self.after = before, after


# -- access_log (see wolfpy/logs.py and docs/errors-and-logging.md) ---------------------
_ACCESS_START = "access_log_start"  # request.state key: time.perf_counter() at `before`
_ACCESS_DONE = -1.0                 # stored there once the line is written (never twice)


def _user_field(user: Any) -> Any:
    """What the access log says about ``request.user``: its username, else its id, else null."""
    if user is None or getattr(user, "is_authenticated", True) is False:
        return None
    for attr in ("username", "id"):
        value = getattr(user, attr, None)
        if value is not None:
            return value if isinstance(value, (str, int)) and not isinstance(value, bool) else str(value)
    return None


class AccessLog(Hooks):
    """One INFO record per request on the ``wolfpy.access`` logger, as a JSON line:
    ``request_id``, ``method``, ``path``, ``status``, ``duration_ms``, ``user``, ``client_ip``.

    Creating it configures the App's logging (:func:`wolfpy.logs.configure_logging`).
    The query string is never logged (it may carry tokens).
    """

    name = "access_log"

    def __init__(self, app: Any) -> None:
        from ..logs import configure_logging, is_configured
        configure_logging(app)
        logger = logging.getLogger("wolfpy.access")
        clock = time.perf_counter
        app_ref = weakref.ref(app)  # records name their App without keeping it alive
        request_ids: list[Any] = []

        def before(request: Any) -> None:
            request.state[_ACCESS_START] = clock()
            return None

        def after(request: Any, response: Response) -> Response:
            state = request.state
            start = state.get(_ACCESS_START)
            if start == _ACCESS_DONE:
                return response
            state[_ACCESS_START] = _ACCESS_DONE
            if not is_configured(app):  # closed by App.shutdown, and serving again
                configure_logging(app)
            if not logger.isEnabledFor(logging.INFO):
                return response
            rid = state.get("request_id")
            if rid is None:
                # A response made before the chain ran (an early 413): the request_id
                # built-in has not stamped the request yet; give it the id it will send.
                if not request_ids:
                    request_ids.extend(mw for mw in app._global_mw if isinstance(mw, RequestId))
                    request_ids.append(None)
                if request_ids[0] is not None:
                    request_ids[0].before(request)
                    rid = state.get("request_id")
            duration = round((clock() - start) * 1000, 3) if start is not None else None
            method, path, status = request.method, request.path, response.status
            # makeRecord + handle: logger.info() without its stack walk (findCaller).
            logger.handle(logger.makeRecord(
                "wolfpy.access", logging.INFO, "wolfpy.access", 0, "%s %s %s", (method, path, status), None,
                extra={"request_id": rid, "method": method, "path": path, "status": status,
                       "duration_ms": duration, "user": _user_field(request.user),
                       "client_ip": request.client_ip, "_wolfpy_app": app_ref}))
            return response
        self.before, self.after = before, after


def _sessions(app: Any) -> Any:
    from ..sessions.middleware import Sessions
    return Sessions(app)


def _auth(app: Any) -> Any:
    from ..auth.middleware import Authentication
    return Authentication(app)


def _csrf(app: Any) -> Any:
    from .csrf import CSRF
    return CSRF(app)


class AllowedHosts(Hooks):
    """400 for a ``Host`` that is malformed (see :mod:`wolfpy.http.hosts`) or not in
    ``[app] allowed_hosts`` (exact names, ``name:port``, ``.example.com`` for a domain and
    its subdomains, ``*`` for any well-formed host). In debug, localhost names are always
    allowed."""

    name = "allowed_hosts"

    def __init__(self, app: Any) -> None:
        from ..http.hosts import HostMatcher, allowed_patterns, parse_host
        matcher = HostMatcher(allowed_patterns(app.settings))
        if matcher.invalid:
            names = ", ".join(repr(p) for p in matcher.invalid)
            raise ConfigError(f"[app] allowed_hosts: not a host name: {names}; write names such as "
                              "\"example.com\", \"example.com:8000\", \".example.com\" (a domain and "
                              "its subdomains) or \"*\"")

        def before(request: Any) -> Any:
            host = parse_host(request.host)
            if host is not None and matcher.allows(host) and len(request.headers.getlist("host")) < 2:
                return None
            from ..errors import BadRequest
            if host is None or matcher.allows(host):   # malformed, or sent twice (RFC 9112 3.2)
                raise BadRequest(message="invalid Host header")
            raise BadRequest(message="unknown host: add it to [app] allowed_hosts")
        self.before = before


REGISTRY: dict[str, Callable[[Any], Any]] = {
    "security_headers": SecurityHeaders,
    "request_id": RequestId,
    "access_log": AccessLog,
    "allowed_hosts": AllowedHosts,
    "sessions": _sessions,
    "csrf": _csrf,
    "auth": _auth,
}


def register(name: str, factory: Callable[[Any], Any]) -> None:
    """Make a middleware factory ``factory(app)`` selectable by ``name`` (for plugins)."""
    REGISTRY[name] = factory


def build_builtins(app: Any, names: list[str]) -> list[Any]:
    out = []
    for name in names:
        factory = REGISTRY.get(name)
        if factory is None:
            raise ConfigError(f"[middleware] builtin: unknown middleware {name!r} "
                              f"(available: {', '.join(sorted(REGISTRY))})")
        out.append(factory(app))
    return out
