"""The ``mail`` built-in extension: ``[mail]`` and ``[auth]`` (reset and confirmation links)
checked when the app loads, so a bad value stops the start (and ``wolfpy check``) with
one line instead of failing the first request that mails; likewise the ``oauth`` extra
when the project has the routes of ``wolfpy generate oauth``.

It lives outside :mod:`wolfpy.mail` so that an app with nothing to check does not import
that package (and the standard library's ``email``) when it loads."""
from __future__ import annotations

import logging
from typing import Any

from .errors import ConfigError, MissingExtra
from .extensions import Extension

__all__ = ["mail_extension"]


def _needs_check(app: Any) -> bool:
    """Whether anything could be wrong: a ``[mail]`` or ``[auth]`` value set (in wolfpy.toml
    or the environment), mail templates, or sign-in routes. The defaults are valid, so an
    app with none of these imports nothing of ``wolfpy.mail`` at load."""
    sources = getattr(app.settings, "sources", {}) or {}
    if any(section in ("mail", "auth") and source != "default" for (section, _key), source in sources.items()):
        return True
    if app.project is not None and (app.project.templates / "mail").is_dir():
        return True
    return any("routes/auth/" in str(getattr(r, "source", "")).replace("\\", "/") for r in app.routes)


def _validate(app: Any) -> None:
    if not _needs_check(app):
        return
    from .auth.links import auth_settings
    from .mail import MailError, settings
    from .mail.backends import backend_for
    section = settings(app)
    auth_settings(app)
    url = str(section.url)
    sends = app.project is not None and (app.project.templates / "mail").is_dir()   # it has mails to send
    if sends and app.settings.production and url in ("console", "memory"):
        logging.getLogger("wolfpy.mail").warning(
            "[mail] url is %s in production: mail (password reset links, confirmations) is never sent%s; "
            "set [mail] url (or WOLFPY_MAIL_URL) to smtp://user:password@host:587", url,
            " and its links are written to the log" if url == "console" else "")
    try:
        backend_for(str(section.url), timeout=float(section.timeout))
    except MailError as exc:
        raise ConfigError(str(exc)) from None
    if any("routes/auth/oauth/" in str(getattr(r, "source", "")).replace("\\", "/") for r in app.routes):
        from .auth.oauth.providers import http
        try:
            http()   # the sign-in routes of `wolfpy generate oauth` need the oauth extra
        except MissingExtra as exc:
            raise ConfigError(str(exc)) from None


def mail_extension(app: Any) -> Extension:
    ext = Extension("mail", source="wolfpy.mail (built-in)")

    @ext.on_load
    def _check_settings(app: Any, ext: Extension) -> None:
        _validate(app)
    return ext
