"""Path-parameter converters: a handler's annotation decides the Python type.

A converter takes the decoded segment text and returns the value, or raises
ValueError, which the dispatcher turns into a 404 (the URL names nothing). The
types and their readers come from the table in ``wolfpy/typetable.py``.
"""
from __future__ import annotations

import typing
from typing import Any, Callable

# The table imports nothing from WolfPy, so routing/ stays below the rest.
from ..typetable import INT_MAX as INT_MAX
from ..typetable import INT_MIN as INT_MIN
from ..typetable import VALUE_TYPES
from ..typetable import float_from_segment as to_float
from ..typetable import int_from_segment as to_int
from ..typetable import text_as_is as to_str
from ..typetable import uuid_from_segment as to_uuid

Converter = Callable[[str], Any]


def to_plain_str(text: str) -> str:
    """A catch-all's value as a plain ``str`` (the router hands over a str subclass)."""
    return str.__str__(text)


def to_segments(text: str) -> list[str]:
    """``list[str]`` on a catch-all: the segments one by one (``%2F`` kept inside)."""
    segments = getattr(text, "segments", None)
    if segments is not None:
        return list(segments)
    return text.split("/") if text else []


# The types a path parameter can have, from the table; ``{x:path}`` is ``{x:str}``.
BY_TYPE: dict[Any, Converter] = {t: vt.from_segment for t, vt in VALUE_TYPES.items() if vt.from_segment}
BY_NAME: dict[str, Converter] = {
    **{vt.path_name: vt.from_segment for vt in VALUE_TYPES.values() if vt.from_segment and vt.path_name},
    "path": to_str,
}


def _spelled(cls: type) -> str:
    return cls.__qualname__ if cls.__module__ == "builtins" else f"{cls.__module__}.{cls.__qualname__}"


_PATH_TYPES = [_spelled(t) for t in BY_TYPE]
_USE = f"(use {', '.join(_PATH_TYPES[:-1])} or {_PATH_TYPES[-1]})"


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
        raise TypeError(f"cannot convert a path parameter to {annotation!r} {_USE}")
    return conv
