"""Python annotations → JSON Schema, collected in ``components/schemas``.

:meth:`SchemaRegistry.schema` describes an annotation the way WolfPy's validation
reads it: the value types of the type table (``wolfpy/typetable.py``: ``bool``,
``int``, ``float``, ``str``, dates and times, ``UUID``, ``Decimal``, ...) give their
own schema; ``Optional`` and unions, ``Literal``, enums, lists, sets and dicts are
built from them. A dataclass or a pydantic model becomes a ``$ref`` to one
component: dataclass schemas are generated here, pydantic models give their own
``model_json_schema()`` and their ``$defs`` join the components. The registry always
holds ``Error``, the body of every API error response.
"""
from __future__ import annotations

import dataclasses
import enum
import inspect
import re
import types
import typing
from typing import Any

from ..typetable import VALUE_TYPES, value_type_of

# validation decides which classes are pydantic models, so the document and request
# parsing agree; it has no public name for that check yet.
from ..validation import _is_pydantic as is_pydantic

REF = "#/components/schemas/"

ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "Every error of an API endpoint: the HTTP status, a message, and for "
                   "validation errors (422) one message per field at fault.",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["status", "message"],
            "properties": {
                "status": {"type": "integer", "description": "the HTTP status code"},
                "message": {"type": "string"},
                "fields": {
                    "type": "object",
                    "description": "422 only: field name (dotted for nested fields, "
                                   "[i] for list items) → what is wrong with it",
                    "additionalProperties": {"type": "string"},
                },
            },
        },
    },
    "examples": [{"error": {"status": 422, "message": "validation failed",
                            "fields": {"title": "field required"}}}],
}


class SchemaRegistry:
    """``components/schemas``: one entry per dataclass / pydantic model / pydantic $def.

    Names are the class names; a second, different class with a taken name gets a
    numeric suffix (``Item``, ``Item2``).
    """

    def __init__(self) -> None:
        self.schemas: dict[str, Any] = {"Error": ERROR_SCHEMA}
        self._names: dict[Any, str] = {}   # class → component name

    def _free_name(self, wanted: str) -> str:
        name = re.sub(r"[^A-Za-z0-9._-]", "_", wanted) or "Schema"
        if name not in self.schemas:
            return name
        n = 2
        while f"{name}{n}" in self.schemas:
            n += 1
        return f"{name}{n}"

    def ref(self, cls: Any) -> dict[str, Any]:
        """A ``$ref`` to ``cls`` (a dataclass or pydantic model), adding it on first use."""
        name = self._names.get(cls)
        if name is None:
            if is_pydantic(cls):
                name = self._add_pydantic(cls)
            else:
                name = self._names[cls] = self._free_name(cls.__name__)
                self.schemas[name] = {}  # placeholder: recursive dataclasses refer to themselves
                self.schemas[name] = self._dataclass(cls)
        return {"$ref": REF + name}

    def _dataclass(self, cls: Any) -> dict[str, Any]:
        try:
            hints = typing.get_type_hints(cls)
        except Exception:  # unresolvable forward references: document the fields untyped
            hints = {}
        properties: dict[str, Any] = {}
        required: list[str] = []
        for field in dataclasses.fields(cls):
            if not field.init:
                continue
            schema = dict(self.schema(hints.get(field.name, Any)))
            description = field.metadata.get("description") if field.metadata else None
            if description:
                schema["description"] = str(description)
            if field.default is not dataclasses.MISSING:
                default = json_value(field.default)
                if default is not NO_JSON and fits(default, schema):
                    schema["default"] = default
            elif field.default_factory is not dataclasses.MISSING:
                if field.default_factory in (list, tuple, set, frozenset):
                    schema["default"] = []
                elif field.default_factory is dict:
                    schema["default"] = {}
            else:
                required.append(field.name)
            properties[field.name] = schema
        out: dict[str, Any] = {"type": "object", "title": cls.__name__, "properties": properties}
        if required:
            out["required"] = required
        doc = inspect.getdoc(cls)
        if doc and not doc.startswith(cls.__name__ + "("):  # not the dataclass-generated signature
            out["description"] = doc
        return out

    def _add_pydantic(self, model: Any) -> str:
        raw = model.model_json_schema(ref_template=REF + "{model}")
        defs = raw.pop("$defs", {})
        # Its $defs go into components; a name already taken by a different schema is
        # renamed, and the refs rewritten to match.
        renames: dict[str, str] = {}
        for def_name, def_schema in defs.items():
            if def_name in self.schemas and self.schemas[def_name] != def_schema:
                renames[def_name] = new = self._free_name(def_name)
                self.schemas[new] = {}  # reserved
        if renames:
            defs = _rewrite_refs(defs, renames)
            raw = _rewrite_refs(raw, renames)
        for def_name, def_schema in defs.items():
            self.schemas[renames.get(def_name, def_name)] = def_schema
        ref = raw.get("$ref")
        if set(raw) == {"$ref"} and isinstance(ref, str) and ref.startswith(REF):
            name = ref[len(REF):]  # a recursive model: pydantic put it in $defs itself
        else:
            name = model.__name__
            if name in self.schemas and self.schemas[name] != raw:
                name = self._free_name(name)
            self.schemas[name] = raw
        self._names[model] = name
        return name

    def schema(self, annotation: Any) -> dict[str, Any]:
        """The JSON Schema of a Python annotation, as WolfPy's validation reads it."""
        if annotation is Any or annotation is None or annotation is inspect.Parameter.empty:
            return {}
        if annotation is type(None):
            return {"type": "null"}
        if type(annotation) is type and annotation in VALUE_TYPES:
            return VALUE_TYPES[annotation].json_schema()
        origin = typing.get_origin(annotation)
        args = typing.get_args(annotation)
        if origin is typing.Annotated:
            return self.schema(args[0])
        if origin is typing.Union or (hasattr(types, "UnionType") and origin is getattr(types, "UnionType")):
            options = [self.schema(a) for a in args]
            simple = [o for o in options if set(o) == {"type"} and isinstance(o["type"], str)]
            if len(simple) == len(options):
                return {"type": [o["type"] for o in options]}
            return {"anyOf": options}
        if origin is typing.Literal:
            values = [json_value(a) for a in args]
            out: dict[str, Any] = {"enum": [v for v in values if v is not NO_JSON]}
            kinds = {_json_type(v) for v in out["enum"]}
            if len(kinds) == 1 and None not in kinds:
                out["type"] = kinds.pop()
            return out
        if origin in (list, tuple, set, frozenset) or annotation in (list, tuple, set, frozenset):
            item = args[0] if args and args[0] is not Ellipsis else Any
            out = {"type": "array", "items": self.schema(item)}
            if (origin or annotation) in (set, frozenset):
                out["uniqueItems"] = True
            return out
        if origin is dict or annotation is dict:
            out = {"type": "object"}
            if len(args) == 2:
                out["additionalProperties"] = self.schema(args[1])
            return out
        if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
            values = [json_value(m.value) for m in annotation]
            out = {"title": annotation.__name__, "enum": [v for v in values if v is not NO_JSON]}
            kinds = {_json_type(v) for v in out["enum"]}
            if len(kinds) == 1 and None not in kinds:
                out["type"] = kinds.pop()
            return out
        if isinstance(annotation, type) and (dataclasses.is_dataclass(annotation) or is_pydantic(annotation)):
            return self.ref(annotation)
        return {}


def _rewrite_refs(value: Any, renames: dict[str, str]) -> Any:
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if k == "$ref" and isinstance(v, str) and v.startswith(REF) and v[len(REF):] in renames:
                out[k] = REF + renames[v[len(REF):]]
            else:
                out[k] = _rewrite_refs(v, renames)
        return out
    if isinstance(value, list):
        return [_rewrite_refs(v, renames) for v in value]
    return value


NO_JSON: Any = object()
# RFC 3339, which OpenAPI's date-time and time formats follow, needs the UTC offset.
_NEEDS_OFFSET = ("date-time", "time")


def json_value(value: Any) -> Any:
    """``value`` as plain JSON (for ``default``/``enum``), or ``NO_JSON``."""
    if isinstance(value, enum.Enum):
        value = value.value
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if value == value and value not in (float("inf"), float("-inf")) else NO_JSON
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [json_value(v) for v in value]
        return NO_JSON if any(v is NO_JSON for v in items) else items
    if isinstance(value, dict) and all(isinstance(k, str) for k in value):
        out = {k: json_value(v) for k, v in value.items()}
        return NO_JSON if any(v is NO_JSON for v in out.values()) else out
    vt = value_type_of(value)
    if vt is None or vt.to_json is None:
        return NO_JSON
    if vt.schema.get("format") in _NEEDS_OFFSET and value.utcoffset() is None:
        return NO_JSON
    return vt.to_json(value)


_JSON_TYPES: dict[str, tuple[type, ...]] = {"null": (type(None),), "boolean": (bool,), "integer": (int,), "number": (int, float),
               "string": (str,), "array": (list,), "object": (dict,)}


def fits(value: Any, schema: dict[str, Any]) -> bool:
    """A light check that ``value`` matches ``schema`` (for ``default``: validators check
    defaults, and ``x: int = None`` is common). Unsure means no."""
    if "$ref" in schema:
        return False
    if "enum" in schema and value not in schema["enum"]:
        return False
    for key in ("anyOf", "oneOf"):
        if key in schema:
            return any(fits(value, option) for option in schema[key])
    kinds = schema.get("type")
    if kinds is not None:
        allowed: tuple[type, ...] = tuple(t for k in ([kinds] if isinstance(kinds, str) else kinds) for t in _JSON_TYPES.get(k, ()))
        if not isinstance(value, allowed) or (isinstance(value, bool) and bool not in allowed):
            return False
    if isinstance(value, list) and isinstance(schema.get("items"), dict):
        return all(fits(v, schema["items"]) for v in value)
    if isinstance(value, str) and "pattern" in schema:
        return re.search(schema["pattern"], value) is not None
    return True


def _json_type(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"
