"""The ``allowed_hosts`` built-in: 400 for a ``Host`` that ``[app] allowed_hosts`` does not admit."""
from __future__ import annotations

from typing import Any

from ..errors import BadRequest, ConfigError
from ..http.hosts import HostMatcher, allowed_patterns, parse_host
from . import Hooks


KNOWN_HOSTS = 512  # Host values whose answer is kept, per App


class AllowedHosts(Hooks):
    """400 for a ``Host`` that is malformed (see :mod:`wolfpy.http.hosts`) or not in
    ``[app] allowed_hosts`` (exact names, ``name:port``, ``.example.com`` for a domain and
    its subdomains, ``*`` for any well-formed host). In debug, localhost names are always
    allowed. The WebSocket origin check admits the same hosts."""

    name = "allowed_hosts"

    def __init__(self, app: Any) -> None:
        matcher = HostMatcher(allowed_patterns(app.settings))
        if matcher.invalid:
            names = ", ".join(repr(p) for p in matcher.invalid)
            raise ConfigError(f"[app] allowed_hosts: not a host name: {names}; write names such as "
                              "\"example.com\", \"example.com:8000\", \".example.com\" (a domain and "
                              "its subdomains) or \"*\"")

        # Host values seen, and whether they are allowed: parsing and matching once per
        # name, not per request. Bounded: names past the limit are checked each time.
        known: dict[str, bool] = {}

        def before(request: Any) -> Any:
            # No Host header, or an empty one: malformed (RFC 9112 3.2 wants a 400).
            value: str = request.host if request.headers.get("host") else ""
            ok = known.get(value) if value else False
            if ok is None:
                parsed = parse_host(value)
                ok = parsed is not None and matcher.allows(parsed)
                if len(known) < KNOWN_HOSTS:
                    known[value] = ok
            if ok and len(request.headers.getlist("host")) < 2:
                return None
            if ok or parse_host(value) is None:   # sent twice, or malformed
                raise BadRequest(message="invalid Host header")
            raise BadRequest(message="unknown host: add it to [app] allowed_hosts")
        self.before = before
