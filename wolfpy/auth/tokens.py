"""JWT bearer tokens (PyJWT): ``issue_token(user)``, ``@token_required``, and the bearer half
of ``@login_required``.

HS256 with the app's secret key (fallback keys verify too). The algorithm is fixed on
decode (a token cannot pick ``none``), ``exp`` and ``sub`` are required, ``nbf`` is
honoured, and a token must be in compact form with canonical base64url parts (no
padding, no other alphabet) and no ``crit`` header. With ``[security] jwt_issuer``
and/or ``jwt_audience`` set, tokens are issued with ``iss``/``aud`` and must carry them.
"""
from __future__ import annotations

import re
import time
from typing import Any, Callable, TypeVar

from ..context import current_request
from ..errors import HTTPError, MissingExtra
from .guards import guard
from .users import get_user_model

F = TypeVar("F", bound=Callable[..., Any])
ALGORITHM = "HS256"
MAX_TOKEN_LENGTH = 8192
_COMPACT = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")
_CLAIMS = "wolfpy.bearer_claims"   # request.state: the verified claims, or None (checked once)
_INVALID = {"www-authenticate": 'Bearer error="invalid_token"'}


def _jwt() -> Any:
    try:
        import jwt
    except ImportError:  # pragma: no cover - PyJWT is a dependency
        raise MissingExtra("all", "PyJWT", "JWT tokens") from None
    return jwt


def _issuer_audience(settings: Any) -> tuple[str | None, Any]:
    security = settings.security
    return security.get("jwt_issuer") or None, security.get("jwt_audience") or None


def issue_token(user: Any, *, app: Any = None, expires_in: int = 3600) -> str:
    """A signed token for ``user``, valid ``expires_in`` seconds (with ``iss``/``aud`` when
    ``[security] jwt_issuer``/``jwt_audience`` are set)."""
    app = app or current_request().app
    now = int(time.time())
    claims: dict[str, Any] = {"sub": str(user.get_id() if hasattr(user, "get_id") else user.id),
                              "iat": now, "exp": now + int(expires_in)}
    issuer, audience = _issuer_audience(app.settings)
    if issuer:
        claims["iss"] = issuer
    if audience:
        claims["aud"] = audience
    return str(_jwt().encode(claims, app.settings.ensure_secret_key(), algorithm=ALGORITHM))


def bearer_token(request: Any) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header, else None."""
    header = request.headers.get("authorization")
    if not header or header[:7].lower() != "bearer ":
        return None
    return header[7:].strip()


def verify_token(token: str, app: Any) -> dict[str, Any] | None:
    """The claims of ``token`` when it is valid for ``app``, else None (never raises)."""
    if not token or len(token) > MAX_TOKEN_LENGTH or not _COMPACT.fullmatch(token):
        return None
    jwt = _jwt()
    from jwt.utils import base64url_decode, base64url_encode
    try:
        header = jwt.get_unverified_header(token)
        signature = token.rpartition(".")[2]
        canonical = base64url_encode(base64url_decode(signature)).decode("ascii") == signature
    except (jwt.PyJWTError, ValueError, TypeError):
        return None
    if not canonical or header.get("alg") != ALGORITHM or "crit" in header:
        return None
    settings = app.settings
    issuer, audience = _issuer_audience(settings)
    required = ["exp", "sub", *(["iss"] if issuer else []), *(["aud"] if audience else [])]
    for key in (settings.ensure_secret_key(), *settings.app.fallback_secret_keys):
        try:
            claims = jwt.decode(token, key, algorithms=[ALGORITHM], issuer=issuer, audience=audience,
                                options={"require": required})
        except jwt.InvalidSignatureError:
            continue
        except jwt.PyJWTError:
            return None
        return claims if isinstance(claims, dict) and isinstance(claims.get("sub"), str) else None
    return None


def bearer_claims(request: Any) -> dict[str, Any] | None:
    """The verified claims of the request's bearer token (checked once per request), else None."""
    state = request.state
    if _CLAIMS not in state:
        token = bearer_token(request)
        state[_CLAIMS] = verify_token(token, request.app) if token else None
    claims: dict[str, Any] | None = state[_CLAIMS]
    return claims


def user_from_bearer(request: Any) -> Any:
    """The active user of the request's bearer token; a 401 when there is none."""
    if bearer_token(request) is None:
        raise HTTPError(401, "a bearer token is required", headers={"www-authenticate": "Bearer"})
    claims = bearer_claims(request)
    if claims is None:
        raise HTTPError(401, "invalid or expired token", headers=_INVALID)
    User = get_user_model(request.app)
    try:
        user = User.get_or_none(User._meta.primary_key == claims["sub"])
    except (ValueError, TypeError, OverflowError):
        user = None
    if user is None or getattr(user, "is_active", True) is False:
        raise HTTPError(401, "invalid or expired token", headers=_INVALID)
    return user


def token_required(func: F) -> F:
    """Requests must carry ``Authorization: Bearer <token>``; sets ``request.user``. 401 otherwise."""
    def check(request: Any) -> None:
        request.user = user_from_bearer(request)
    return guard(func, check)
