"""Signed, expiring, single-use links: password reset and email confirmation.

A token holds the user's id and a fingerprint of what the link must not survive: for a
reset, the password hash, the last sign-in and the email; for a confirmation, the email
and whether it is confirmed yet. It is signed (itsdangerous, the app's secret key; old
keys still verify) and carries its time. Setting the new password (or confirming, or
signing in) changes the fingerprint, so a link works once and dies with the state it
was made for. Nothing is stored server-side.

``[auth]`` settings (``WOLFPY_AUTH_<KEY>`` in the environment):

- ``confirm_email``: ``"optional"`` (default: a new account is mailed a confirmation link
  and signed in; ``user.email_confirmed`` says whether it was opened), ``"mandatory"``
  (signing in waits for the link) or ``"off"``;
- ``reset_max_age`` (3600) and ``confirm_max_age`` (86400): seconds a link lives;
- ``reset_limit`` (5) and ``reset_window`` (900): reset requests per address and per
  client address in that many seconds, then 429.
"""
from __future__ import annotations

import hashlib
import hmac
import weakref
from typing import Any, NamedTuple

from .users import get_user_model

__all__ = ["AUTH_DEFAULTS", "LinkCheck", "auth_settings", "check_link", "make_link", "session_fingerprint",
           "session_still_valid"]

AUTH_DEFAULTS: dict[str, Any] = {"confirm_email": "optional", "reset_max_age": 3600, "confirm_max_age": 86400,
                                 "reset_limit": 5, "reset_window": 900}
PURPOSES = ("reset", "confirm")
MAX_TOKEN_LENGTH = 512

_settings: "weakref.WeakKeyDictionary[Any, Any]" = weakref.WeakKeyDictionary()


CONFIRM_MODES = ("optional", "mandatory", "off")


def _validate(section: dict[str, Any]) -> None:
    if section["confirm_email"] not in CONFIRM_MODES:
        raise ValueError(f"confirm_email is one of {', '.join(CONFIRM_MODES)}, not {section['confirm_email']!r}")
    for key in ("reset_max_age", "confirm_max_age", "reset_limit", "reset_window"):
        if int(section[key]) < 1:
            raise ValueError(f"{key} must be a positive number")


def auth_settings(app: Any) -> Any:
    """The app's ``[auth]`` section with its defaults."""
    section = _settings.get(app)
    if section is None:
        section = app.settings.with_section("auth", AUTH_DEFAULTS, _validate).auth
        _settings[app] = section
    return section


def _state(user: Any, purpose: str) -> str:
    email = str(getattr(user, "email", "") or "").strip().lower()
    if purpose == "reset":
        last_login = getattr(user, "last_login", None)
        return f"{user.password_hash}|{last_login.isoformat() if last_login else ''}|{email}"
    return f"{email}|{bool(getattr(user, 'email_confirmed', True))}"


def _fingerprint(app: Any, user_id: Any, state: str, purpose: str) -> str:
    key = app.settings.ensure_secret_key().encode()
    digest = hmac.new(key, f"wolfpy.auth.{purpose}|{user_id}|{state}".encode(), hashlib.sha256)
    return digest.hexdigest()[:32]


def _serializer(app: Any, purpose: str) -> Any:
    from itsdangerous import URLSafeTimedSerializer
    settings = app.settings
    keys = [*settings.app.fallback_secret_keys, settings.ensure_secret_key()]   # the last one signs
    return URLSafeTimedSerializer(keys, salt=f"wolfpy.auth.{purpose}-link")


def make_link(app: Any, user: Any, purpose: str) -> str:
    """A token for ``user``'s ``purpose`` link (``"reset"`` or ``"confirm"``)."""
    if purpose not in PURPOSES:
        raise ValueError(f"purpose must be one of {PURPOSES}")
    user_id = user.get_id() if hasattr(user, "get_id") else user.id
    payload = [str(user_id), _fingerprint(app, user_id, _state(user, purpose), purpose)]
    return str(_serializer(app, purpose).dumps(payload))


class LinkCheck(NamedTuple):
    user: Any        #: the user, when the link is good
    problem: str     #: "" when good, else "expired" or "invalid" (bad, used or out of date)


def check_link(app: Any, token: str, purpose: str) -> LinkCheck:
    """Whose link ``token`` is, if it is still good for ``purpose``."""
    from itsdangerous import BadSignature, SignatureExpired
    if purpose not in PURPOSES:
        raise ValueError(f"purpose must be one of {PURPOSES}")
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_LENGTH:
        return LinkCheck(None, "invalid")
    section = auth_settings(app)
    max_age = int(section.reset_max_age if purpose == "reset" else section.confirm_max_age)
    try:
        payload = _serializer(app, purpose).loads(token, max_age=max_age)
    except SignatureExpired:
        return LinkCheck(None, "expired")
    except (BadSignature, ValueError, TypeError):
        return LinkCheck(None, "invalid")
    if not (isinstance(payload, list) and len(payload) == 2 and all(isinstance(p, str) for p in payload)):
        return LinkCheck(None, "invalid")
    user_id, fingerprint = payload
    User = get_user_model(app)
    try:
        user = User.get_or_none(User._meta.primary_key == user_id)
    except (ValueError, TypeError, OverflowError):
        user = None
    if user is None or getattr(user, "is_active", True) is False:
        return LinkCheck(None, "invalid")
    if not hmac.compare_digest(fingerprint, _fingerprint(app, user_id, _state(user, purpose), purpose)):
        return LinkCheck(None, "invalid")   # used already, or the password / email changed since
    return LinkCheck(user, "")


SESSION_HASH_KEY = "_auth_hash"   # the session key holding session_fingerprint()


def session_fingerprint(app: Any, user: Any, key: str | None = None) -> str:
    """What a signed-in session keeps of the user's password hash: a new password (a
    reset, a change) ends every session made before it."""
    secret = (key or app.settings.ensure_secret_key()).encode()
    message = f"wolfpy.auth.session|{getattr(user, 'password_hash', '')}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()[:24]


def session_still_valid(app: Any, user: Any, kept: Any) -> bool:
    """Whether a session's fingerprint (None: made before they existed) still fits ``user``."""
    if kept is None:
        return True
    keys = (app.settings.ensure_secret_key(), *app.settings.app.fallback_secret_keys)
    return isinstance(kept, str) and any(
        hmac.compare_digest(kept, session_fingerprint(app, user, key)) for key in keys)
