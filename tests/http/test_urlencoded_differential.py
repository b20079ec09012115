"""The urlencoded parsers against a reference built on ``urllib.parse.parse_qsl``.

WolfPy's documented semantics (docs/requests-and-responses.md, docs/security.md): `&` is
the only separator, empty segments are skipped, a key without `=` has the value `""`,
`+` is a space, percent escapes are decoded as UTF-8 and a bad escape stays as written,
repeated keys keep every value in order, and a body that is not UTF-8 (raw or escaped,
surrogates included) is a 400; more than ``max_form_parts`` pairs or a key or value over
``max_form_field_size`` UTF-8 bytes is a 413 (a 400 for a query string's count).

Thousands of generated inputs, hostile ones included, go through ``parse_urlencoded``
(which takes the one-pass parser for the bodies browsers send and the general one for
the rest) and through the one-pass parser on its own; both must give the reference's
answer, and the one-pass parser must never answer an input it cannot parse exactly.
"""
from __future__ import annotations

import itertools
import random
from urllib.parse import parse_qsl

import pytest

from wolfpy.errors import HTTPError
from wolfpy.http.limits import DEFAULT_LIMITS, Limits
from wolfpy.http.urlencoded import parse_plain_form, parse_query, parse_urlencoded

# Pieces a body is made of. What a browser sends: text, `+`, escapes (of `&`, `=`, `%`,
# `+`, NUL, CR LF, and UTF-8, in either case).
BROWSER = [
    b"a", b"key", b"value", b"0", b"~-._*", b"+", b"%41", b"%4a", b"%2B", b"%20", b"%26", b"%3D", b"%3d",
    b"%25", b"%00", b"%0D%0A", b"%C3%A9", b"%c3%a9", b"%E7%8B%BC", b"%F0%9F%90%BA",
]
# What else arrives: separators in runs, bad or cut-short escapes, raw controls and
# backslashes, raw UTF-8, and bytes that are not UTF-8 (raw, escaped, an overlong form,
# a surrogate).
HOSTILE = [
    b"x y", b"@!$'()*,;:/?", b"&", b"=", b"&&&&", b"==", b"%", b"%%", b"%4", b"%zz", b"%g1", b"%%41",
    b"\x00", b"\r", b"\n", b"\r\n", b"\t", b"\\", b"\\x41", b"\x7f", "é".encode(), "狼".encode(),
    b"\xff", b"\xc3", b"%ff", b"%C3", b"%C0%AF", b"%ED%A0%80", b"\xed\xa0\x80",
]
TOKENS = BROWSER + HOSTILE


def _byte_pairs(body: bytes) -> list[tuple[bytes, bytes]]:
    """parse_qsl's pairs as the bytes they decode to (latin-1 maps each byte to one character)."""
    return [(k.encode("latin-1"), v.encode("latin-1"))
            for k, v in parse_qsl(body.decode("latin-1"), keep_blank_values=True, strict_parsing=False,
                                  separator="&", encoding="latin-1", errors="strict")]


def reference(body: bytes, limits: Limits, query: bool = False) -> tuple[str, object]:
    """``("ok", {key: [values]})``, or ``("error", {statuses WolfPy may answer})``.

    A body is UTF-8 text with escapes in it. A query string is the bytes a server read,
    handed over as latin-1 text: escapes and raw bytes together are the UTF-8. When a
    body breaks several rules, any of their statuses is a right answer (which one is
    found first depends on the body's size).
    """
    errors: set[int] = set()
    if sum(1 for segment in body.split(b"&") if segment) > limits.max_form_parts:
        errors.add(400 if query else 413)
    byte_pairs = _byte_pairs(body)
    if not query and any(len(b) > limits.max_form_field_size for pair in byte_pairs for b in pair):
        errors.add(413)
    try:
        if query:
            pairs = [(k.decode("utf-8"), v.decode("utf-8")) for k, v in byte_pairs]
        else:
            pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False,
                              separator="&", encoding="utf-8", errors="strict")
    except UnicodeDecodeError:
        errors.add(400)
    if errors:
        return "error", errors
    grouped: dict[str, list[str]] = {}
    for key, value in pairs:
        grouped.setdefault(key, []).append(value)
    return "ok", grouped


def outcome(parse, *args: object) -> tuple[str, object]:
    try:
        return "ok", parse(*args).to_dict(flat=False)
    except HTTPError as exc:
        return "error", exc.status


def check(body: bytes, limits: Limits = DEFAULT_LIMITS) -> bool:
    """Compare everything on one body; True when the one-pass parser took it."""
    kind, expected = reference(body, limits)
    got_kind, got = outcome(parse_urlencoded, body, limits)
    if kind == "ok":
        assert (got_kind, got) == (kind, expected), body
    else:
        assert got_kind == "error" and got in expected, (body, got, expected)
    fast = parse_plain_form(body, limits.max_form_parts) if len(body) <= limits.max_form_field_size else None
    if fast is not None:
        assert kind == "ok" and fast.to_dict(flat=False) == expected, body
        # MultiDict's views of it agree with the reference's order too.
        assert fast.items(multi=True) == [(k, v) for k, vs in expected.items() for v in vs]  # type: ignore[union-attr]
    # The same text as a query string (a server hands it over as latin-1 text).
    q_kind, q_expected = reference(body, limits, query=True)
    q_got_kind, q_got = outcome(parse_query, body.decode("latin-1"), limits)
    if q_kind == "ok":
        assert (q_got_kind, q_got) == (q_kind, q_expected), body
    else:
        assert q_got_kind == "error" and q_got in q_expected, (body, q_got, q_expected)
    return fast is not None


def generated(rng: random.Random, count: int) -> list[bytes]:
    bodies = []
    for _ in range(count):
        shape = rng.random()
        if shape < 0.6:  # a form as browsers send it, now and then with a hostile piece in it
            pieces = BROWSER if rng.random() < 0.6 else TOKENS
            pairs = [b"".join(rng.choices(pieces, k=rng.randint(0, 3))) + b"="
                     + b"".join(rng.choices(pieces, k=rng.randint(0, 4)))
                     for _ in range(rng.randint(1, 8))]
            bodies.append(b"&".join(pairs))
        else:  # anything made of the tokens
            bodies.append(b"".join(rng.choices(TOKENS, k=rng.randint(1, 12))))
    return bodies


def test_generated_bodies_agree_with_the_reference() -> None:
    rng = random.Random(20261130)
    taken = sum(check(body) for body in generated(rng, 4000))
    assert taken > 600, f"only {taken} bodies took the one-pass parser"


def test_short_bodies_agree_exhaustively() -> None:
    """Every body of up to three pieces of a small hostile alphabet."""
    alphabet = [b"%", b"=", b"&", b"+", b"4", b"a", b"g", b"\r", b"\n", b"\x00", b"\\", b"\xc3", b"%C3",
                b"%A9", b"%00", b"%3D", b"%26", b"%ff"]
    taken = 0
    for n in range(1, 4):
        for pieces in itertools.product(alphabet, repeat=n):
            taken += check(b"".join(pieces))
    assert taken > 100


@pytest.mark.parametrize("body", [
    b"&" * 5000, b"a=1" + b"&" * 5000 + b"b=2", b"=" * 5000, b"%" * 5000, b"a=" + b"%" * 4999,
    b"a=%", b"a=%4", b"%=%", b"k" * 20_000 + b"=v", b"k=" + b"%41" * 6000, b"a=1&a=2&a=3&b=&a",
    b"a=1&b=2&a=%41", b"\x00=\x00", b"a=%00&b=1", b"a=1&" * 999 + b"b=2", b"a=1&" * 1000 + b"b=2",
])
def test_hostile_bodies_agree_with_the_reference(body: bytes) -> None:
    check(body)
    check(body, Limits(max_form_parts=5, max_form_field_size=64))


def test_limits_agree_with_the_reference() -> None:
    rng = random.Random(7)
    small = Limits(max_form_parts=4, max_form_field_size=24)
    for body in generated(rng, 1500):
        check(body, small)
