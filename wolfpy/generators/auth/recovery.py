"""The password reset and email confirmation files of ``wolfpy generate auth``."""
from __future__ import annotations

from typing import Any

from ..engine import Generator

#: Route files (under routes/) -> the URL each serves; the static ones are checked for clashes.
ROUTES = {"auth/reset": "/auth/reset", "auth/confirm": "/auth/confirm"}

PAGES = (   # (file written, template, page title)
    ("routes/auth/reset.py", "reset.py", ""),
    ("routes/auth/reset/[token].py", "reset_token.py", ""),
    ("routes/auth/confirm.py", "confirm.py", ""),
    ("routes/auth/confirm/[token].py", "confirm_token.py", ""),
    ("templates/auth/reset.html", "reset.html", "Reset your password"),
    ("templates/auth/reset_password.html", "reset_password.html", "Choose a new password"),
    ("templates/auth/link_invalid.html", "link_invalid.html", "This link no longer works"),
    ("templates/auth/confirm.html", "confirm.html", "Confirm your email address"),
    ("templates/mail/reset_password.txt", "mail_reset_password.txt", ""),
    ("templates/mail/reset_password.html", "mail_reset_password.html", ""),
    ("templates/mail/confirm_email.txt", "mail_confirm_email.txt", ""),
    ("templates/mail/confirm_email.html", "mail_confirm_email.html", ""),
)


def plan_recovery(generator: Generator, context: dict[str, Any]) -> None:
    """Add the reset and confirmation pages, their templates and mails to ``generator``'s plan."""
    from . import check_routes
    check_routes(generator, ROUTES)
    for target, template, title in PAGES:
        generator.add(target, template, title=title, **context)
