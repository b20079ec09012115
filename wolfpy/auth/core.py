"""login, logout, authenticate, request.user, @login_required, @role_required, safe ``next`` URLs."""
from __future__ import annotations

import functools
from typing import Any, Callable, TypeVar
from urllib.parse import quote, urlsplit

from ..context import current_request
from ..errors import HTTPError, WolfPyError
from ..http.request import _LazyUser
from ..http.response import redirect
from ..middleware import Hooks
from .passwords import verify_and_update

F = TypeVar("F", bound=Callable[..., Any])
LOGIN_URL = "/auth/login"
SESSION_KEY = "_user"


def get_user_model(app: Any) -> Any:
    """The project's ``User`` model (found in ``models/``)."""
    if not app.models and app.project is not None:
        app.bind_models()
    for model in app.models:
        if model.__name__ == "User":
            return model
    raise WolfPyError("no User model in models/: create one with `wolfpy generate auth`")


def authenticate(username: str, password: str, *, app: Any = None) -> Any:
    """The user with this username (or email) and password, else None.

    An unknown user costs the same time as a wrong password, and both give None.
    A hash made with an older scheme is upgraded on success.
    """
    app = app or current_request().app
    User = get_user_model(app)
    user = None
    if username:
        query = User.username == username
        if "@" in username and hasattr(User, "email"):
            query = query | (User.email == username)
        user = User.get_or_none(query)
    ok, new_hash = verify_and_update(password, user.password_hash if user is not None else None)
    if not ok or user is None:
        return None
    if getattr(user, "is_active", True) is False:
        return None
    if new_hash:
        user.password_hash = new_hash
        user.save(only=[User.password_hash])
    return user


def login(request: Any, user: Any) -> None:
    """Sign ``user`` in: a new session id (no fixation), the user's id kept in the session."""
    session = request.session
    session.regenerate()
    session[SESSION_KEY] = user.get_id() if hasattr(user, "get_id") else user.id
    request.user = user


def logout(request: Any) -> None:
    """Sign out: the session is emptied and deleted server-side, and gets a new id."""
    request.session.invalidate()
    request.user = None


class Authentication(Hooks):
    """The ``auth`` built-in: ``request.user`` from the session (loaded on first use), and
    ``Cache-Control: no-store`` on pages served to a signed-in user."""

    name = "auth"

    def __init__(self, app: Any) -> None:
        def load(request: Any) -> Any:
            if request._session is None:
                return None
            user_id = request.session.get(SESSION_KEY)
            if user_id is None:
                return None
            try:
                User = get_user_model(request.app)
            except WolfPyError:
                return None  # no User model (yet): nobody can be signed in
            user = User.get_or_none(User._meta.primary_key == user_id)
            if user is None or getattr(user, "is_active", True) is False:
                return None
            return user

        def before(request: Any) -> None:
            if request._user is None:
                request._user = _LazyUser(load)
            return None

        def after(request: Any, response: Any) -> Any:
            user = request._user
            if user is not None and type(user) is not _LazyUser:
                response.headers["Cache-Control"] = "no-store"
            return response
        self.before, self.after = before, after


def safe_next(url: str | None, request: Any = None, default: str = "/") -> str:
    """``url`` if it stays on this site, else ``default`` (no open redirects)."""
    if not url or len(url) > 2048:
        return default
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in url) or "\\" in url:
        return default  # browsers drop tabs/newlines and read "\" as "/": refuse both
    parts = urlsplit(url)
    if parts.scheme or parts.netloc:
        if request is None or parts.scheme not in ("http", "https") or parts.netloc.lower() != request.host.lower():
            return default
        return url
    if not url.startswith("/") or url.startswith("//"):
        return default
    return url


def _wants_json(request: Any) -> bool:
    return bool(request.app.wants_json(request))


def _deny_anonymous(request: Any) -> Any:
    if _wants_json(request):
        raise HTTPError(401, "authentication required", headers={"www-authenticate": "Bearer"})
    target = request.raw_path + (f"?{request.query_string}" if request.query_string else "")
    return redirect(f"{LOGIN_URL}?next={quote(target, safe='')}", status=303)


def _wrap(func: F, check: Callable[[Any], Any]) -> F:
    import inspect
    if inspect.iscoroutinefunction(func):
        @functools.wraps(func)
        async def async_wrapper(request: Any, *args: Any, **kwargs: Any) -> Any:
            denied = check(request)
            if denied is not None:
                return denied
            return await func(request, *args, **kwargs)
        return async_wrapper  # type: ignore[return-value]

    @functools.wraps(func)
    def wrapper(request: Any, *args: Any, **kwargs: Any) -> Any:
        denied = check(request)
        if denied is not None:
            return denied
        return func(request, *args, **kwargs)
    return wrapper  # type: ignore[return-value]


def login_required(func: F) -> F:
    """Signed-in users only: a browser is sent (303) to the login page with ``next``,
    an API client gets a 401 JSON error."""
    def check(request: Any) -> Any:
        return _deny_anonymous(request) if request.user is None else None
    return _wrap(func, check)


def has_role(user: Any, role: str) -> bool:
    if role == "admin" and getattr(user, "is_admin", False):
        return True
    roles = getattr(user, "roles", None) or ()
    if isinstance(roles, str):
        roles = [r.strip() for r in roles.split(",")]
    return role in roles


def role_required(*roles: str) -> Callable[[F], F]:
    """Signed-in users with one of ``roles`` (``"admin"`` means ``user.is_admin``); else 403."""
    def decorator(func: F) -> F:
        def check(request: Any) -> Any:
            user = request.user
            if user is None:
                return _deny_anonymous(request)
            if not any(has_role(user, role) for role in roles):
                raise HTTPError(403, "you do not have permission to do that")
            return None
        return _wrap(func, check)
    return decorator
