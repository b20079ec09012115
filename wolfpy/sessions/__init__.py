"""Sessions: ``request.session``, a dict kept in a signed cookie (default) or in Redis.

Switched on by ``sessions`` in ``[middleware] builtin``; ``[session] backend``
picks the store (``cookie`` or ``redis``), ``lifetime`` and ``idle_timeout`` (seconds)
bound how long one lives. ``Vary: Cookie`` is sent whenever a handler reads it.
"""
from __future__ import annotations

import secrets
import time
from typing import Any, Callable, Iterator, MutableMapping

from ..context import current_request

COOKIE_NAME = "wolfpy_session"
_INTERNAL = ("_created", "_seen", "_csrf", "_flashes", "_user")
MAX_FLASHES = 10   # pending flash messages kept; older ones are dropped
_MISSING = object()


class Session(MutableMapping[str, Any]):
    """The session of one request: loaded on first use, saved only when changed.

    ``check(data)``, when given, runs after every assignment and may refuse it by raising
    (the cookie store refuses a session too large for its cookie); the assignment is
    then undone, and the error raised where the handler made it.
    """

    def __init__(self, loader: Callable[[], tuple[str | None, dict[str, Any]]],
                 check: Callable[[dict[str, Any]], None] | None = None) -> None:
        self._loader = loader
        self._check = check
        self._data: dict[str, Any] | None = None
        self.id: str | None = None
        self.accessed = False
        self.modified = False
        self.regenerated = False
        self.discarded: str | None = None   # a server-side id to delete on save

    def _load(self) -> dict[str, Any]:
        data = self._data
        if data is None:
            self.id, data = self._loader()
            self._data = data
            self.accessed = True
        return data

    def __getitem__(self, key: str) -> Any:
        return self._load()[key]

    def __setitem__(self, key: str, value: Any) -> None:
        data = self._load()
        check = self._check
        if check is not None:
            old = data.get(key, _MISSING)
            data[key] = value
            try:
                check(data)
            except BaseException:
                if old is _MISSING:
                    del data[key]
                else:
                    data[key] = old
                raise
        else:
            data[key] = value
        self.modified = True

    def __delitem__(self, key: str) -> None:
        del self._load()[key]
        self.modified = True

    def __iter__(self) -> Iterator[str]:
        return (k for k in self._load() if k not in _INTERNAL)

    def __len__(self) -> int:
        return sum(1 for k in self._load() if k not in _INTERNAL)

    def __contains__(self, key: object) -> bool:
        return key in self._load()

    def clear(self) -> None:
        """Forget everything, WolfPy's own keys included (the CSRF token, the login)."""
        self._load().clear()
        self.modified = True

    def regenerate(self) -> None:
        """A new session id with the same data: call on login (session fixation)."""
        self._load()
        if self.id is not None:
            self.discarded = self.id
        self.id = None
        self.regenerated = True
        self.modified = True

    def invalidate(self) -> None:
        """Logout: empty the session, delete it server-side, and start a fresh id."""
        self.clear()
        self.regenerate()

    @property
    def loaded(self) -> bool:
        return self._data is not None

    def data(self) -> dict[str, Any]:
        return self._load()

    def __repr__(self) -> str:
        return f"<Session {dict(self) if self._data is not None else '(not loaded)'}>"


def new_session_data() -> dict[str, Any]:
    now = int(time.time())
    return {"_created": now, "_seen": now}


def new_session_id() -> str:
    return secrets.token_urlsafe(32)


def flash(request: Any, message: str, category: str = "info") -> None:
    """Keep ``message`` for the next page the user sees (``flashes()`` in templates).

    At most :data:`MAX_FLASHES` wait: when pages that never show them pile them up, the
    oldest are dropped, so the session (often a cookie) does not grow without end.
    """
    pending = request.session.get("_flashes") or []
    request.session["_flashes"] = [*pending, [category, message]][-MAX_FLASHES:]


def get_flashes(request: Any = None, with_categories: bool = False) -> list[Any]:
    """The pending flash messages, removed from the session as they are read."""
    request = request or current_request()
    if not request.has_session:
        return []
    pending = request.session.get("_flashes") or []
    if pending:
        del request.session["_flashes"]
    return [tuple(item) for item in pending] if with_categories else [item[1] for item in pending]
