"""The autodetector: the operations that turn one state (the migrations') into another (the models').

A column that disappears while another of exactly the same definition appears in the
same table looks like a rename, but could be a drop and an add: the autodetector never
guesses. Such a pair becomes a :class:`RenameHint`; it is a ``RenameColumn`` only when
the user says so (``--rename table.old:new``, or answering the prompt), otherwise a
``DropColumn`` plus an ``AddColumn``, which needs confirmation like any drop.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable

from ...errors import MigrationError
from .operations import (AddColumn, AddIndex, AlterColumn, CreateTable, DropColumn, DropIndex,
                         DropTable, Operation, RenameColumn)
from .state import State, clone, equal


@dataclass(frozen=True)
class RenameHint:
    table: str
    old: str
    new: str

    def __str__(self) -> str:
        return f"{self.table}.{self.old} -> {self.table}.{self.new}"


@dataclass
class Changes:
    operations: list[Operation] = field(default_factory=list)
    hints: list[RenameHint] = field(default_factory=list)     # left as drop + add
    renames: list[RenameHint] = field(default_factory=list)   # made RenameColumn

    def __bool__(self) -> bool:
        return bool(self.operations)


def parse_renames(specs: list[str], old: State, new: State) -> list[RenameHint]:
    """``--rename`` values (``table.old:new`` or ``old:new``) checked against both states."""
    found = []
    for spec in specs:
        left, sep, right = spec.partition(":")
        if not sep or not left or not right:
            raise MigrationError(f"--rename {spec!r}: write old:new or table.old:new")
        table, _, old_col = left.rpartition(".")
        new_col = right.rpartition(".")[2]
        tables = [table] if table else [
            t for t in new if t in old and old_col in old[t]["columns"] and new_col in new[t]["columns"]]
        if not tables:
            raise MigrationError(f"--rename {spec}: no table had a column {old_col!r} that the "
                                 f"models now call {new_col!r}")
        if len(tables) > 1:
            raise MigrationError(f"--rename {spec}: ambiguous ({', '.join(tables)}); write table.{left}:{right}")
        t = tables[0]
        if t not in old or t not in new or old_col not in old[t]["columns"] \
                or new_col not in new[t]["columns"] or old_col in new[t]["columns"] \
                or new_col in old[t]["columns"]:
            raise MigrationError(f"--rename {spec}: {t}.{old_col} must be gone from the models "
                                 f"and {t}.{new_col} new in them")
        found.append(RenameHint(t, old_col, new_col))
    return found


def autodetect(old: State, new: State, *, renames: list[RenameHint] | None = None,
               ask: Callable[[RenameHint], bool] | None = None,
               backfills: dict[tuple[str, str], Any] | None = None) -> Changes:
    """The operations from ``old`` to ``new``.

    Args:
        renames: column renames the user asked for.
        ask: called with each rename-looking pair not in ``renames``; True makes it a rename.
        backfills: values for existing rows of new NOT NULL columns without a database
            default, by ``(table, column)``.
    """
    changes = Changes()
    ops = changes.operations
    backfills = backfills or {}
    for name, tstate in new.items():
        if name not in old:
            ops.append(CreateTable(name, tstate["columns"], tstate["indexes"]))
    for name, tstate in new.items():
        if name in old:
            _diff_table(name, old[name], tstate, changes, list(renames or ()), ask, backfills)
    ops.extend(DropTable(t) for t in _drop_order(old, [t for t in old if t not in new]))
    result = clone(old)
    for op in ops:
        op.forwards(result)
    if not equal(result, new):  # pragma: no cover - a bug here must never write a wrong file
        raise MigrationError("internal error: the detected operations do not reproduce the models")
    return changes


def _diff_table(table: str, old: dict[str, Any], new: dict[str, Any], changes: Changes,
                renames: list[RenameHint], ask: Callable[[RenameHint], bool] | None,
                backfills: dict[tuple[str, str], Any]) -> None:
    ops = changes.operations
    ocols, ncols = old["columns"], new["columns"]
    removed = [c for c in ocols if c not in ncols]
    added = [c for c in ncols if c not in ocols]
    mapping: dict[str, str] = {}  # old name -> new name
    for hint in renames:
        if hint.table == table and hint.old in removed and hint.new in added:
            mapping[hint.old] = hint.new
    for r in removed:
        if r in mapping:
            continue
        for a in added:
            if a not in mapping.values() and ocols[r] == ncols[a]:
                hint = RenameHint(table, r, a)
                if ask is not None and ask(hint):
                    mapping[r] = a
                else:
                    changes.hints.append(hint)
                break
    changes.renames += [RenameHint(table, o, n) for o, n in mapping.items()]
    for col in ocols:
        if col in ncols or col in mapping:
            newname = mapping.get(col, col)
            if ocols[col]["primary_key"] != ncols[newname]["primary_key"]:
                raise MigrationError(f"{table}.{newname}: changing the primary key is not supported; "
                                     "write the migration by hand")

    def renamed(cols: list[str]) -> list[str]:
        return [mapping.get(c, c) for c in cols]

    # Multi-column indexes that go away (or lose a column) first, then column changes.
    new_indexes = [(i["columns"], i["unique"]) for i in new["indexes"]]
    old_indexes = [(renamed(i["columns"]), i["unique"], i["columns"]) for i in old["indexes"]]
    for cols, unique, original in old_indexes:
        if (cols, unique) not in new_indexes:
            ops.append(DropIndex(table, original))
    for o, n in mapping.items():
        ops.append(RenameColumn(table, o, n))
    kept = [(mapping.get(c, c)) for c in ocols if c in ncols or c in mapping]
    for col in kept:  # single-column indexes that change or go
        before = ocols[next(o for o in ocols if mapping.get(o, o) == col)]
        after = ncols[col]
        if (before["unique"] or before["index"]) and \
                (before["unique"], before["index"]) != (after["unique"], after["index"]):
            ops.append(DropIndex(table, [col]))
    for col in removed:
        if col not in mapping:
            ops.append(DropColumn(table, col))
    for col in added:
        if col not in mapping.values():
            ops.append(AddColumn(table, col, ncols[col], backfills.get((table, col))))
    for col in kept:
        before = ocols[next(o for o in ocols if mapping.get(o, o) == col)]
        after = ncols[col]
        diff = {k: after[k] for k in AlterColumn.KEYS if before[k] != after[k]}
        if diff:
            ops.append(AlterColumn(table, col, **diff))
        if (after["unique"] or after["index"]) and \
                (before["unique"], before["index"]) != (after["unique"], after["index"]):
            ops.append(AddIndex(table, [col], after["unique"]))
    old_kept = [(cols, unique) for cols, unique, _ in old_indexes]
    for cols, unique in new_indexes:
        if (cols, unique) not in old_kept:
            ops.append(AddIndex(table, cols, unique))


def _drop_order(old: State, tables: list[str]) -> list[str]:
    """Tables to drop, those referencing others first."""
    left = list(tables)
    order: list[str] = []
    while left:
        for t in left:
            referenced = any(spec["fk"] and spec["fk"]["table"] == t
                             for other in left if other != t
                             for spec in old[other]["columns"].values())
            if not referenced:
                order.append(t)
                left.remove(t)
                break
        else:  # a cycle: drop in any order (the database will say if it cannot)
            order += left
            break
    return order


def migration_name(changes: Changes, first: bool) -> str:
    """``initial``, ``add_post_subtitle``, ``create_comment_and_more`` ..."""
    if first:
        return "initial"
    slugs = [op.slug() for op in changes.operations]
    name = "_".join(slugs)
    if len(name) > 48:
        name = slugs[0][:40] + "_and_more"
    return clean_name(name) or "auto"


def clean_name(name: str) -> str:
    """A migration name from any text: lower-case letters, digits and single underscores."""
    return re.sub(r"_+", "_", re.sub(r"[^a-z0-9]+", "_", name.lower())).strip("_")[:60]
