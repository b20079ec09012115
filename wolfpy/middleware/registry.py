"""Built-in middleware by name: what ``[middleware] builtin`` may list, in the order given.

Each name maps to a factory ``factory(app)`` that returns the middleware for one App.
The ``sessions``, ``csrf`` and ``auth`` factories import their packages only when an
app asks for them. Plugins add names with :func:`register`.
"""
from __future__ import annotations

from typing import Any, Callable

from ..errors import ConfigError
from .access_log import AccessLog
from .allowed_hosts import AllowedHosts
from .request_id import RequestId
from .security_headers import SecurityHeaders

Factory = Callable[[Any], Any]


def _sessions(app: Any) -> Any:
    from ..sessions.middleware import Sessions
    return Sessions(app)


def _csrf(app: Any) -> Any:
    from .csrf import CSRF
    return CSRF(app)


def _auth(app: Any) -> Any:
    from ..auth.middleware import Authentication
    return Authentication(app)


# Process-wide on purpose: a name means the same middleware in every app of the process,
# as an entry point does; plugins add theirs with register() when they are imported,
# before any app reads its [middleware] builtin list. Each app still builds its own
# instances from these factories.
REGISTRY: dict[str, Factory] = {
    "security_headers": SecurityHeaders,
    "request_id": RequestId,
    "access_log": AccessLog,
    "allowed_hosts": AllowedHosts,
    "sessions": _sessions,
    "csrf": _csrf,
    "auth": _auth,
}


def register(name: str, factory: Factory) -> None:
    """Make a middleware factory ``factory(app)`` selectable by ``name`` (for plugins)."""
    REGISTRY[name] = factory


def build_builtins(app: Any, names: list[str]) -> list[Any]:
    """The middleware ``names`` select, built for ``app``, in that order."""
    out = []
    for name in names:
        factory = REGISTRY.get(name)
        if factory is None:
            raise ConfigError(f"[middleware] builtin: unknown middleware {name!r} "
                              f"(available: {', '.join(sorted(REGISTRY))})")
        out.append(factory(app))
    return out
