"""MultiDict: a read-only dict of first values that keeps every value of a repeated key."""
from __future__ import annotations

import copy
import json
import pickle

import pytest

from wolfpy import MultiDict
from wolfpy.errors import BadRequestKeyError


def test_first_values_every_value_and_order() -> None:
    md = MultiDict([("tag", "a"), ("x", "1"), ("tag", "b"), ("tag", "c")])
    assert md["tag"] == "a" and md.get("tag") == "a" and md.get("nope", "d") == "d"
    assert md.getlist("tag") == ["a", "b", "c"] and md.getlist("x") == ["1"] and md.getlist("nope") == []
    assert md.items(multi=True) == [("tag", "a"), ("tag", "b"), ("tag", "c"), ("x", "1")]
    assert md.items() == [("tag", "a"), ("x", "1")]
    assert md.to_dict() == {"tag": "a", "x": "1"}
    assert md.to_dict(flat=False) == {"tag": ["a", "b", "c"], "x": ["1"]}
    assert list(md) == ["tag", "x"] and len(md) == 2 and "tag" in md and "nope" not in md
    assert md == {"tag": "a", "x": "1"}
    assert repr(md) == "MultiDict([('tag', 'a'), ('tag', 'b'), ('tag', 'c'), ('x', '1')])"


def test_missing_key_is_a_400_key_error() -> None:
    with pytest.raises(BadRequestKeyError) as exc:
        MultiDict([("a", "1")])["b"]
    assert isinstance(exc.value, KeyError) and exc.value.status == 400


def test_read_only() -> None:
    md = MultiDict([("a", "1")])
    for change in (lambda: md.__setitem__("a", "2"), lambda: md.__delitem__("a"), lambda: md.update(b="2"),
                   lambda: md.pop("a"), lambda: md.popitem(), lambda: md.clear(),
                   lambda: md.setdefault("b", "2")):
        with pytest.raises(TypeError, match="read-only"):
            change()
    assert md.to_dict() == {"a": "1"}


def test_copies_keep_every_value() -> None:
    md = MultiDict([("a", "1"), ("a", "2"), ("b", "3")])
    for twin in (md.copy(), copy.copy(md), copy.deepcopy(md), pickle.loads(pickle.dumps(md))):
        assert type(twin) is MultiDict and twin.items(multi=True) == md.items(multi=True)
    assert json.loads(json.dumps(md)) == {"a": "1", "b": "3"}
