"""The session a :class:`~wolfpy.testing.TestClient` holds: its CSRF token, and a signed-in user.

The client keeps the session cookie; these helpers read and write the session behind it
through the app's own session store (signed cookie or Redis), exactly as the sessions
middleware would, so a test never scrapes a token out of HTML.
"""
from __future__ import annotations

import secrets
from typing import Any

from .sessions import COOKIE_NAME, new_session_data

CSRF_KEY = "_csrf"


def _builtins(app: Any) -> list[str]:
    try:
        return list(app.settings.middleware.builtin)
    except AttributeError:
        return []


def uses_csrf(app: Any) -> bool:
    names = _builtins(app)
    return "sessions" in names and "csrf" in names


class ClientSession:
    """Reads and writes the session behind one client's cookie jar."""

    def __init__(self, app: Any, cookies: dict[str, str]) -> None:
        self.app = app
        self.cookies = cookies
        self._store: Any = None

    @property
    def store(self) -> Any:
        if self._store is None:
            from .sessions.middleware import make_store
            self._store = make_store(self.app)
        return self._store

    def load(self) -> tuple[str | None, dict[str, Any]]:
        sid, data, _ = self.store.load_checked(self.cookies.get(COOKIE_NAME))
        return sid, data

    def save(self, sid: str | None, data: dict[str, Any]) -> None:
        self.cookies[COOKIE_NAME] = self.store.save(sid, data)

    def csrf_token(self) -> str | None:
        """The session's CSRF token, made (and the cookie set) when it has none; None when the
        app has no ``sessions`` and ``csrf`` middleware."""
        if not uses_csrf(self.app):
            return None
        sid, data = self.load()
        token = data.get(CSRF_KEY)
        if not token:
            token = data[CSRF_KEY] = secrets.token_urlsafe(32)
            self.save(sid, data)
        return str(token)

    def login(self, user: Any) -> None:
        """Sign ``user`` in, as ``wolfpy.auth.login`` does: a new session with their id."""
        if "sessions" not in _builtins(self.app):
            raise RuntimeError("client.login() needs the sessions middleware: add \"sessions\" (and "
                               "\"auth\") to [middleware] builtin")
        from .auth.users import SESSION_KEY
        sid, data = self.load()
        self.store.delete(sid)
        user_id = user.get_id() if hasattr(user, "get_id") else user.id
        data = {k: v for k, v in data.items() if k != CSRF_KEY}
        if data.get(SESSION_KEY) is not None and str(data[SESSION_KEY]) != str(user_id):
            data = new_session_data()
        data[SESSION_KEY] = user_id
        self.save(None, data)

    def logout(self) -> None:
        sid, _ = self.load()
        self.store.delete(sid)
        self.cookies.pop(COOKIE_NAME, None)
