"""Where mail goes, chosen by ``[mail] url``.

- ``smtp://user:pass@host:587``: SMTP with STARTTLS (required; ``?starttls=false`` for a
  relay on loopback that has no TLS), then AUTH when the URL has a user.
- ``smtps://user:pass@host:465``: SMTP over TLS from the first byte.
- ``console``: the message is written to the log (``wolfpy.mail``), the development default.
- ``memory``: kept in :data:`OUTBOX` (tests; the ``outbox`` pytest fixture).
- ``file:///path/to/folder``: one ``.eml`` file a message (relative paths: from the project).

Every backend has ``open()``, ``send(message)`` and ``close()``; one connection serves a
whole batch between ``open`` and ``close``.
"""
from __future__ import annotations

import logging
import os
import secrets
import smtplib
import ssl
import sys
import time
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from .message import MailError

__all__ = ["OUTBOX", "Backend", "ConsoleBackend", "FileBackend", "MemoryBackend", "SMTPBackend", "backend_for"]

log = logging.getLogger("wolfpy.mail")

#: Messages sent through the ``memory`` backend, oldest first (every app of this process).
OUTBOX: list[EmailMessage] = []
MAX_OUTBOX = 10_000


def _recipients(message: EmailMessage) -> list[str]:
    return list(getattr(message, "envelope_to", ()))


class Backend:
    """Sends messages; ``open``/``close`` bracket a batch (one connection)."""

    network = False   # True: talks to a server (so it must not run on the event loop)
    slow = False      # True: does I/O (a server, the disk): deliver(later=True) uses a thread

    def open(self) -> None:
        pass

    def close(self) -> None:
        pass

    def send(self, message: EmailMessage) -> None:
        raise NotImplementedError


class ConsoleBackend(Backend):
    def send(self, message: EmailMessage) -> None:
        text = message.as_string()
        if not log.hasHandlers():   # a command, not a server: nothing would show the log
            sys.stderr.write(f"mail to {', '.join(_recipients(message))} (not sent: [mail] url is console)\n"
                             f"{text}\n")
            return
        log.info("mail to %s (not sent: [mail] url is console)\n%s", ", ".join(_recipients(message)), text)


class MemoryBackend(Backend):
    def send(self, message: EmailMessage) -> None:
        if len(OUTBOX) >= MAX_OUTBOX:
            del OUTBOX[: MAX_OUTBOX // 10]
        OUTBOX.append(message)


class FileBackend(Backend):
    slow = True

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def send(self, message: EmailMessage) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        name = f"{time.time_ns()}-{secrets.token_hex(4)}.eml"
        partial = self.folder / f".{name}.part"
        partial.write_bytes(message.as_bytes())
        os.replace(partial, self.folder / name)   # readers never see half a file


class SMTPBackend(Backend):
    network = slow = True

    def __init__(self, host: str, port: int, *, implicit_tls: bool, starttls: bool, username: str,
                 password: str, timeout: float, ca_file: str = "") -> None:
        self.host, self.port = host, port
        self.implicit_tls, self.starttls = implicit_tls, starttls
        self.username, self.password = username, password
        self.timeout = timeout
        self.ca_file = ca_file
        self.connection: smtplib.SMTP | None = None

    def _context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=self.ca_file or None)

    def where(self) -> str:
        return f"{'smtps' if self.implicit_tls else 'smtp'}://{self.host}:{self.port}"

    def open(self) -> None:
        if self.connection is not None:
            return
        try:
            if self.implicit_tls:
                conn: smtplib.SMTP = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout,
                                                      context=self._context())
            else:
                conn = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            try:
                conn.ehlo()
                if self.starttls and not self.implicit_tls:
                    if not conn.has_extn("starttls"):
                        raise MailError(f"{self.where()} does not offer STARTTLS; use smtps:// or, "
                                        "for a relay on this machine only, ?starttls=false")
                    conn.starttls(context=self._context())
                    conn.ehlo()
                if self.username:
                    conn.login(self.username, self.password)
            except BaseException:
                conn.close()
                raise
        except smtplib.SMTPAuthenticationError:
            raise MailError(f"{self.where()} refused the user name or password of [mail] url") from None
        except (smtplib.SMTPException, OSError, ssl.SSLError) as exc:
            raise MailError(f"cannot connect to {self.where()}: {exc}") from None
        self.connection = conn

    def send(self, message: EmailMessage) -> None:
        if self.connection is None:
            raise MailError("the SMTP connection is not open")
        sender = message["From"].addresses[0].addr_spec if hasattr(message["From"], "addresses") \
            else str(message["From"])
        try:
            self.connection.send_message(message, from_addr=sender, to_addrs=_recipients(message))
        except (smtplib.SMTPException, OSError) as exc:
            raise MailError(f"{self.where()} did not accept the message: {exc}") from None

    def close(self) -> None:
        conn, self.connection = self.connection, None
        if conn is None:
            return
        try:
            conn.quit()
        except (smtplib.SMTPException, OSError):
            conn.close()


_TRUE = {"1", "true", "yes", "on"}


def backend_for(url: str, *, timeout: float = 10.0, ca_file: str = "", root: Path | None = None) -> Backend:
    """The backend a ``[mail] url`` names; :class:`MailError` for one it does not."""
    url = (url or "console").strip()
    if url == "console":
        return ConsoleBackend()
    if url == "memory":
        return MemoryBackend()
    if url.startswith("file://"):
        raw = unquote(url[len("file://"):])
        if not raw:
            raise MailError("[mail] url file:// needs a folder: file:///var/mail/outbox or file://mail-outbox")
        folder = Path(raw)
        if not folder.is_absolute():
            folder = (root or Path.cwd()) / folder
        return FileBackend(folder)
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps"):
        raise MailError(f"[mail] url: {parts.scheme or url!r} is not one of smtp://, smtps://, console, "
                        "memory, file://")
    try:
        port = parts.port
    except ValueError:
        raise MailError("[mail] url has a port that is not a number") from None
    if not parts.hostname:
        raise MailError("[mail] url names no host: smtp://user:password@host:587")
    query = parse_qs(parts.query)
    starttls = query.get("starttls", ["true"])[-1].lower() in _TRUE
    if "timeout" in query:
        try:
            timeout = float(query["timeout"][-1])
        except ValueError:
            raise MailError("[mail] url: timeout= takes seconds") from None
    implicit = parts.scheme == "smtps"
    return SMTPBackend(parts.hostname, port or (465 if implicit else 587), implicit_tls=implicit,
                       starttls=starttls, username=unquote(parts.username or ""),
                       password=unquote(parts.password or ""), timeout=timeout, ca_file=ca_file)


def describe(url: str) -> str:
    """``url`` without its password, for messages."""
    parts = urlsplit(url or "console")
    if parts.password is None:
        return url or "console"
    netloc = f"{parts.username}:***@{parts.hostname}" + (f":{parts.port}" if parts.port else "")
    return parts._replace(netloc=netloc).geturl()


def setting_root(app: Any) -> Path | None:
    project = getattr(app, "project", None)
    return None if project is None else Path(project.root)
