"""Building one message: checked addresses and headers, text and HTML bodies from
``templates/mail/``, attachments.

Every address goes through :mod:`email.headerregistry` (a defect, a missing ``@`` or
domain, or a group is refused) and no header value may hold CR, LF or NUL: a
``subject`` or address with a line break is a :class:`HeaderInjection`, never a second
header.
"""
from __future__ import annotations

import mimetypes
import os
from email.errors import HeaderParseError
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP, default
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Any, Iterable, Mapping

from ..errors import WolfPyError

__all__ = ["HeaderInjection", "InvalidAddress", "MailError", "build", "check_address", "check_header"]

MAX_ADDRESS = 320
MAX_RECIPIENTS = 1000


class MailError(WolfPyError):
    """A message that cannot be built or sent."""


class HeaderInjection(MailError):
    """A header value (subject, address, name) with CR, LF or NUL in it."""


class InvalidAddress(MailError):
    """Not one well-formed email address."""


def check_header(name: str, value: str) -> str:
    """``value`` when it is safe as the ``name`` header; :class:`HeaderInjection` otherwise."""
    if not isinstance(value, str):
        raise MailError(f"the {name} header must be a string, not {type(value).__name__}")
    if any(c in value for c in "\r\n\x00"):
        raise HeaderInjection(f"line break in the {name} header refused (header injection): {value[:60]!r}")
    return value


def check_address(value: Any, field: str = "to") -> str:
    """One address (``ada@example.com`` or ``Ada <ada@example.com>``), checked and normalised."""
    if isinstance(value, Address):
        value = str(value)
    check_header(field, value)
    if not value.strip() or len(value) > MAX_ADDRESS:
        raise InvalidAddress(f"{field}: {value[:60]!r} is not an email address")
    try:
        header = default.header_factory("to", value)   # parsed as an address list
        addresses: tuple[Address, ...] = tuple(getattr(header, "addresses", ()))
        groups: tuple[Any, ...] = tuple(getattr(header, "groups", ()))
    except (HeaderParseError, IndexError, ValueError):
        raise InvalidAddress(f"{field}: {value[:60]!r} is not an email address") from None
    if header.defects or len(addresses) != 1 or any(g.display_name for g in groups):
        raise InvalidAddress(f"{field}: {value[:60]!r} is not one email address")
    address = addresses[0]
    if not address.username or ("." not in address.domain.strip(".") and address.domain != "localhost"):
        raise InvalidAddress(f"{field}: {value[:60]!r} has no user or domain")
    return str(address)


def _addresses(value: Any, field: str) -> list[str]:
    if value is None or value == "":
        return []
    items = [value] if isinstance(value, (str, Address)) else list(value)
    if len(items) > MAX_RECIPIENTS:
        raise MailError(f"{field}: at most {MAX_RECIPIENTS} addresses in one message")
    return [check_address(item, field) for item in items]


def _attach(message: EmailMessage, item: Any) -> None:
    """``item`` is a path, or ``(filename, content)`` / ``(filename, content, mimetype)``."""
    if isinstance(item, (str, os.PathLike)):
        path = Path(item)
        filename, content, mimetype = path.name, path.read_bytes(), None
    else:
        filename, content, *rest = item
        mimetype = rest[0] if rest else None
    check_header("attachment filename", filename)
    filename = os.path.basename(filename.replace("\\", "/")) or "attachment"
    mimetype = mimetype or mimetypes.guess_type(filename)[0] or "application/octet-stream"
    maintype, _, subtype = check_header("attachment type", mimetype).partition("/")
    if isinstance(content, str):
        message.add_attachment(content, subtype=subtype or "plain", filename=filename)
    else:
        message.add_attachment(bytes(content), maintype=maintype, subtype=subtype or "octet-stream",
                               filename=filename)


def build(*, sender: str, to: Any, subject: str, text: str, html: str | None = None,
          cc: Any = None, bcc: Any = None, reply_to: Any = None,
          attachments: Iterable[Any] = (), headers: Mapping[str, str] | None = None,
          domain: str | None = None) -> EmailMessage:
    """The message; ``message.envelope_to`` holds every recipient (to, cc and bcc: Bcc is
    not a header)."""
    recipients_to = _addresses(to, "to")
    if not recipients_to:
        raise InvalidAddress("to: no recipient")
    recipients_cc = _addresses(cc, "cc")
    recipients_bcc = _addresses(bcc, "bcc")
    message = EmailMessage(policy=SMTP)
    message["From"] = check_address(sender, "from")
    message["To"] = ", ".join(recipients_to)
    if recipients_cc:
        message["Cc"] = ", ".join(recipients_cc)
    replies = _addresses(reply_to, "reply_to")
    if replies:
        message["Reply-To"] = ", ".join(replies)
    message["Subject"] = check_header("subject", subject)
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=domain or sender.rpartition("@")[2].strip(">") or None)
    for name, value in (headers or {}).items():
        check_header("header name", name)
        if not name or any(c in name for c in ": \t") or not name.isascii():
            raise HeaderInjection(f"{name!r} is not a header name")
        message[name] = check_header(name, str(value))
    message.set_content(text)
    if html is not None:
        message.add_alternative(html, subtype="html")
    for item in attachments:
        _attach(message, item)
    message.envelope_to = [*recipients_to, *recipients_cc, *recipients_bcc]  # type: ignore[attr-defined]
    return message
