"""Built-in middleware, chosen by name in ``[middleware] builtin`` (in that order)."""
from __future__ import annotations

import re
import uuid
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
            if request._io.scheme(request._src) == "https":
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


REGISTRY: dict[str, Callable[[Any], Any]] = {
    "security_headers": SecurityHeaders,
    "request_id": RequestId,
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
