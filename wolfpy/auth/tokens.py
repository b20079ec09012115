"""JWT bearer tokens (PyJWT): ``issue_token(user)`` and ``@token_required``.

HS256 with the app's secret key; the algorithm list is fixed on decode (a token
cannot pick ``none``), ``exp`` and ``sub`` are required.
"""
from __future__ import annotations

import functools
import inspect
import time
from typing import Any, Callable, TypeVar

from ..context import current_request
from ..errors import HTTPError, MissingExtra

F = TypeVar("F", bound=Callable[..., Any])
ALGORITHM = "HS256"


def _jwt() -> Any:
    try:
        import jwt
    except ImportError:  # pragma: no cover - PyJWT is a dependency
        raise MissingExtra("all", "PyJWT", "JWT tokens") from None
    return jwt


def issue_token(user: Any, *, app: Any = None, expires_in: int = 3600) -> str:
    """A signed token for ``user``, valid ``expires_in`` seconds."""
    app = app or current_request().app
    now = int(time.time())
    claims = {"sub": str(user.get_id() if hasattr(user, "get_id") else user.id), "iat": now,
              "exp": now + int(expires_in)}
    return str(_jwt().encode(claims, app.settings.ensure_secret_key(), algorithm=ALGORITHM))


def _user_from_token(request: Any) -> Any:
    jwt = _jwt()
    header = request.headers.get("authorization", "")
    if header[:7].lower() != "bearer ":
        raise HTTPError(401, "a bearer token is required", headers={"www-authenticate": "Bearer"})
    token = header[7:].strip()
    settings = request.app.settings
    keys = [settings.ensure_secret_key(), *settings.app.fallback_secret_keys]
    claims = None
    for key in keys:
        try:
            claims = jwt.decode(token, key, algorithms=[ALGORITHM], options={"require": ["exp", "sub"]})
            break
        except jwt.InvalidSignatureError:
            continue
        except jwt.PyJWTError:
            break
    if claims is None:
        raise HTTPError(401, "invalid or expired token", headers={"www-authenticate": 'Bearer error="invalid_token"'})
    from .core import get_user_model
    User = get_user_model(request.app)
    user = User.get_or_none(User._meta.primary_key == claims["sub"])
    if user is None or getattr(user, "is_active", True) is False:
        raise HTTPError(401, "invalid or expired token", headers={"www-authenticate": 'Bearer error="invalid_token"'})
    return user


def token_required(func: F) -> F:
    """Requests must carry ``Authorization: Bearer <token>``; sets ``request.user``. 401 otherwise."""
    if inspect.iscoroutinefunction(func):
        @functools.wraps(func)
        async def async_wrapper(request: Any, *args: Any, **kwargs: Any) -> Any:
            request.user = _user_from_token(request)
            return await func(request, *args, **kwargs)
        return async_wrapper  # type: ignore[return-value]

    @functools.wraps(func)
    def wrapper(request: Any, *args: Any, **kwargs: Any) -> Any:
        request.user = _user_from_token(request)
        return func(request, *args, **kwargs)
    return wrapper  # type: ignore[return-value]
