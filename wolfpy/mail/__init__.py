"""Sending mail: ``wolfpy.mail.send(to, subject, template="welcome", **context)``.

The text body is ``templates/mail/<template>.txt`` (Mako, not HTML-escaped); when
``templates/mail/<template>.html`` exists too (escaped, as pages are), the message is
``multipart/alternative``. Settings, ``[mail]`` in ``wolfpy.toml`` (or
``WOLFPY_MAIL_<KEY>``):

- ``url``: ``console`` (default), ``memory``, ``file:///folder``, ``smtp://user:pass@host:587``
  (STARTTLS) or ``smtps://user:pass@host:465``;
- ``sender``: the ``From`` address; ``timeout``: seconds for the SMTP server;
- ``ca_file``: a CA bundle to trust for the SMTP server besides the system's;
- ``site_url``: the origin written into links in mails (never taken from ``Host``).

Many messages over one connection::

    with mail.connection():
        for user in users:
            mail.send(user.email, "News", template="news", user=user)

``send`` blocks while the server answers. In an ``async def`` handler use
``await mail.send_async(...)``, which runs it in a worker thread (``send`` through SMTP
on the event loop is refused).
"""
from __future__ import annotations

import asyncio
import contextlib
import contextvars
import functools
import logging
import weakref
from email.message import EmailMessage
from typing import Any, Iterable, Iterator, Mapping

from .backends import OUTBOX, Backend, backend_for, describe, setting_root
from .message import HeaderInjection, InvalidAddress, MailError, build, check_address, check_header

__all__ = ["DEFAULTS", "OUTBOX", "HeaderInjection", "InvalidAddress", "MailError", "check_address",
           "check_header", "connection", "deliver", "message", "render", "send", "send_async", "send_many",
           "settings", "site_url"]

log = logging.getLogger("wolfpy.mail")

#: ``[mail]`` and its defaults.
DEFAULTS: dict[str, Any] = {"url": "console", "sender": "webmaster@localhost", "timeout": 10,
                            "ca_file": "", "site_url": ""}

_settings: "weakref.WeakKeyDictionary[Any, Any]" = weakref.WeakKeyDictionary()
_text_lookups: "weakref.WeakKeyDictionary[Any, Any]" = weakref.WeakKeyDictionary()
_open: contextvars.ContextVar[tuple[Any, Backend] | None] = contextvars.ContextVar("wolfpy_mail", default=None)

#: Tests set this (the ``outbox`` fixture) to send every message to the memory backend.
URL_OVERRIDE: str | None = None


def _app(app: Any) -> Any:
    if app is not None:
        return app
    from ..context import request_or_none
    request = request_or_none()
    if request is None:
        raise MailError("no request to take the app from: pass app= to wolfpy.mail")
    return request.app


def settings(app: Any = None) -> Any:
    """The app's ``[mail]`` section, with its defaults."""
    app = _app(app)
    section = _settings.get(app)
    if section is None:
        section = app.settings.with_section("mail", DEFAULTS).mail
        _settings[app] = section
    return section


def site_url(app: Any = None, request: Any = None) -> str:
    """The origin for links in mails: ``[mail] site_url``; else the first of
    ``[app] allowed_hosts`` (https, or http in debug); else, outside production (which
    requires ``allowed_hosts``), the request's own."""
    app = _app(app)
    configured = str(settings(app).site_url or "").rstrip("/")
    if configured:
        return configured
    hosts = [h for h in app.settings.app.allowed_hosts if h and "*" not in h and not h.startswith(".")]
    if hosts:
        return f"{'http' if app.settings.debug else 'https'}://{hosts[0]}"
    if not app.settings.production and request is not None:
        return f"{request.scheme}://{request.host}"
    raise MailError("links in mails need the site's address: set [mail] site_url (https://example.com)")


def _text_lookup(app: Any) -> Any:
    lookup = _text_lookups.get(app)
    if lookup is None:
        from mako.lookup import TemplateLookup
        lookup = TemplateLookup(directories=list(app.templates.lookup.directories), input_encoding="utf-8",
                                default_filters=["str"], strict_undefined=True)
        _text_lookups[app] = lookup
    return lookup


def render(template: str, context: Mapping[str, Any], app: Any = None) -> tuple[str, str | None]:
    """(text, html or None) of ``templates/mail/<template>.txt`` / ``.html``."""
    from mako.exceptions import TopLevelLookupException
    app = _app(app)
    if not template or ".." in template or template.startswith("/") or "\\" in template:
        raise MailError(f"bad mail template name {template!r}")
    values = {"app": app, **context}
    try:
        text = _text_lookup(app).get_template(f"mail/{template}.txt").render(**values)
    except TopLevelLookupException:
        raise MailError(f"no mail template templates/mail/{template}.txt") from None
    try:
        html_template = app.templates.lookup.get_template(f"mail/{template}.html")
    except TopLevelLookupException:
        return text, None
    return text, html_template.render(**values)


def message(to: Any, subject: str, template: str | None = None, *, text: str | None = None,
            html: str | None = None, cc: Any = None, bcc: Any = None, reply_to: Any = None,
            attachments: Iterable[Any] = (), headers: Mapping[str, str] | None = None,
            sender: str | None = None, app: Any = None, **context: Any) -> EmailMessage:
    """The message :func:`send` would send, built and checked but not sent."""
    app = _app(app)
    check_header("subject", subject)
    if template is not None:
        text, html = render(template, context, app)
    elif text is None:
        raise MailError("give template= (templates/mail/NAME.txt) or text=")
    return build(sender=sender or str(settings(app).sender), to=to, subject=subject, text=text or "",
                 html=html, cc=cc, bcc=bcc, reply_to=reply_to, attachments=attachments, headers=headers)


def _backend(app: Any) -> Backend:
    section = settings(app)
    url = URL_OVERRIDE or str(section.url)
    return backend_for(url, timeout=float(section.timeout), ca_file=str(section.ca_file or ""),
                       root=setting_root(app))


@contextlib.contextmanager
def connection(app: Any = None) -> Iterator[Backend]:
    """One open backend (one SMTP connection) for every :func:`send` inside the block."""
    app = _app(app)
    current = _open.get()
    if current is not None and current[0] is app:
        yield current[1]
        return
    backend = _backend(app)
    backend.open()
    token = _open.set((app, backend))
    try:
        yield backend
    finally:
        _open.reset(token)
        backend.close()


def _refuse_on_loop(backend: Backend) -> None:
    if not backend.network:
        return
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return
    raise MailError("wolfpy.mail.send would block the event loop here: in an async def handler use "
                    "`await wolfpy.mail.send_async(...)`")


def send(to: Any, subject: str, template: str | None = None, **kwargs: Any) -> EmailMessage:
    """Render and send one message; returns it. Raises :class:`MailError` (a bad address,
    a line break in a header, a server that refuses)."""
    app = _app(kwargs.pop("app", None))
    built = message(to, subject, template, app=app, **kwargs)
    deliver(built, app)
    return built


def _send_batch(app: Any, messages: list[EmailMessage]) -> None:
    with connection(app):
        for built in messages:
            deliver(built, app)


def deliver(built: EmailMessage, app: Any = None, *, later: bool = False, discard: bool = False) -> None:
    """Send a message made by :func:`message`. With ``later=True`` a backend that does I/O
    (SMTP, file) sends it a moment later from a worker thread, in batches over one
    connection (:mod:`wolfpy.mail.queue`), and this returns at once (a failure is logged):
    the answer to the request does not wait for, or reveal, the sending.

    ``discard=True`` does the same work (the message serialised, where it would be) and
    sends nothing: what a page that must not tell whether it sent a mail does instead.
    """
    app = _app(app)
    current = _open.get()
    if later and (current is None or current[0] is not app) and _backend(app).slow:
        from .queue import enqueue
        enqueue(app, built, discard, _send_batch)
        return
    if discard:
        built.as_bytes()
        return
    if current is not None and current[0] is app:
        _refuse_on_loop(current[1])
        current[1].send(built)
        return
    backend = _backend(app)
    _refuse_on_loop(backend)
    backend.open()
    try:
        backend.send(built)
    finally:
        backend.close()


def send_many(messages: Iterable[Mapping[str, Any]], app: Any = None) -> list[EmailMessage]:
    """Send each ``{"to": ..., "subject": ..., "template": ..., ...}`` over one connection."""
    app = _app(app)
    sent = []
    with connection(app):
        for item in messages:
            values = dict(item)
            sent.append(send(values.pop("to"), values.pop("subject"), values.pop("template", None),
                             app=app, **values))
    return sent


async def send_async(to: Any, subject: str, template: str | None = None, **kwargs: Any) -> EmailMessage:
    """:func:`send` in a worker thread, for ``async def`` handlers (the loop keeps serving)."""
    kwargs["app"] = _app(kwargs.get("app"))
    call = functools.partial(send, to, subject, template, **kwargs)
    return await asyncio.to_thread(call)


def describe_url(app: Any = None) -> str:
    """``[mail] url`` as messages show it (no password)."""
    return describe(URL_OVERRIDE or str(settings(app).url))
