"""Joining branches: the schema two or more branches of migrations produce together.

Each branch changed the schema of a common ancestor (``base``). The union takes every
change of every branch, which is well defined only when no two branches change the
same thing. What a branch changes is a :class:`Touched`:

- the tables it creates or drops (a whole table);
- the columns it adds, drops or changes (a multi-column index that comes or goes
  changes each of its columns);
- the tables those changes reach: their own, and the tables their foreign keys name.

Two branches clash when both change one column, or when one creates or drops a table
that the other changes or reaches. Identical changes clash too: both migrations would
run, and the second would fail (adding a column that is already there).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ...errors import MigrationError
from .state import State, clone

Key = tuple[str, ...]  # ("table", name) or ("column", table, name)


@dataclass
class Touched:
    tables: set[str] = field(default_factory=set)
    columns: set[tuple[str, str]] = field(default_factory=set)
    reaches: set[str] = field(default_factory=set)

    def __bool__(self) -> bool:
        return bool(self.tables or self.columns)

    def has(self, key: Key) -> bool:
        if key[0] == "table":
            return key[1] in self.tables or key[1] in self.reaches
        return (key[1], key[2]) in self.columns


class Clash(MigrationError):
    """Two branches change the same thing: ``key``, on the sides ``first`` and ``second``."""

    def __init__(self, key: Key, first: int, second: int) -> None:
        super().__init__(f"both branches change {describe(key)}")
        self.key, self.first, self.second = key, first, second


def describe(key: Key) -> str:
    return f"table {key[1]}" if key[0] == "table" else f"{key[1]}.{key[2]}"


def _index_keys(tstate: dict[str, Any]) -> set[tuple[tuple[str, ...], bool]]:
    return {(tuple(i["columns"]), bool(i["unique"])) for i in tstate["indexes"]}


def _fk_tables(tstate: dict[str, Any] | None, names: set[str] | None = None) -> set[str]:
    if tstate is None:
        return set()
    return {spec["fk"]["table"] for name, spec in tstate["columns"].items()
            if spec["fk"] and (names is None or name in names)}


def touched(before: State, after: State) -> Touched:
    """What the change from ``before`` to ``after`` touches."""
    out = Touched()
    for name in set(before) | set(after):
        old, new = before.get(name), after.get(name)
        if old is None or new is None:
            out.tables.add(name)
            out.reaches |= {name} | _fk_tables(old) | _fk_tables(new)
            continue
        cols = {c for c in set(old["columns"]) | set(new["columns"])
                if old["columns"].get(c) != new["columns"].get(c)}
        for cols_of_index, _ in _index_keys(old) ^ _index_keys(new):
            cols |= set(cols_of_index)
        if cols:
            out.columns |= {(name, c) for c in cols}
            out.reaches |= {name} | _fk_tables(old, cols) | _fk_tables(new, cols)
    return out


def _clash(a: Touched, b: Touched) -> Key | None:
    for first, second in ((a, b), (b, a)):
        for name in sorted(first.tables):
            if name in second.reaches:
                return ("table", name)
    common = sorted(a.columns & b.columns)
    return ("column", *common[0]) if common else None


def union(base: State, sides: list[State]) -> State:
    """``base`` with the changes of every side; raises :class:`Clash` when two overlap."""
    changes = [touched(base, side) for side in sides]
    for i in range(len(sides)):
        for j in range(i + 1, len(sides)):
            key = _clash(changes[i], changes[j])
            if key is not None:
                raise Clash(key, i, j)
    result = clone(base)
    for side, change in zip(sides, changes):
        for name in sorted(change.tables):
            if name in side:
                result[name] = clone(side[name])
            else:
                result.pop(name, None)
        for name, col in sorted(change.columns):
            if name in change.tables:
                continue
            new_cols = side[name]["columns"]
            if col in new_cols:
                result[name]["columns"][col] = clone(new_cols[col])
            else:
                result[name]["columns"].pop(col, None)
        for name in {t for t, _ in change.columns} - change.tables:
            gone = _index_keys(base[name]) - _index_keys(side[name])
            kept = [i for i in result[name]["indexes"]
                    if (tuple(i["columns"]), bool(i["unique"])) not in gone]
            have = {(tuple(i["columns"]), bool(i["unique"])) for i in kept}
            kept += [clone(i) for i in side[name]["indexes"]
                     if (tuple(i["columns"]), bool(i["unique"])) not in have]
            result[name]["indexes"] = kept
    return result
