"""The type table: the path converters, validation, the OpenAPI schema and the JSON
encoder all answer from it, and its whole numbers fit a database column."""
from __future__ import annotations

import datetime
import decimal
import json
import uuid
from typing import Any, Callable

import pytest

from wolfpy.http.response import dumps
from wolfpy.openapi.schema import SchemaRegistry
from wolfpy.routing.converters import BY_NAME, for_annotation
from wolfpy.typetable import (INT_MAX, INT_MIN, VALUE_TYPES, ValueType, int_from_json,
                              int_from_segment, int_from_text)
from wolfpy.validation import _Invalid, convert

ENTRIES = list(VALUE_TYPES.values())
NAMES = [vt.type.__name__ for vt in ENTRIES]
READ = [vt for vt in ENTRIES if vt.message]          # the types validation reads
ENCODED = [vt for vt in ENTRIES if vt.to_json]       # the types the JSON encoder converts
SAMPLES: dict[type, Any] = {
    uuid.UUID: uuid.UUID(int=1), decimal.Decimal: decimal.Decimal("1.50"),
    datetime.datetime: datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc),
    datetime.date: datetime.date(2026, 1, 2), datetime.time: datetime.time(3, 4, 5),
}


@pytest.mark.parametrize("vt", ENTRIES, ids=NAMES)
def test_the_openapi_schema_is_the_tables(vt: ValueType) -> None:
    assert SchemaRegistry().schema(vt.type) == vt.schema


@pytest.mark.parametrize("vt", ENTRIES, ids=NAMES)
def test_path_parameter_types_are_the_tables(vt: ValueType) -> None:
    if vt.from_segment is None:
        with pytest.raises(TypeError, match="cannot convert a path parameter"):
            for_annotation(vt.type, False)
        return
    assert vt.path_name and BY_NAME[vt.path_name] is vt.from_segment
    if vt.type is not str:  # str: the text is passed as it is
        assert for_annotation(vt.type, False) is vt.from_segment


@pytest.mark.parametrize("vt", READ, ids=[vt.type.__name__ for vt in READ])
def test_validation_says_the_tables_message(vt: ValueType) -> None:
    cases = [(object(), False)] + ([("\x00", True)] if vt.type is not str else [])  # text is a str
    for value, from_text in cases:
        with pytest.raises(_Invalid) as caught:
            convert(value, vt.type, from_text)
        assert caught.value.message == vt.message


@pytest.mark.parametrize("vt", ENCODED, ids=[vt.type.__name__ for vt in ENCODED])
def test_the_json_encoder_writes_what_the_table_says(vt: ValueType) -> None:
    sample = SAMPLES[vt.type]
    assert json.loads(dumps({"v": [sample]})) == {"v": [vt.to_json(sample)]}  # type: ignore[misc]


@pytest.mark.parametrize("read, spell", [(int_from_text, str), (int_from_segment, str), (int_from_json, int)],
                         ids=["text", "segment", "json"])
def test_whole_numbers_are_signed_64_bit(read: Callable[[Any], int], spell: Callable[[int], Any]) -> None:
    assert read(spell(INT_MAX)) == 2 ** 63 - 1 and read(spell(INT_MIN)) == -(2 ** 63)
    for outside in (INT_MAX + 1, INT_MIN - 1, 10 ** 29):
        with pytest.raises(ValueError):
            read(spell(outside))
