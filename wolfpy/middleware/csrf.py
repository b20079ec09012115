"""The ``csrf`` built-in: unsafe methods need the session's token and a same-origin request.

A form sends ``csrf_field()`` (``<input type="hidden" name="csrf_token" ...>``), a
script sends the ``X-CSRF-Token`` header. Exempt: requests authenticated by a bearer
token, API handlers called without a session cookie, handlers marked ``@csrf_exempt``
and modules with ``csrf = False``.
"""
from __future__ import annotations

import hmac
import secrets
from typing import Any, Callable, TypeVar
from urllib.parse import urlsplit

from ..context import current_request
from ..errors import HTTPError, WolfPyError
from ..sessions import COOKIE_NAME
from . import Hooks

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
FIELD = "csrf_token"
HEADER = "x-csrf-token"
F = TypeVar("F", bound=Callable[..., Any])


def csrf_exempt(func: F) -> F:
    """Skip the CSRF check for this handler (webhooks, token-authenticated endpoints)."""
    func.__wolfpy_csrf_exempt__ = True  # type: ignore[attr-defined]
    return func


def csrf_token(request: Any = None) -> str:
    """The session's CSRF token (created on first use)."""
    request = request or current_request()
    if request._session is None:
        raise WolfPyError("csrf_token() needs the sessions middleware: add \"sessions\" and \"csrf\" "
                          "to [middleware] builtin")
    token = request.session.get("_csrf")
    if not token:
        token = request.session["_csrf"] = secrets.token_urlsafe(32)
    return str(token)


def csrf_field(request: Any = None) -> Any:
    """``<input type="hidden" name="csrf_token" value="...">`` for a form (safe markup)."""
    from markupsafe import Markup
    return Markup('<input type="hidden" name="csrf_token" value="{}">').format(csrf_token(request))


def _exempt(request: Any) -> bool:
    route = request.route
    endpoint = route.endpoints.get(request.method) if route is not None else None
    if endpoint is None:
        return True  # no handler will run: 404/405 answer without it
    if endpoint.csrf_exempt:
        return True
    auth = request.headers.get("authorization", "")
    if auth[:7].lower() == "bearer ":
        return True
    return bool(endpoint.api or route.api) and COOKIE_NAME not in request.cookies


def _same_origin(request: Any) -> bool:
    """Origin (or, on HTTPS without one, Referer) must name this host (Django's rule)."""
    expected = f"{request.scheme}://{request.host}".lower()
    origin = request.headers.get("origin")
    if origin and origin != "null":
        return origin.rstrip("/").lower() == expected
    if request.is_secure:
        referer = request.headers.get("referer")
        if not referer:
            return False
        parts = urlsplit(referer)
        return f"{parts.scheme}://{parts.netloc}".lower() == expected
    return True


class CSRF(Hooks):
    name = "csrf"

    def __init__(self, app: Any) -> None:
        def before(request: Any) -> Any:
            if request.method in SAFE_METHODS or _exempt(request):
                return None
            if not _same_origin(request):
                raise HTTPError(403, "CSRF check failed: the request came from another site")
            if request._session is None:
                raise WolfPyError("the csrf middleware needs \"sessions\" before it in [middleware] builtin")
            expected = request.session.get("_csrf")
            sent = request.headers.get(HEADER)
            if not sent and request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
                sent = request.form.get(FIELD)
            if not expected or not sent or not hmac.compare_digest(str(sent), str(expected)):
                raise HTTPError(403, "CSRF token missing or incorrect")
            return None
        self.before = before
