"""The ``csrf`` built-in: unsafe methods need the session's token and a same-origin request.

A form sends ``csrf_field()`` (``<input type="hidden" name="csrf_token" ...>``), a
script sends the ``X-CSRF-Token`` header. Exempt: requests without a session cookie
that are API calls or carry a valid bearer token, handlers marked ``@csrf_exempt`` and
modules with ``csrf = False``. ``Origin: null`` counts as another site.
"""
from __future__ import annotations

import hmac
import secrets
from typing import Any, Callable, TypeVar
from urllib.parse import urlsplit

from ..context import current_request
from ..errors import HTTPError, WolfPyError
from ..http.hosts import parse_host, parse_origin
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
    if not request.has_session:
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
    if COOKIE_NAME in request.cookies:
        return False  # the session cookie is what a forged request would ride on
    if endpoint.api or route.api:
        return True
    # A browser never adds Authorization to a cross-site form; but only a token that
    # verifies exempts the request (a made-up header proves nothing).
    from ..auth.tokens import bearer_claims, bearer_token
    return bearer_token(request) is not None and bearer_claims(request) is not None


def _same_site(scheme: str, host: Any, request: Any) -> bool:
    own = parse_host(request.host)
    if own is None or host is None:
        return False
    own_scheme = request.scheme.lower()
    return (scheme == own_scheme and host.name == own.name
            and host.effective_port(scheme) == own.effective_port(own_scheme))


def _same_origin(request: Any) -> bool:
    """Origin (or, on HTTPS without one, Referer) must name this host (Django's rule).

    ``Origin: null`` (a sandboxed frame, a redirect from another site, a ``data:`` page)
    is another site.
    """
    origin = request.headers.get("origin")
    if origin:
        parsed = parse_origin(origin.strip())
        return parsed is not None and _same_site(parsed[0], parsed[1], request)
    if request.is_secure:
        referer = request.headers.get("referer")
        if not referer:
            return False
        try:
            parts = urlsplit(referer)
        except ValueError:
            return False
        return _same_site(parts.scheme.lower(), parse_host(parts.netloc), request)
    return True


def _token_matches(sent: Any, expected: Any) -> bool:
    """Constant-time comparison of bytes: any text a client sends is a 403 at worst."""
    if not sent or not expected:
        return False
    return hmac.compare_digest(str(sent).encode("utf-8", "surrogatepass"),
                               str(expected).encode("utf-8", "surrogatepass"))


ORIGIN_FAILED = "CSRF check failed: the request came from another site"
TOKEN_FAILED = "CSRF token missing or incorrect"
# With debug on, the 403 also says how to fix it.
ORIGIN_HELP = (" (its Origin or Referer is not this site's scheme://host; behind a proxy that "
               "terminates TLS, let the server trust its X-Forwarded-Proto)")
TOKEN_HELP = (": a form that posts here needs ${csrf_field()} inside its <form> tag; a script "
              "sends the X-CSRF-Token header with the value of ${csrf_token()}; a webhook can be "
              "marked @csrf_exempt")


class CSRF(Hooks):
    name = "csrf"

    def __init__(self, app: Any) -> None:
        debug = app.settings.debug
        origin_failed = ORIGIN_FAILED + (ORIGIN_HELP if debug else "")
        token_failed = TOKEN_FAILED + (TOKEN_HELP if debug else "")

        def before(request: Any) -> Any:
            if request.method in SAFE_METHODS or _exempt(request):
                return None
            if not _same_origin(request):
                raise HTTPError(403, origin_failed)
            if not request.has_session:
                raise WolfPyError("the csrf middleware needs \"sessions\" before it in [middleware] builtin")
            expected = request.session.get("_csrf")
            sent = request.headers.get(HEADER)
            if not sent and request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
                sent = request.form.get(FIELD)
            if not _token_matches(sent, expected):
                raise HTTPError(403, token_failed)
            return None
        self.before = before
