"""Path-parameter converters: a handler's annotation decides the Python type.

A converter takes the decoded segment text and returns the value, or raises
ValueError, which the dispatcher turns into a 404 (the URL names nothing).
"""
from __future__ import annotations

import math
import typing
import uuid
from typing import Any, Callable

Converter = Callable[[str], Any]


INT_MIN, INT_MAX = -(2**63), 2**63 - 1


def to_int(text: str) -> int:
    """A signed 64-bit integer, the widest a database column holds; anything else is a 404.

    Strict: int() would also accept " 5", "5_000" and "٥" (Arabic-Indic five).
    """
    body = text[1:] if text[:1] == "-" else text
    if not body or len(body) > 19 or not body.isascii() or not body.isdigit():
        raise ValueError(text)
    value = int(text)
    if not INT_MIN <= value <= INT_MAX:
        raise ValueError(text)
    return value


def to_float(text: str) -> float:
    if not text or len(text) > 64 or not text.isascii() or "_" in text or text.strip() != text:
        raise ValueError(text)
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(text)
    return value


def to_uuid(text: str) -> uuid.UUID:
    if len(text) not in (32, 36):
        raise ValueError(text)
    return uuid.UUID(text)


def to_str(text: str) -> str:
    return text


def to_plain_str(text: str) -> str:
    """A catch-all's value as a plain ``str`` (the router hands over a str subclass)."""
    return str.__str__(text)


def to_segments(text: str) -> list[str]:
    """``list[str]`` on a catch-all: the segments one by one (``%2F`` kept inside)."""
    segments = getattr(text, "segments", None)
    if segments is not None:
        return list(segments)
    return text.split("/") if text else []


BY_NAME: dict[str, Converter] = {
    "int": to_int,
    "float": to_float,
    "uuid": to_uuid,
    "str": to_str,
    "path": to_str,
}

BY_TYPE: dict[Any, Converter] = {
    int: to_int,
    float: to_float,
    uuid.UUID: to_uuid,
    str: to_str,
}


def for_annotation(annotation: Any, catchall: bool) -> Converter | None:
    """The converter for a handler parameter's annotation; None means leave the text.

    Raises:
        TypeError: an annotation WolfPy cannot convert a path segment to.
    """
    if annotation is None or annotation is Any or annotation is str:
        return None
    origin = typing.get_origin(annotation)
    if catchall and (annotation is list or origin is list):
        args = typing.get_args(annotation)
        if args and args[0] is not str:
            raise TypeError("a catch-all parameter can be str or list[str]")
        return to_segments
    conv = BY_TYPE.get(annotation)
    if conv is None:
        raise TypeError(f"cannot convert a path parameter to {annotation!r} "
                        "(use int, float, uuid.UUID or str)")
    return conv
