"""login, logout, authenticate, @login_required, @role_required, safe ``next`` URLs."""
from __future__ import annotations

import datetime
from typing import Any, Callable, TypeVar
from urllib.parse import quote, urlsplit

from ..context import current_request
from ..errors import HTTPError
from ..http.hosts import DEBUG_HOSTS, Host, HostMatcher, parse_host
from ..http.response import encode_url, redirect
from .guards import GUARDS, guard
from .links import SESSION_HASH_KEY, auth_settings, session_fingerprint
from .passwords import verify_and_update
from .tokens import bearer_token, user_from_bearer
from .users import SESSION_KEY, get_user_model

F = TypeVar("F", bound=Callable[..., Any])
LOGIN_URL = "/auth/login"

__all__ = ["GUARDS", "LOGIN_URL", "SESSION_KEY", "authenticate", "authenticated_user", "get_user_model",
           "guard", "has_role", "login", "login_required", "logout", "role_required", "safe_next"]


def authenticate(username: str, password: str, *, app: Any = None) -> Any:
    """The user with this username (or email) and password, else None.

    An unknown user costs the same time as a wrong password, and both give None.
    A hash made with an older scheme is upgraded on success.
    """
    app = app or current_request().app
    User = get_user_model(app)
    user = None
    if username and "\x00" not in username:   # PostgreSQL refuses a NUL in a query: no such user
        query = User.username == username
        if "@" in username and hasattr(User, "email"):
            query = query | (User.email == username)
        user = User.get_or_none(query)
    ok, new_hash = verify_and_update(password, user.password_hash if user is not None else None)
    if not ok or user is None:
        return None
    if getattr(user, "is_active", True) is False:
        return None
    if getattr(user, "email_confirmed", True) is False and auth_settings(app).confirm_email == "mandatory":
        return None   # the link mailed at sign-up was not opened yet
    if new_hash:
        user.password_hash = new_hash
        user.save(only=[User.password_hash])
    return user


def login(request: Any, user: Any) -> None:
    """Sign ``user`` in: a new session id (no fixation) and a new CSRF token, the user's id
    kept in the session. The rest of an anonymous session is kept (a cart, a theme); a
    session that belonged to another user is emptied first."""
    session = request.session
    user_id = user.get_id() if hasattr(user, "get_id") else user.id
    previous = session.get(SESSION_KEY)
    if previous is not None and str(previous) != str(user_id):
        session.clear()
    session.regenerate()
    if "_csrf" in session:
        del session["_csrf"]   # made again on first use
    session[SESSION_KEY] = user_id
    if getattr(user, "password_hash", None):   # a new password ends this session (links.py)
        session[SESSION_HASH_KEY] = session_fingerprint(request.app, user)
    _note_login(user)
    request.user = user


def _note_login(user: Any) -> None:
    """``user.last_login`` = now, when the model has it (a reset link dies with it)."""
    field = getattr(type(user), "last_login", None)
    if field is None or not hasattr(type(user), "_meta"):
        return
    user.last_login = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
    user.save(only=[field])


def logout(request: Any) -> None:
    """Sign out: the session is emptied and deleted server-side, and gets a new id."""
    request.session.invalidate()
    request.user = None


_SAFE_SCHEMES = ("http", "https")
_STRIPPED = "".join(chr(i) for i in range(0x21))   # what browsers strip from both ends of a URL


def safe_next(url: str | None, request: Any = None, default: str = "/") -> str:
    """``url`` if it stays on this site, else ``default`` (no open redirects).

    On this site means a path (``/posts?page=2``), or an absolute ``http``/``https`` URL
    (or ``//host/...``) whose host is in ``[app] allowed_hosts``. With ``allowed_hosts``
    empty (or ``*``), only in debug, the host the request was sent to counts too. On
    HTTPS, an ``http://`` URL is refused. The URL is judged both as written and as a
    browser reads it (``\\`` as ``/``, tabs and line breaks dropped), and returned
    percent-encoded, ready for ``redirect()``.
    """
    if not url or not isinstance(url, str) or len(url) > 2048:
        return default
    if url[0] in _STRIPPED or url[0] == "\x7f":
        return default   # "\x08//evil.com", " //evil.com": browsers drop the lead-in
    browser = url.strip(_STRIPPED).replace("\t", "").replace("\n", "").replace("\r", "").replace("\\", "/")
    if not (_stays_here(url, request) and _stays_here(browser, request)):
        return default
    return encode_url(url)


def _stays_here(url: str, request: Any) -> bool:
    if url.startswith("///"):
        return False
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    scheme = parts.scheme.lower()
    if scheme and scheme not in _SAFE_SCHEMES:
        return False            # javascript:, data:, ftp:, ...
    if not parts.netloc:
        # "http:/evil.com", "http:evil.com" have a scheme and no host: refused, as are
        # relative paths ("evil.com"): only paths from the root.
        return not scheme and url.startswith("/") and not url.startswith("//")
    if request is None:
        return False
    host = parse_host(parts.netloc)   # no user information, no junk: "a@evil.com" is refused
    if host is None:
        return False
    if scheme == "http" and getattr(request, "is_secure", False):
        return False            # no downgrade from HTTPS ("//host" keeps the scheme)
    return _host_allowed(host, scheme or getattr(request, "scheme", "http"), request)


def _host_allowed(host: Host, scheme: str, request: Any) -> bool:
    app = getattr(request, "app", None)
    settings = getattr(app, "settings", None)
    if settings is None:
        return False
    debug = settings.debug
    patterns = [p for p in settings.app.allowed_hosts if str(p).strip() != "*"]
    if patterns:
        return HostMatcher([*patterns, *(DEBUG_HOSTS if debug else ())]).allows(host)
    if not debug:
        return False
    own = parse_host(request.host)
    return own is not None and own.name == host.name and (
        own.effective_port(request.scheme) == host.effective_port(scheme))


def _wants_json(request: Any) -> bool:
    return bool(request.app.wants_json(request))


def _deny_anonymous(request: Any) -> Any:
    if _wants_json(request):
        raise HTTPError(401, "authentication required", headers={"www-authenticate": "Bearer"})
    target = request.raw_path + (f"?{request.query_string}" if request.query_string else "")
    return redirect(f"{LOGIN_URL}?next={quote(target, safe='')}", status=303)


def authenticated_user(request: Any) -> Any:
    """Who the request is from: the user of its bearer token when it sends
    ``Authorization: Bearer`` (a 401 when that token is not valid), else the session's
    user, else None."""
    if bearer_token(request) is not None:
        user = user_from_bearer(request)
        request.user = user
        return user
    return request.user


def login_required(func: F) -> F:
    """Signed-in users only, by session or by bearer token: a browser is sent (303) to the
    login page with ``next``, an API client gets a 401 JSON error."""
    def check(request: Any) -> Any:
        return _deny_anonymous(request) if authenticated_user(request) is None else None
    return guard(func, check)


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
            user = authenticated_user(request)
            if user is None:
                return _deny_anonymous(request)
            if not any(has_role(user, role) for role in roles):
                raise HTTPError(403, "you do not have permission to do that")
            return None
        return guard(func, check)
    return decorator
