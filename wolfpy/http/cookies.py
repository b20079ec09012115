"""Cookie header parsing and Set-Cookie rendering.

Parsing is lenient the way browsers are (a bad pair is skipped, not fatal)
but never invents a name: a pair without ``=`` or with an empty name is
dropped (cf. Werkzeug CVE-2023-23934, a nameless cookie read as ``__Host-``).
A pair whose name is not an RFC 9110 token, or whose value holds anything but
printable ASCII (raw or once percent-decoded: control characters, invalid
UTF-8), is dropped too: such a cookie is treated as absent, silently.
"""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from urllib.parse import unquote_to_bytes

MAX_COOKIES = 200
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")


def parse_cookie_header(header: str) -> dict[str, str]:
    out: dict[str, str] = {}
    chunks = header.split(";", MAX_COOKIES)
    if len(chunks) > MAX_COOKIES:
        chunks.pop()  # the unsplit rest, past the cap
    for chunk in chunks:
        name, sep, value = chunk.partition("=")
        name = name.strip(" \t")
        if not sep or not name or not _TOKEN.fullmatch(name):
            continue
        value = value.strip(" \t")
        if len(value) >= 2 and value[0] == value[-1] == '"':
            value = value[1:-1]
        if not (value.isascii() and value.isprintable()):
            continue
        if "%" in value:
            try:
                value = unquote_to_bytes(value).decode("utf-8")
            except UnicodeDecodeError:
                continue
            if not value.isprintable():
                continue
        # First occurrence wins: browsers send the most specific path first.
        out.setdefault(name, value)
    return out


_SAMESITE = {"lax": "Lax", "strict": "Strict", "none": "None"}
_BAD_NAME = set(' \t\r\n;,="()<>@:\\/[]?{}')


def render_set_cookie(
    name: str,
    value: str,
    *,
    max_age: int | None = None,
    expires: datetime | None = None,
    path: str = "/",
    domain: str | None = None,
    secure: bool = False,
    httponly: bool = True,
    samesite: str | None = "Lax",
) -> str:
    """One ``Set-Cookie`` header value. HttpOnly and SameSite=Lax unless told otherwise."""
    if not name or set(name) & _BAD_NAME or not name.isascii():
        raise ValueError(f"invalid cookie name {name!r}")
    if any(c in value for c in ';\r\n"\\') or not value.isascii():
        raise ValueError("cookie values must be ASCII without ; \" \\ or line breaks "
                         "(sign or encode them first)")
    parts = [f"{name}={value}"]
    if max_age is not None:
        parts.append(f"Max-Age={int(max_age)}")
        if expires is None:
            expires = (datetime(1970, 1, 1, tzinfo=timezone.utc) if max_age <= 0
                       else datetime.now(timezone.utc) + timedelta(seconds=int(max_age)))
    if expires is not None:
        if expires.tzinfo is None:
            expires = expires.replace(tzinfo=timezone.utc)
        parts.append("Expires=" + format_datetime(expires.astimezone(timezone.utc), usegmt=True))
    if domain:
        parts.append(f"Domain={domain}")
    if path:
        parts.append(f"Path={path}")
    if secure or (samesite or "").lower() == "none":
        parts.append("Secure")
    if httponly:
        parts.append("HttpOnly")
    if samesite:
        label = _SAMESITE.get(samesite.lower())
        if label is None:
            raise ValueError("samesite must be 'Lax', 'Strict' or 'None'")
        parts.append(f"SameSite={label}")
    return "; ".join(parts)
