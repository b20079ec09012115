"""Who an identity from a provider is here: the ``User`` linked to it (the project's
``OAuthIdentity`` model, written by ``wolfpy generate oauth``), else the signed-in user it
is linked to now, else a new user. A matching email links to an existing account only
when the provider says the address is verified, the local account confirmed it too, and
``[oauth.<provider>] link_verified_email`` is true."""
from __future__ import annotations

import re
import secrets
from typing import Any

from ..core import login
from ..users import get_user_model
from .flow import Identity
from .providers import OAuthError, provider

__all__ = ["identity_model", "sign_in"]

_CLEAN = re.compile(r"[^A-Za-z0-9_.-]+")


def identity_model(app: Any) -> Any:
    """The project's ``OAuthIdentity`` model."""
    from ..users import project_model
    return project_model(app, "OAuthIdentity", "run `wolfpy generate oauth PROVIDER`")


def _free_username(User: Any, wanted: str) -> str:
    from ...db import fn
    base = _CLEAN.sub("-", wanted).strip("-.")[:140] or "user"
    if len(base) < 3:
        base = (base + "-user")[:140]
    candidate = base
    for _ in range(20):
        if not User.select().where(fn.LOWER(User.username) == candidate.lower()).exists():
            return candidate
        candidate = f"{base}-{secrets.token_hex(3)}"
    raise OAuthError("No free username could be found: try again.")


def _by_verified_email(User: Any, email: str) -> Any:
    from ...db import fn
    if not hasattr(User, "email"):
        return None
    found = list(User.select().where(fn.LOWER(User.email) == email.lower()).limit(2))
    if len(found) != 1:
        return None   # nobody, or ambiguous: never guess
    user = found[0]
    if getattr(user, "email_confirmed", True) is False:
        return None   # the local account never proved the address: it could be a squatter's
    return user


def sign_in(request: Any, identity: Identity, *, issuer: str = "") -> Any:
    """Sign in the user ``identity`` belongs to (linking or creating as described above)."""
    app = request.app
    User = get_user_model(app)
    Link = identity_model(app)
    p = provider(app, identity.provider, issuer)
    row = Link.get_or_none((Link.provider == identity.provider) & (Link.subject == identity.subject))
    current = request.user
    if row is not None:
        user = row.user
        if current is not None and current.id != user.id:
            raise OAuthError(f"This {p.title} account is linked to another user: sign out first.", p.name)
        if getattr(user, "is_active", True) is False:
            raise OAuthError("This account is disabled.", p.name)
    else:
        user = current
        if user is None and identity.email and identity.email_verified and p.link_verified_email:
            user = _by_verified_email(User, identity.email)
        if user is None:
            wanted = identity.username or identity.email.partition("@")[0] or p.name
            values: dict[str, Any] = {"username": _free_username(User, wanted), "password_hash": ""}
            if hasattr(User, "email"):
                values["email"] = identity.email if identity.email_verified else ""
            if hasattr(User, "email_confirmed"):
                values["email_confirmed"] = bool(identity.email and identity.email_verified)
            user = User.create(**values)
        Link.create(user=user, provider=identity.provider, subject=identity.subject,
                    email=identity.email[:254])
    login(request, user)
    return user
