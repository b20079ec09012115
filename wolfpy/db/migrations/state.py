"""The schema state: what the tables look like, as plain data.

A state is ``{table: {"columns": {name: column}, "indexes": [index, ...]}}`` where a
column is ``{"type", "null", "default", "primary_key", "unique", "index", "fk"}``:

- ``type`` is portable: ``auto``, ``bigauto``, ``integer``, ``bigint``, ``smallint``,
  ``float``, ``double``, ``decimal(10,2)``, ``varchar(200)``, ``char(2)``, ``text``,
  ``boolean``, ``date``, ``datetime``, ``time``, ``blob``, ``uuid``, ``json``
  (any other peewee ``field_type``, lower-cased, passes through);
- ``default`` is a literal the database stores as the column's DEFAULT (callable
  defaults stay in Python and are not part of the schema);
- ``unique``/``index`` describe a single-column index; ``indexes`` holds the
  multi-column ones (``{"columns": [...], "unique": bool}``);
- ``fk`` is ``{"table", "column", "on_delete", "on_update"}`` or ``None``.

Every migration file stores the state it produces; ``wolfpy db migrate`` diffs the
models' state (:func:`models_state`) against the last one. Index and constraint names
are never stored: they are always :func:`index_name` and :func:`fk_name` of the
current table and columns, and the operations that rename things keep them so.
"""
from __future__ import annotations

import copy
import datetime
import decimal
import re
import uuid
from typing import Any, Dict, Iterable

import peewee

from ...errors import MigrationError

State = Dict[str, Dict[str, Any]]
Column = Dict[str, Any]

COLUMN_KEYS = ("type", "null", "default", "primary_key", "unique", "index", "fk")
FK_KEYS = ("table", "column", "on_delete", "on_update")

# Portable type name <-> peewee ``field_type`` (which each database maps to SQL).
_TO_PEEWEE = {
    "auto": "AUTO", "bigauto": "BIGAUTO", "integer": "INT", "bigint": "BIGINT",
    "smallint": "SMALLINT", "float": "FLOAT", "double": "DOUBLE", "decimal": "DECIMAL",
    "varchar": "VARCHAR", "char": "CHAR", "text": "TEXT", "boolean": "BOOL", "date": "DATE",
    "datetime": "DATETIME", "time": "TIME", "blob": "BLOB", "uuid": "UUID", "json": "JSON",
}
_FROM_PEEWEE = {v: k for k, v in _TO_PEEWEE.items()}
_TYPE = re.compile(r"^([a-z_][a-z0-9_ ]*?)\s*(?:\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\))?$")

# Lossless conversions: old type family -> new one (see :func:`narrowing`).
_INTS = ["smallint", "integer", "bigint"]
_STRINGS = {"char", "varchar", "text"}
_FAMILIES = {
    "smallint": "number", "integer": "number", "bigint": "number", "float": "number",
    "double": "number", "decimal": "number", "char": "string", "varchar": "string",
    "text": "string", "date": "date", "datetime": "date",
}


def parse_type(name: str) -> tuple[str, list[int]]:
    """``"decimal(10,2)"`` → ``("decimal", [10, 2])``."""
    match = _TYPE.match(str(name).strip().lower())
    if not match:
        raise MigrationError(f"unknown column type {name!r} (e.g. varchar(200), text, integer)")
    base, *mods = match.groups()
    return base, [int(m) for m in mods if m is not None]


def normalize_type(name: str) -> str:
    base, mods = parse_type(name)
    return f"{base}({','.join(map(str, mods))})" if mods else base


def peewee_type(name: str) -> tuple[str, list[int]]:
    """The peewee ``field_type`` and modifiers of a portable type name."""
    base, mods = parse_type(name)
    return _TO_PEEWEE.get(base, base.upper()), mods


def column(spec: Column | str, **attrs: Any) -> Column:
    """A complete column dict from a partial one: ``column("text", null=True)``."""
    raw = {"type": spec} if isinstance(spec, str) else dict(spec)
    raw.update(attrs)
    unknown = set(raw) - set(COLUMN_KEYS)
    if unknown:
        raise MigrationError(f"unknown column keys {sorted(unknown)} (known: {', '.join(COLUMN_KEYS)})")
    if "type" not in raw:
        raise MigrationError(f"a column needs a type: {raw!r}")
    fk = raw.get("fk")
    if fk is not None:
        if isinstance(fk, str):  # "user" or "user.id"
            table, _, col = fk.partition(".")
            fk = {"table": table, "column": col or "id"}
        extra = set(fk) - set(FK_KEYS)
        if extra or "table" not in fk:
            raise MigrationError(f"bad fk {fk!r}: use {{'table': ..., 'column': ...}}")
        fk = {"table": fk["table"], "column": fk.get("column") or "id",
              "on_delete": fk.get("on_delete"), "on_update": fk.get("on_update")}
    pk = bool(raw.get("primary_key", False))
    unique = bool(raw.get("unique", False)) and not pk
    return {
        "type": normalize_type(raw["type"]),
        "null": bool(raw.get("null", False)) and not pk,
        "default": raw.get("default"),
        "primary_key": pk,
        "unique": unique,
        "index": bool(raw.get("index", False)) and not (pk or unique),
        "fk": fk,
    }


def table(columns: dict[str, Column | str], indexes: Iterable[dict[str, Any]] = ()) -> dict[str, Any]:
    """A complete table dict: ``{"columns": {...}, "indexes": [...]}``."""
    if not columns:
        raise MigrationError("a table needs at least one column")
    return {"columns": {name: column(spec) for name, spec in columns.items()},
            "indexes": [index(i["columns"], i.get("unique", False)) for i in indexes]}


def index(columns: Iterable[str], unique: bool = False) -> dict[str, Any]:
    return {"columns": list(columns), "unique": bool(unique)}


def normalize(state: dict[str, Any] | None) -> State:
    """A complete, independent copy of a state written in a migration file."""
    out: State = {}
    for name, tstate in (state or {}).items():
        if not isinstance(tstate, dict) or "columns" not in tstate:
            raise MigrationError(f"state[{name!r}] must be {{'columns': {{...}}, 'indexes': [...]}}")
        out[name] = table(tstate["columns"], tstate.get("indexes", ()))
    return out


def clone(state: State) -> State:
    return copy.deepcopy(state)


def index_name(table_name: str, columns: Iterable[str]) -> str:
    """The name WolfPy gives an index: ``post_author_id`` (hashed when over 63 characters)."""
    return peewee._truncate_constraint_name("_".join([table_name, *columns]), 63)  # type: ignore[attr-defined]


def fk_name(table_name: str, column_name: str) -> str:
    """The name WolfPy gives a foreign-key constraint: ``fk_post_author_id``."""
    return peewee._truncate_constraint_name(f"fk_{table_name}_{column_name}", 63)  # type: ignore[attr-defined]


def indexes_of(table_name: str, tstate: dict[str, Any]) -> list[tuple[str, list[str], bool]]:
    """Every index of a table, single- and multi-column: ``(name, columns, unique)``."""
    found = []
    for name, col in tstate["columns"].items():
        if col["unique"] or col["index"]:
            found.append((index_name(table_name, [name]), [name], bool(col["unique"])))
    for idx in tstate["indexes"]:
        found.append((index_name(table_name, idx["columns"]), list(idx["columns"]), idx["unique"]))
    return found


# -- from models -------------------------------------------------------------------
def models_state(models: Iterable[type]) -> State:
    """The state described by peewee model classes (as ``discover_models`` returns them)."""
    state: State = {}
    models = list(models)
    known = {m._meta.table_name for m in models}  # type: ignore[attr-defined]
    for model in models:
        meta = model._meta  # type: ignore[attr-defined]
        composite = list(meta.primary_key.field_names) if meta.composite_key else []
        columns: dict[str, Column] = {}
        for field in meta.sorted_fields:
            columns[field.column_name] = field_column(field, field.name in composite)
            fk = columns[field.column_name]["fk"]
            if fk and fk["table"] not in known:
                raise MigrationError(
                    f"{model.__name__}.{field.name} references table {fk['table']!r}, "
                    "which is not a model in models/")
        indexes = []
        for spec in meta.indexes or ():
            if not (isinstance(spec, (tuple, list)) and len(spec) == 2
                    and isinstance(spec[0], (tuple, list))):
                raise MigrationError(f"{model.__name__}.Meta.indexes: only (('field', ...), unique) "
                                     "tuples are migrated; write a RunSQL migration for others")
            names = [meta.fields[f].column_name if f in meta.fields else f for f in spec[0]]
            if len(names) == 1:
                col = columns[names[0]]
                col["unique" if spec[1] else "index"] = True
                columns[names[0]] = column(col)
            else:
                indexes.append(index(names, bool(spec[1])))
        state[meta.table_name] = {"columns": columns, "indexes": indexes}
    return state


def field_column(field: Any, in_composite_key: bool = False) -> Column:
    """The column dict of one peewee field."""
    mods = field.get_modifiers() or []
    base = _FROM_PEEWEE.get(str(field.field_type).upper(), str(field.field_type).lower())
    type_name = f"{base}({','.join(str(int(m)) for m in mods)})" if mods else base
    fk = None
    if isinstance(field, peewee.ForeignKeyField):
        fk = {"table": field.rel_model._meta.table_name, "column": field.rel_field.column_name,
              "on_delete": field.on_delete, "on_update": field.on_update}
    default = field.default
    default = None if default is None or callable(default) else literal(field.db_value(default))
    return column({
        "type": type_name, "null": field.null, "default": default,
        "primary_key": bool(field.primary_key) or in_composite_key,
        "unique": field.unique, "index": field.index, "fk": fk,
    })


def literal(value: Any) -> Any:
    """A Python value as a state literal: str, int, float, bool or None."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, datetime.datetime):
        return value.isoformat(" ")
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, bytes):
        return value.decode("latin-1")
    return str(value)


# -- comparing ----------------------------------------------------------------------
def narrowing(old: str, new: str) -> bool:
    """Whether changing a column from type ``old`` to ``new`` can lose data or fail."""
    if old == new:
        return False
    (ob, om), (nb, nm) = parse_type(old), parse_type(new)
    if ob in _STRINGS and nb in _STRINGS:
        if nb == "text":
            return False
        if ob == "text":
            return True
        return bool(om and nm and nm[0] < om[0]) or (ob == "varchar" and nb == "char")
    if ob in _INTS and nb in _INTS:
        return _INTS.index(nb) < _INTS.index(ob)
    if ob in _INTS and nb == "decimal" and len(nm) == 2:
        return nm[0] - nm[1] < (5, 10, 19)[_INTS.index(ob)]
    if (ob, nb) in {("float", "double"), ("date", "datetime"), ("smallint", "float"),
                    ("smallint", "double"), ("integer", "double")}:
        return False
    if ob == nb == "decimal" and len(om) == 2 and len(nm) == 2:
        return nm[1] < om[1] or nm[0] - nm[1] < om[0] - om[1]
    return True


def same_family(old: str, new: str) -> bool:
    """Whether the database converts ``old`` to ``new`` by itself (no explicit cast)."""
    ob, nb = parse_type(old)[0], parse_type(new)[0]
    return ob == nb or (_FAMILIES.get(ob) is not None and _FAMILIES.get(ob) == _FAMILIES.get(nb))


def equal(a: State, b: State) -> bool:
    """Whether two states describe the same schema (column and index order aside)."""
    def key(state: State) -> dict[str, Any]:
        return {t: (ts["columns"], sorted((i["columns"], i["unique"]) for i in ts["indexes"]))
                for t, ts in state.items()}
    return key(a) == key(b)


def backfills(models: Iterable[type]) -> dict[tuple[str, str], Any]:
    """For NOT NULL fields whose default is a Python callable: one value of it, by
    ``(table, column)``, to fill the rows that exist when the column is added."""
    found: dict[tuple[str, str], Any] = {}
    for model in models:
        meta = model._meta  # type: ignore[attr-defined]
        for field in meta.sorted_fields:
            if callable(field.default) and not field.null:
                try:
                    found[(meta.table_name, field.column_name)] = literal(field.db_value(field.default()))
                except Exception:  # a default that needs a request or a database: no backfill
                    continue
    return found
