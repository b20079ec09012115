"""Query strings and ``application/x-www-form-urlencoded`` bodies, bounded.

`&` is the only pair separator (never `;`, cf. Django CVE-2021-23336), `+` is a space,
percent escapes are decoded as UTF-8 and blank values are kept; every parse has a count,
a size and a time bound (docs/security.md). A form in the shape browsers send is parsed
by :func:`parse_plain_form` in a fixed number of C calls, whatever its field count;
anything else (and anything it is unsure of) takes the general per-field parser, which
sets the semantics.
"""
from __future__ import annotations

import re
from binascii import a2b_qp
from typing import Any
from urllib.parse import unquote, unquote_to_bytes

from ..errors import BadRequest, HTTPError, PayloadTooLarge
from .datastructures import MultiDict
from .limits import DEFAULT_LIMITS, Limits

__all__ = ["parse_query", "parse_urlencoded", "parse_plain_form"]


_SEGMENT = re.compile(r"[^&]+")
_SEGMENT_BYTES = re.compile(rb"[^&]+")


def _segments(text: Any, max_pairs: int, too_many: type[HTTPError], message: str) -> list[Any]:
    """The non-empty ``&``-separated segments of ``text`` (str or bytes), at most ``max_pairs``.

    Counted as they are found: past ``max_pairs`` the parse stops with ``too_many``,
    without splitting the rest (a 16 MiB body of pairs costs no more than its first
    thousand). Runs of empty segments are skipped in C.
    """
    sep = "&" if isinstance(text, str) else b"&"
    if text.count(sep) < max_pairs:
        return text.split(sep)  # at most max_pairs segments: the common case, in one call
    out: list[Any] = []
    finder = (_SEGMENT if isinstance(text, str) else _SEGMENT_BYTES).finditer(text)
    for match in finder:
        if len(out) == max_pairs:
            raise too_many(message=message)
        out.append(match.group())
    return out


def parse_query(qs: str, limits: Limits = DEFAULT_LIMITS) -> MultiDict:
    """Parse a query string into a :class:`MultiDict`.

    Pairs are separated by `&` only, `+` is a space, percent escapes are decoded
    as UTF-8, and blank values are kept (`a=&b` gives `a=''` and `b=''`). Bytes that
    are not UTF-8 (`%FF`) and more than ``limits.max_form_parts`` pairs (found while
    splitting) are a 400.
    """
    if not qs:
        return MultiDict()
    if "+" in qs:
        qs = qs.replace("+", " ")
    pairs = _segments(qs, limits.max_form_parts, BadRequest, "too many query parameters")
    items: list[tuple[str, str]] = []
    append = items.append
    if "%" not in qs and qs.isascii():
        # Fast path: nothing to decode, which is most query strings.
        for pair in pairs:
            if pair:
                key, _, value = pair.partition("=")
                append((key, value))
        return MultiDict(items)
    try:
        for pair in pairs:
            if pair:
                key, _, value = pair.partition("=")
                append((_query_text(key), _query_text(value)))
    except UnicodeError:
        raise BadRequest(message="invalid UTF-8 in the query string") from None
    return MultiDict(items)


def _query_text(text: str) -> str:
    if text.isascii():
        # unquote_to_bytes + decode is about 1.5x faster than unquote for short values.
        return unquote_to_bytes(text).decode("utf-8") if "%" in text else text
    try:
        raw = text.encode("latin-1")  # what the server read off the wire, byte for byte
    except UnicodeEncodeError:  # text made in Python (a test client), not bytes
        value = unquote(text, errors="strict")
        value.encode("utf-8")  # a lone surrogate is not UTF-8 either: UnicodeEncodeError
        return value
    return unquote_to_bytes(raw).decode("utf-8")


def parse_urlencoded(body: bytes, limits: Limits = DEFAULT_LIMITS) -> MultiDict:
    """Parse an ``application/x-www-form-urlencoded`` body.

    Like :func:`parse_query`, but strict: invalid UTF-8 (raw or percent-encoded)
    is a 400, a key or value over ``limits.max_form_field_size`` bytes and more
    than ``limits.max_form_parts`` pairs are 413s. Both limits are checked as the
    body is parsed, before the rest of it is decoded.
    """
    if not body:
        return MultiDict()
    max_size = limits.max_form_field_size
    if len(body) <= max_size:
        form = parse_plain_form(body, limits.max_form_parts)
        return form if form is not None else _parse_small_form(body, limits.max_form_parts)
    pairs = _segments(body, limits.max_form_parts, PayloadTooLarge, "too many form fields")
    items: list[tuple[str, str]] = []
    try:
        for pair in pairs:
            if pair:
                raw_key, _, raw_value = pair.partition(b"=")
                items.append((_form_text(raw_key, max_size), _form_text(raw_value, max_size)))
    except UnicodeDecodeError:
        raise BadRequest(message="invalid UTF-8 in form data") from None
    return MultiDict(items)


# Every byte but the structural ones, deleted to see a body's shape: its `&` and `=` in
# order, and any CR or LF (a quoted-printable soft line break, see below).
_NOT_STRUCTURE = bytes(b for b in range(256) if b not in b"&=\r\n")
# One pass over the body: `+` is a space, `&` and `=` become NUL (split on afterwards),
# and `%` becomes the `=` that starts a quoted-printable escape.
_TO_QP = bytes.maketrans(b"+&=%", b" \x00\x00=")
# The shape of a body of n pairs, for the common n (0 pairs: no shape matches).
_SHAPES = [b"\xff"] + [b"=&" * (n - 1) + b"=" for n in range(1, 65)]
_new_form = dict.__new__
_fill = dict.update


def parse_plain_form(body: bytes, max_parts: int) -> MultiDict | None:
    """A body in the shape browsers send, parsed in a fixed number of C calls; None for
    any other, which the general parser then reads (and refuses, when it must).

    The shape: ASCII, at most ``max_parts`` pairs, each exactly one ``key=value``, no CR
    or LF, every ``%`` the start of a valid escape, no NUL (raw or ``%00``). Percent
    escapes are quoted-printable ones once ``%`` is ``=``: ``binascii.a2b_qp`` decodes
    them all in one call, and the whole result is decoded as UTF-8 in one more. Each
    condition is checked, not assumed, so the result is the general parser's.
    """
    shape = body.translate(None, _NOT_STRUCTURE)
    pairs = (len(shape) + 1) >> 1
    expected = _SHAPES[pairs] if pairs < len(_SHAPES) else b"=&" * (pairs - 1) + b"="
    if pairs > max_parts or shape != expected or not body.isascii():
        return None
    raw = body.translate(_TO_QP)
    decoded = a2b_qp(raw)
    # A valid escape is 3 bytes decoded to 1; a2b_qp copies an invalid one (or drops a
    # final lone "%"): the lengths tell whether every "%" was an escape.
    if len(raw) - len(decoded) != 2 * body.count(b"%"):
        return None
    try:
        flat = decoded.decode("utf-8").split("\x00")
    except UnicodeDecodeError:
        return None
    if len(flat) != 2 * pairs:  # a NUL in a key or value
        return None
    it = iter(flat)
    form = _new_form(MultiDict)
    _fill(form, zip(it, it))  # dict's own update, in C
    if len(form) == pairs:
        return form  # type: ignore[no-any-return]
    return MultiDict(zip(flat[::2], flat[1::2]))  # a repeated key


def _parse_small_form(body: bytes, max_parts: int) -> MultiDict:
    """A body no larger than one field may be (nearly every form): no field can be over
    the size limit, so the body is decoded once and split without per-field checks."""
    try:
        text = body.decode("utf-8")
        if "+" in text:
            text = text.replace("+", " ")
        decode = "%" in text
        items: list[tuple[str, str]] = []
        for pair in _segments(text, max_parts, PayloadTooLarge, "too many form fields"):
            if not pair:
                continue
            key, _, value = pair.partition("=")
            if decode:
                if "%" in key:
                    key = unquote_to_bytes(key).decode("utf-8")
                if "%" in value:
                    value = unquote_to_bytes(value).decode("utf-8")
            items.append((key, value))
    except UnicodeDecodeError:
        raise BadRequest(message="invalid UTF-8 in form data") from None
    return MultiDict(items)


def _form_text(raw: bytes, max_size: int) -> str:
    # Decoding only shrinks a segment, and at most threefold (%XX is one byte): a
    # segment over 3x the limit is refused before any work on it.
    if len(raw) > max_size:
        if len(raw) > 3 * max_size or b"%" not in raw:
            raise PayloadTooLarge(message="form field too large")
    if b"+" in raw:
        raw = raw.replace(b"+", b" ")
    if b"%" in raw:
        raw = unquote_to_bytes(raw)
        if len(raw) > max_size:
            raise PayloadTooLarge(message="form field too large")
    return raw.decode("utf-8")
