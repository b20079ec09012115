"""Password reset and email confirmation: what the pages of ``wolfpy generate auth`` call.

- :func:`request_password_reset`: mail a reset link to the accounts using an address.
  An unknown address does the same work (the lookup, a token, the rendered mail), sends
  nothing, and gives the page the same answer; mail for a server goes from a worker
  thread, so the time of the answer does not depend on it. Requests are throttled per
  address and per client address (``[auth] reset_limit`` in ``reset_window`` seconds: 429).
- :func:`reset_password`: the new password; every session signed in before it ends.
- :func:`send_confirmation` and :func:`confirm_email`: the link mailed at sign-up.

Links are made and checked by :mod:`wolfpy.auth.links`; their origin is
``[mail] site_url`` (never the request's ``Host``).
"""
from __future__ import annotations

import weakref
from typing import Any

from .. import mail
from ..db import fn
from .links import auth_settings, check_link, make_link
from .passwords import _dummy_hash, hash_password
from .throttle import LoginThrottle
from .users import get_user_model

__all__ = ["confirm_email", "confirmation_mode", "request_password_reset", "reset_password",
           "reset_throttle", "send_confirmation"]

MAX_ACCOUNTS = 5   # accounts sharing one address that get a link
RESET_SUBJECT = "Reset your password"
CONFIRM_SUBJECT = "Confirm your email address"

_throttles: "weakref.WeakKeyDictionary[Any, LoginThrottle]" = weakref.WeakKeyDictionary()


def confirmation_mode(app: Any) -> str:
    """``[auth] confirm_email``: ``"optional"`` (a new account gets a confirmation link and
    is signed in), ``"mandatory"`` (it signs in only once the link is opened) or ``"off"``."""
    return str(auth_settings(app).confirm_email)


def reset_throttle(app: Any) -> LoginThrottle:
    throttle = _throttles.get(app)
    if throttle is None:
        section = auth_settings(app)
        throttle = LoginThrottle(app, max_failures=int(section.reset_limit), window=int(section.reset_window),
                                 scope="reset")
        _throttles[app] = throttle
    return throttle


def _link(request: Any, path: str) -> str:
    return mail.site_url(request.app, request) + path


def request_password_reset(request: Any, email: str) -> None:
    """Mail a reset link to each active account with this ``email`` (none: nothing is sent).

    Raises:
        HTTPError: 429 when this address or this client asked too often.
    """
    app = request.app
    email = email.strip()
    throttle = reset_throttle(app)
    throttle.check(request, email)
    throttle.failed(request, email)   # every request counts
    User = get_user_model(app)
    query = User.select().where(fn.LOWER(User.email) == email.lower())
    if hasattr(User, "is_active"):
        query = query.where(User.is_active == True)  # noqa: E712 (peewee expression)
    users = list(query.order_by(User._meta.primary_key).limit(MAX_ACCOUNTS))
    known = bool(users)
    if not known:   # the same work for an address nobody uses: a token and the mail, not sent
        users = [User(username=email.partition("@")[0], email=email, password_hash=_dummy_hash())]
    for user in users:
        token = make_link(app, user, "reset")
        try:
            message = mail.message(user.email, RESET_SUBJECT, template="reset_password", app=app,
                                   user=user, link=_link(request, f"/auth/reset/{token}"),
                                   minutes=int(auth_settings(app).reset_max_age) // 60)
        except mail.InvalidAddress:
            continue
        mail.deliver(message, app, later=True, discard=not known)   # unknown: the same work, not sent


def reset_password(user: Any, password: str) -> None:
    """Set ``user``'s new password (which also confirms the email: the link reached it).
    The reset link is spent, and every session signed in before ends."""
    user.password_hash = hash_password(password)
    fields = [type(user).password_hash]
    if getattr(user, "email_confirmed", True) is False:
        user.email_confirmed = True
        fields.append(type(user).email_confirmed)
    user.save(only=fields)


def send_confirmation(request: Any, user: Any) -> None:
    """Mail ``user`` the link that confirms their address."""
    token = make_link(request.app, user, "confirm")
    message = mail.message(user.email, CONFIRM_SUBJECT, template="confirm_email", app=request.app, user=user,
                           link=_link(request, f"/auth/confirm/{token}"))
    mail.deliver(message, request.app, later=True)


def confirm_email(user: Any) -> None:
    """Mark ``user``'s address confirmed (the confirmation link is spent)."""
    user.email_confirmed = True
    user.save(only=[type(user).email_confirmed])


def check_reset_link(request: Any, token: str) -> Any:
    return check_link(request.app, token, "reset")


def check_confirm_link(request: Any, token: str) -> Any:
    return check_link(request.app, token, "confirm")
