"""Strict parsing of ``Host`` values and origins, and matching against ``[app] allowed_hosts``.

A Host is ``uri-host [":" port]`` (RFC 9110 section 7.2): a DNS name (letters, digits,
``-`` and ``_`` in dot-separated labels), an IPv4 address, or an IPv6 address in
brackets, then an optional numeric port. Anything else is refused: user information
(``example.com:x@evil.com``), a path, spaces, control characters, an empty port,
percent escapes. The ``allowed_hosts`` built-in, the WebSocket origin check,
``safe_next`` and the CSRF origin check all read hosts through this module, so they all
agree on what a host is; the first two also admit exactly the same hosts
(:class:`HostMatcher` over :func:`allowed_patterns`).
"""
from __future__ import annotations

import ipaddress
import re
from typing import Iterable, NamedTuple

MAX_HOST_LENGTH = 255
DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}
#: Names a development server and the test client use; allowed outside production.
DEBUG_HOSTS = ("localhost", "127.0.0.1", "[::1]", "testserver")

_NAME = re.compile(r"[a-z0-9_-]{1,63}(?:\.[a-z0-9_-]{1,63})*\.?")
_PORT = re.compile(r"[0-9]{1,5}")


class Host(NamedTuple):
    """A parsed host: ``name`` lower-cased without a trailing dot (IPv6 in brackets), ``port``."""

    name: str
    port: int | None

    def effective_port(self, scheme: str) -> int | None:
        """The port, or the scheme's default when none was given."""
        return self.port if self.port is not None else DEFAULT_PORTS.get(scheme.lower())


def parse_host(value: str | None) -> Host | None:
    """``value`` as a :class:`Host`, or None when it is not exactly ``host[:port]``."""
    if not value or len(value) > MAX_HOST_LENGTH or not value.isascii():
        return None
    value = value.lower()
    if value[0] == "[":
        end = value.find("]")
        if end < 0:
            return None
        literal, rest = value[1:end], value[end + 1:]
        if not literal or "%" in literal:
            return None
        try:
            ipaddress.IPv6Address(literal)
        except ValueError:
            return None
        name = value[:end + 1]
    else:
        name, sep, port_text = value.partition(":")
        rest = sep + port_text
        if not _NAME.fullmatch(name):
            return None
        name = name.rstrip(".")
    if not rest:
        return Host(name, None)
    if rest[0] != ":" or not _PORT.fullmatch(rest[1:]):
        return None
    port = int(rest[1:])
    if port > 65535:
        return None
    return Host(name, port)


def parse_origin(value: str | None) -> tuple[str, Host] | None:
    """An ``Origin`` (``scheme://host[:port]``, nothing after it) as (scheme, Host), else None."""
    if not value:
        return None
    scheme, sep, rest = value.partition("://")
    if not sep or not scheme.isascii() or not scheme.isalpha():
        return None
    host = parse_host(rest[:-1] if rest.endswith("/") else rest)
    if host is None:
        return None
    return scheme.lower(), host


class HostMatcher:
    """Which hosts a list of ``allowed_hosts`` patterns admits.

    A pattern is an exact name (``example.com``, any port), a name with a port
    (``example.com:8000``, that port only), ``.example.com`` (the domain and every
    subdomain), or ``*`` (every well-formed host).
    """

    __slots__ = ("any", "names", "name_ports", "suffixes", "invalid")

    def __init__(self, patterns: Iterable[str]) -> None:
        self.any = False
        self.names: set[str] = set()
        self.name_ports: set[tuple[str, int]] = set()
        suffixes: list[str] = []
        self.invalid: list[str] = []
        for raw in patterns:
            pattern = str(raw).strip().lower()
            if pattern == "*":
                self.any = True
            elif pattern.startswith(".") and parse_host(pattern[1:]) is not None and ":" not in pattern:
                suffixes.append(pattern.rstrip("."))
            else:
                host = parse_host(pattern)
                if host is None:
                    self.invalid.append(str(raw))
                elif host.port is None:
                    self.names.add(host.name)
                else:
                    self.name_ports.add((host.name, host.port))
        self.suffixes = tuple(suffixes)

    def allows(self, host: Host) -> bool:
        if self.any or host.name in self.names or (host.name, host.port) in self.name_ports:
            return True
        return bool(self.suffixes) and (host.name.endswith(self.suffixes)
                                        or "." + host.name in self.suffixes)


def allowed_patterns(settings: object) -> list[str]:
    """``[app] allowed_hosts``, plus the development names unless the app runs in
    production (debug on, or run by ``wolfpy test`` and other tools, not by a server)."""
    configured = list(getattr(settings, "app").allowed_hosts)
    if getattr(settings, "debug", False) or not getattr(settings, "production", True):
        configured += DEBUG_HOSTS
    return configured


def origin_allowed(origin: str, host: str, matcher: HostMatcher) -> bool:
    """Whether a browser on ``origin`` may open a connection to this site (the WebSocket
    handshake's check against cross-site hijacking).

    Yes when the origin names the request's own ``host`` (the same name and port as
    written, whatever the scheme: a proxy may end TLS in front of the server), or a host
    ``matcher`` admits: the hosts ``[app] allowed_hosts`` lets through for HTTP, so
    ``.example.com`` and ``*`` mean the same for both. A malformed origin, ``null``
    included, is another site.
    """
    parsed = parse_origin(origin.strip())
    if parsed is None:
        return False
    sender = parsed[1]
    return sender == parse_host(host) or matcher.allows(sender)
