"""Generated SQL, remembered: the commonest query shapes skip peewee's SQL builder.

peewee turns a query into SQL text every time it runs, walking the query's node tree
(tens of microseconds for ``World.get_by_id(n)``, more than the round trip to a local
PostgreSQL on a small table). The text depends only on the query's *shape*: which
model, which columns, which comparisons joined by AND/OR, which ordering; the values
compared against are bound parameters. This module recognises a few shapes exactly
and cheaply, remembers the text peewee made for each, and on the next query of the same
shape sends that text with the new parameters:

- ``Model.select(...)`` of one model's own fields, with an optional WHERE of
  ``field <op> value`` comparisons (``==``, ``!=``, ``<``, ``<=``, ``>``, ``>=``) joined by
  ``&``/``|``, an ORDER BY of the model's fields, LIMIT and OFFSET: ``Fortune.select()``,
  ``World.get_by_id(n)``, ``Post.get(Post.slug == s)``, ``.order_by(Post.id.desc())``;
- ``Model.update(field=value, ...)`` (``instance.save()`` of a saved row) and
  ``Model.delete()`` (``delete_instance()``), with such a WHERE.

Anything else (joins, functions, sub-queries, ``IN``, ``IS NULL``, values that are
expressions, a field class that renders itself its own way) goes through peewee as
before. Parameters are always bound, never written into the text. The first query of a
shape is built by peewee; the cache keeps it only if the parameters it collects are
exactly peewee's. A shape is keyed by the identity of the model, its table object
(peewee makes a new one when the table is renamed or a field added or removed) and the
fields involved, and the entry holds them, so a model made again (tests that define
models anew) never meets another's text. Each database keeps at most
:attr:`CachedSQL.sql_cache_size` shapes; ``0`` turns the cache off.
"""
from __future__ import annotations

import threading
import types
from typing import Any

import peewee
from peewee import OP, Expression, Field, ModelDelete, ModelSelect, ModelUpdate, Node, Ordering

__all__ = ["CachedSQL", "SQLCache", "fingerprint"]

_COMPARE = frozenset({OP.EQ, OP.NE, OP.LT, OP.LTE, OP.GT, OP.GTE})
_BOOLEAN = frozenset({OP.AND, OP.OR})
# A compared value of these types is rendered as more than one placeholder (a list),
# as SQL (a node), as a table (a class), or as ``NULL``: not one bound parameter.
_NOT_ONE_PARAM = (Node, type, types.GeneratorType) + tuple(peewee.multi_types)
_FIELD_SQL = Field.__sql__
_FIELD_SORT_KEY = Field.get_sort_key

# Attributes a query of each class has when made by peewee's own methods; a query with
# any other attribute was made some other way and is never cached.
_SELECT_ATTRS = frozenset({
    "model", "_join_ctx", "_joins", "_is_default", "_database", "_cursor_wrapper", "_row_type",
    "_constructor", "_where", "_order_by", "_limit", "_offset", "_cte_list", "_alias", "_hash",
    "_from_list", "_returning", "_group_by", "_having", "_windows", "_for_update", "_lateral",
    "_distinct", "_simple_distinct"})
_WRITE_ATTRS = frozenset({
    "model", "table", "_returning", "_return_cursor", "_database", "_cursor_wrapper", "_row_type",
    "_constructor", "_where", "_order_by", "_limit", "_offset", "_cte_list", "_update", "_from"})


def _field_of(node: Any, model: Any) -> bool:
    """``node`` is one of ``model``'s own fields (the object its class holds)."""
    field: Any = node  # (peewee's stubs lack the private attributes read here)
    return (isinstance(node, Field) and field.model is model and field._coerce
            and model._meta.fields.get(field.name) is node)


def _where(node: Any, model: Any, key: list[Any], params: list[Any]) -> bool:
    """Append ``node``'s shape to ``key`` and its values to ``params``; False: not cacheable."""
    if type(node) is not Expression:
        return False
    op = node.op
    if op in _BOOLEAN:
        key.append(op)
        key.append(node.flat)
        return _where(node.lhs, model, key, params) and _where(node.rhs, model, key, params)
    if op not in _COMPARE:
        return False
    lhs, rhs = node.lhs, node.rhs
    if rhs is None or isinstance(rhs, _NOT_ONE_PARAM) or not _field_of(lhs, model):
        return False
    value = lhs.db_value(rhs)
    if isinstance(value, (Node, type)):
        return False
    key.append(id(lhs))
    key.append(op)
    key.append(node.flat)
    params.append(value)
    return True


def _select(query: Any, model: Any, key: list[Any], params: list[Any]) -> bool:
    if (query._joins or query._group_by is not None or query._having is not None
            or query._windows is not None or query._for_update is not None or query._lateral
            or query._distinct is not None or query._simple_distinct or query._cte_list
            or query._alias is not None):
        return False
    sources = query._from_list
    if len(sources) != 1 or sources[0] is not model:
        return False
    for column in query._returning:
        if not (query._is_default or _field_of(column, model)):
            return False  # e.g. fn.COUNT(): a new object each time, never the same key
        key.append(id(column))
    key.append(None)
    if query._where is not None and not _where(query._where, model, key, params):
        return False
    key.append(None)
    if query._order_by:
        for item in query._order_by:
            if type(item) is Ordering:
                if item.collation is not None or item.nulls is not None or not _field_of(item.node, model):
                    return False
                key.append(id(item.node))
                key.append(item.direction)
            elif _field_of(item, model):
                key.append(id(item))
            else:
                return False
    limit, offset = query._limit, query._offset
    if limit is not None:
        if type(limit) is not int:
            return False
        params.append(limit)
    if offset is not None:
        if type(offset) is not int or limit is None:
            return False
        params.append(offset)
    key.append(limit is None)
    key.append(offset is None)
    return True


def _write(query: Any, model: Any, key: list[Any], params: list[Any]) -> bool:
    if (query._returning or query._order_by or query._limit is not None or query._offset is not None
            or query._cte_list or query.table is not model):
        return False
    update: Any = getattr(query, "_update", None)  # a ModelUpdate's; a ModelDelete has none
    if update is not None:
        if query._from is not None or not update:
            return False
        # peewee writes SET in the fields' own order (their sort key), not the dict's.
        items = sorted(update.items(), key=_sort_key) if len(update) > 1 else update.items()
        for field, value in items:
            if isinstance(value, Node) or not _field_of(field, model):
                return False
            value = field.db_value(value)
            if isinstance(value, (Node, type)):
                return False
            key.append(id(field))
            params.append(value)
    key.append(None)
    return query._where is None or _where(query._where, model, key, params)


def _sort_key(item: tuple[Any, Any]) -> Any:
    field: Any = item[0]
    return getattr(field, "_sort_key", (0, 0))  # a Field's; anything else is refused after


def fingerprint(query: Any) -> tuple[tuple[Any, ...], list[Any]] | None:
    """``(shape, params)`` of a query whose SQL text depends on its shape alone, else None."""
    kind = type(query)
    if kind is ModelSelect:
        check = _select
    elif kind is ModelUpdate or kind is ModelDelete:
        check = _write
    else:
        return None
    model = query.model
    key: list[Any] = [kind, id(model), id(model._meta.table)]
    params: list[Any] = []
    if not check(query, model, key, params):
        return None
    return tuple(key), params


def _fields(query: Any) -> list[Any]:
    """The columns a query names: selected, set, ordered by, compared in its WHERE."""
    fields: list[Any] = list(getattr(query, "_returning", None) or ())
    fields.extend(getattr(query, "_update", None) or ())
    for item in getattr(query, "_order_by", None) or ():
        fields.append(item.node if type(item) is Ordering else item)
    stack = [query._where]
    while stack:
        node = stack.pop()
        if type(node) is Expression:
            if node.op in _BOOLEAN:
                stack.extend((node.rhs, node.lhs))
            else:
                fields.append(node.lhs)
    return fields


def _plain(query: Any, fields: list[Any]) -> bool:
    """Checked once per shape: peewee's own attributes and field classes that render as fields do."""
    allowed = _SELECT_ATTRS if type(query) is ModelSelect else _WRITE_ATTRS
    return set(vars(query)) <= allowed and all(
        isinstance(f, Field) and type(f).__sql__ is _FIELD_SQL
        and type(f).get_sort_key is _FIELD_SORT_KEY for f in fields)


class SQLCache:
    """At most ``size`` shapes -> SQL text (None: a shape that must go through peewee).

    Lookups take no lock (a dict read is atomic); the first query of a shape stores
    its entry under a lock, and when full the oldest entry makes room.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self._entries: dict[tuple[Any, ...], tuple[str | None, list[Any]]] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: tuple[Any, ...]) -> Any:
        """The entry for ``key``: ``(sql or None, held objects)``, or None when unknown."""
        return self._entries.get(key)

    def put(self, key: tuple[Any, ...], sql: str | None, held: list[Any]) -> None:
        with self._lock:
            entries = self._entries
            while len(entries) >= self.size and entries:
                del entries[next(iter(entries))]
            entries[key] = (sql, held)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


class CachedSQL:
    """A peewee ``Database`` mixin: ``execute(query)`` reuses the SQL text of known shapes."""

    #: Shapes remembered per database (0: no cache, every query built by peewee).
    sql_cache_size = 512

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.sql_cache = SQLCache(self.sql_cache_size)
        super().__init__(*args, **kwargs)

    def execute(self, query: Any, **context_options: Any) -> Any:
        cache = self.sql_cache
        if context_options or cache.size <= 0:
            return super().execute(query, **context_options)  # type: ignore[misc]
        found = fingerprint(query)
        if found is None:
            return super().execute(query)  # type: ignore[misc]
        key, params = found
        entry = cache.get(key)
        if entry is not None:
            sql = entry[0]
            if sql is not None:
                return self.execute_sql(sql, params)  # type: ignore[attr-defined]
            return super().execute(query)  # type: ignore[misc]
        sql, built = self.get_sql_context().sql(query).query()  # type: ignore[attr-defined]
        same = len(built) == len(params) and all(
            type(a) is type(b) and a == b for a, b in zip(built, params))
        # The entry holds what its key names by id, so no id is reused while it lives.
        model = query.model
        fields = _fields(query)
        held = [model, model._meta.table, *fields]
        cache.put(key, sql if same and _plain(query, fields) else None, held)
        return self.execute_sql(sql, built)  # type: ignore[attr-defined]
