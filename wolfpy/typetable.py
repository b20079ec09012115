"""The value types WolfPy supports, in one table.

A handler annotation such as ``int``, ``uuid.UUID`` or ``datetime.date`` means the same
thing wherever it appears: on a path parameter, on a typed query parameter, on a field
of a request body, in the OpenAPI document and in a JSON response. Each
:class:`ValueType` says, for one Python type, how to read it from a path segment, from
query-string or form text and from a JSON value, what a 422 says when a value does not
fit, its JSON Schema, and how the JSON encoder writes it. The path converters
(``routing/converters.py``), ``validation.convert``, the OpenAPI schema
(``openapi/schema.py``) and the JSON encoder (``http/response.py``) all read
:data:`VALUE_TYPES`, so supporting another type is one entry here.

What is built from these types (``Optional`` and unions, ``Literal``, enums, lists,
sets, dicts, dataclasses, pydantic models) is not an entry: each reader composes it.

Every reader raises ``ValueError`` for a value that does not fit. This module imports
nothing from WolfPy: ``routing/`` and ``http/`` read it and must stay below the rest.
"""
from __future__ import annotations

import copy
import dataclasses
import datetime as _dt
import decimal
import math
import uuid
from typing import Any, Callable, Mapping

Reader = Callable[[Any], Any]

# A signed 64-bit integer: the widest whole number a database column holds.
INT_MIN, INT_MAX = -(2**63), 2**63 - 1


@dataclasses.dataclass(frozen=True, eq=False)
class ValueType:
    """How WolfPy reads, documents and writes one Python type."""

    type: type
    schema: Mapping[str, Any]
    """Its JSON Schema (use :meth:`json_schema` for a copy to keep)."""
    message: str | None = None
    """What a 422 says for a value that does not fit; None: validation does not read it."""
    from_text: Reader | None = None
    """A query-string or form value (a ``str``), coerced."""
    from_json: Reader | None = None
    """A decoded JSON value, checked strictly (``5`` is not a string, ``true`` not a number)."""
    from_segment: Reader | None = None
    """A path segment, strictly (anything else is a 404); None: not a path parameter type."""
    path_name: str | None = None
    """Its name in a programmatic path: ``/items/{id:int}``."""
    to_json: Reader | None = None
    """The value as JSON for the encoder; None: JSON holds it as it is, or cannot."""

    def json_schema(self) -> dict[str, Any]:
        """A fresh copy of :attr:`schema`, free to change or embed in a document."""
        return copy.deepcopy(dict(self.schema))


# -- int ---------------------------------------------------------------------------------
def int_from_segment(text: str) -> int:
    """A signed 64-bit integer; strict: int() would also accept " 5", "5_000" and "٥"
    (Arabic-Indic five)."""
    body = text[1:] if text[:1] == "-" else text
    if not body or len(body) > 19 or not body.isascii() or not body.isdigit():
        raise ValueError(text)
    value = int(text)
    if not INT_MIN <= value <= INT_MAX:
        raise ValueError(text)
    return value


def int_from_text(text: str) -> int:
    """A signed 64-bit integer; surrounding spaces, a ``+`` and leading zeros pass (unlike
    in a path segment)."""
    text = text.strip()
    body = text[1:] if text[:1] in "+-" else text
    if body.isascii() and body.isdigit() and len(body) <= 30:
        value = int(text)
        if INT_MIN <= value <= INT_MAX:
            return value
    raise ValueError(text)


def int_from_json(value: Any) -> int:
    """A signed 64-bit integer (JSON itself has no bound)."""
    if isinstance(value, int) and not isinstance(value, bool) and INT_MIN <= value <= INT_MAX:
        return value
    raise ValueError(value)


# -- float -------------------------------------------------------------------------------
def float_from_segment(text: str) -> float:
    if not text or len(text) > 64 or not text.isascii() or "_" in text or text.strip() != text:
        raise ValueError(text)
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(text)
    return value


def float_from_text(text: str) -> float:
    number = float(text)
    if number == number and number not in (float("inf"), float("-inf")):
        return number
    raise ValueError(text)


def float_from_json(value: Any) -> float:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            return float(value)
        except OverflowError:  # an integer of hundreds of digits
            pass
    raise ValueError(value)


# -- str, bool ---------------------------------------------------------------------------
def text_as_is(text: str) -> str:
    return text


def str_from_json(value: Any) -> str:
    if isinstance(value, str):
        return value
    raise ValueError(value)


_TRUE = frozenset({"true", "1", "on", "yes"})
_FALSE = frozenset({"false", "0", "off", "no", ""})


def bool_from_text(text: str) -> bool:
    text = text.strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(text)


def bool_from_json(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    raise ValueError(value)


# -- Decimal, UUID -----------------------------------------------------------------------
def decimal_from_value(value: Any) -> decimal.Decimal:
    """A finite Decimal from a number or its text (the same for text and JSON)."""
    if isinstance(value, (int, float, str)) and not isinstance(value, bool):
        try:
            result = decimal.Decimal(str(value))
        except decimal.InvalidOperation:
            raise ValueError(value) from None
        if result.is_finite():
            return result
    raise ValueError(value)


def uuid_from_segment(text: str) -> uuid.UUID:
    """Only the two plain spellings: 32 hex digits, with or without the four hyphens."""
    if len(text) not in (32, 36):
        raise ValueError(text)
    return uuid.UUID(text)


def uuid_from_value(value: Any) -> uuid.UUID:
    return uuid.UUID(str(value))


# -- dates -------------------------------------------------------------------------------
def date_from_value(value: Any) -> _dt.date:
    if isinstance(value, str):
        return _dt.date.fromisoformat(value)
    raise ValueError(value)


def datetime_from_value(value: Any) -> _dt.datetime:
    if isinstance(value, str):
        return _dt.datetime.fromisoformat(value)
    raise ValueError(value)


def isoformat(value: Any) -> str:
    return value.isoformat()


_DECIMAL_PATTERN = r"^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$"

# The order matters twice: a subclass is looked up by isinstance in this order (datetime
# before date), and the path types are listed in it when a path annotation is refused.
VALUE_TYPES: dict[type, ValueType] = {vt.type: vt for vt in (
    ValueType(int, {"type": "integer"}, "expected a whole number", from_text=int_from_text,
              from_json=int_from_json, from_segment=int_from_segment, path_name="int"),
    ValueType(float, {"type": "number"}, "expected a number", from_text=float_from_text,
              from_json=float_from_json, from_segment=float_from_segment, path_name="float"),
    ValueType(uuid.UUID, {"type": "string", "format": "uuid"}, "expected a UUID",
              from_text=uuid_from_value, from_json=uuid_from_value, from_segment=uuid_from_segment,
              path_name="uuid", to_json=str),
    ValueType(str, {"type": "string"}, "expected a string", from_text=text_as_is,
              from_json=str_from_json, from_segment=text_as_is, path_name="str"),
    ValueType(bool, {"type": "boolean"}, "expected true or false", from_text=bool_from_text,
              from_json=bool_from_json),
    ValueType(decimal.Decimal,
              {"anyOf": [{"type": "number"}, {"type": "string", "pattern": _DECIMAL_PATTERN}]},
              "expected a decimal number", from_text=decimal_from_value, from_json=decimal_from_value,
              to_json=str),
    ValueType(_dt.datetime, {"type": "string", "format": "date-time"}, "expected an ISO 8601 date and time",
              from_text=datetime_from_value, from_json=datetime_from_value, to_json=isoformat),
    ValueType(_dt.date, {"type": "string", "format": "date"}, "expected an ISO 8601 date",
              from_text=date_from_value, from_json=date_from_value, to_json=isoformat),
    ValueType(_dt.time, {"type": "string", "format": "time"}, to_json=isoformat),
    ValueType(bytes, {"type": "string"}),
)}

# What the JSON encoder converts, by exact type; for a subclass, the first entry it is an
# instance of in the table's order.
JSON_ENCODERS: dict[type, Reader] = {t: vt.to_json for t, vt in VALUE_TYPES.items() if vt.to_json}


def value_type_of(value: Any) -> ValueType | None:
    """The entry ``value`` is an instance of (its own type's, else the first in order)."""
    vt = VALUE_TYPES.get(type(value))
    if vt is None:
        for t, candidate in VALUE_TYPES.items():
            if isinstance(value, t):
                return candidate
    return vt
