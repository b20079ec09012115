"""The loader: reads ``migrations/NNNN_name.py``, links each to the migrations it follows,
and computes the state each produces.

A file names the migrations it follows in ``dependencies`` (the writer records them).
An older file without ``dependencies`` follows the files numbered just below its own
(those of them without ``dependencies`` too, when there are any), so a folder of such
files is the chain it always was. A dependency always has a lower number: the number
order is an order in which every migration comes after the ones it follows.

Two migrations that follow the same one (two branches of the code each added one) are
two *leaves*: the loader reports them (:meth:`MigrationLoader.conflict`) and
``wolfpy db migrate --merge`` writes a migration that follows both. A migration that
follows several is applied on their union (:func:`.merge.union`).
"""
from __future__ import annotations

import os
import re
import types
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator

from ...errors import MigrationError
from .merge import Clash, Key, touched, union
from .operations import Operation, RunSQL
from .state import State, clone, equal, normalize

FILE_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.py$")
NAME = re.compile(r"^\d{4}_[a-z0-9_]+$")


@dataclass
class Migration:
    """One migration: its operations, the state before it, and the state after it.

    ``after`` is the file's ``state`` snapshot when it has one (it wins: a ``RunSQL``
    may change the schema in ways the operations cannot say), else what the
    operations produce. ``drift`` is set when a snapshot disagrees with operations
    that could have produced it (a hand edit to one of them). ``dependencies`` is what
    the file declares (``None`` for a file without), ``parents`` what it follows.
    """

    name: str
    operations: list[Operation]
    snapshot: State | None = None
    path: Path | None = None
    before: State = field(default_factory=dict)
    after: State = field(default_factory=dict)
    drift: bool = False
    dependencies: list[str] | None = None
    parents: list[str] = field(default_factory=list)

    @property
    def number(self) -> int:
        return int(self.name[:4])

    def resolve(self, before: State) -> None:
        """Compute ``after`` from ``before`` (raises on an operation that does not fit)."""
        self.before = clone(before)
        state = clone(before)
        for i, op in enumerate(self.operations, 1):
            try:
                op.forwards(state)
            except MigrationError as exc:
                raise MigrationError(f"{self.name}: operation {i} ({type(op).__name__}): {exc}") from None
        if self.snapshot is None:
            self.after = state
        else:
            self.after = clone(self.snapshot)
            self.drift = not any(isinstance(op, RunSQL) for op in self.operations) \
                and not equal(state, self.snapshot)

    def at(self, before: State) -> "Migration":
        """This migration run on ``before``: the database's schema when it runs, which
        holds more than :attr:`before` when another branch was applied first."""
        if equal(before, self.before):
            return self
        moved = Migration(self.name, self.operations, None, self.path,
                          dependencies=self.dependencies, parents=list(self.parents))
        moved.resolve(before)
        return moved

    def steps(self) -> Iterator[tuple[int, Operation, State]]:
        """``(position, operation, state before it)`` in forward order."""
        state = clone(self.before)
        for i, op in enumerate(self.operations, 1):
            yield i, op, state
            state = op.after(state)


def _and(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


class MigrationLoader:
    """Every migration in ``folder``, ordered by number (then name), with their states resolved."""

    def __init__(self, folder: Path, root: Path | None = None) -> None:
        self.folder = Path(folder)
        self.root = root or self.folder.parent
        self.migrations: list[Migration] = []
        self._by_name: dict[str, Migration] = {}
        self._ancestors: dict[str, frozenset[str]] = {}
        self._joined: dict[frozenset[str], State] = {}
        self._load()

    def _rel(self, path: Path | None) -> str:
        if path is None:  # pragma: no cover - loaded migrations have a path
            return "?"
        try:
            return str(path.relative_to(self.root))
        except ValueError:  # pragma: no cover
            return str(path)

    def _load(self) -> None:
        if not self.folder.is_dir():
            return
        found = []
        for entry in sorted(os.scandir(self.folder), key=lambda e: e.name):
            if not entry.name.endswith(".py") or entry.name.startswith(("_", ".")) or not entry.is_file():
                continue
            if not FILE_NAME.match(entry.name):
                raise MigrationError(f"{self._rel(Path(entry.path))}: not a migration name "
                                     "(expected NNNN_name.py: four digits, lower-case letters, digits, _)")
            found.append(self._read(Path(entry.path)))
        self._by_name = {m.name: m for m in found}
        for migration in found:  # in number order: parents come first
            migration.parents = self._parents(migration, found)
            self._ancestors[migration.name] = frozenset(
                {migration.name}.union(*(self._ancestors[p] for p in migration.parents)))
            try:
                before = self._join(migration.parents)
            except BranchConflict as exc:
                raise MigrationError(f"{self._rel(migration.path)}: cannot join "
                                     f"{_and(migration.parents)}: {exc}") from None
            migration.resolve(before)
        self.migrations = found

    def _parents(self, migration: Migration, found: list[Migration]) -> list[str]:
        if migration.dependencies is None:
            lower = [m for m in found if m.number < migration.number]
            if not lower:
                return []
            top = [m for m in lower if m.number == lower[-1].number]
            older = [m for m in top if m.dependencies is None]
            return [m.name for m in (older or top)]
        for name in migration.dependencies:
            other = self._by_name.get(name)
            if other is None:
                raise MigrationError(f"{self._rel(migration.path)}: depends on {name}, "
                                     f"which is not in {self._rel(self.folder)}/")
            if other.number >= migration.number:
                raise MigrationError(f"{self._rel(migration.path)}: depends on {name}, "
                                     "which is not numbered lower")
        return list(dict.fromkeys(migration.dependencies))

    def _read(self, path: Path) -> Migration:
        name = path.stem
        # Compiled from the text each time, never from a cached .pyc: a migration edited
        # twice within a second must still be read as it is now.
        module = types.ModuleType(f"_wolfpy_migration_{name}")
        module.__file__ = str(path)
        try:
            exec(compile(path.read_text(encoding="utf-8"), str(path), "exec"), module.__dict__)
        except Exception as exc:
            raise MigrationError(f"{self._rel(path)}: {type(exc).__name__}: {exc}") from exc
        ops: Any = getattr(module, "operations", None)
        if not isinstance(ops, (list, tuple)) or not all(isinstance(o, Operation) for o in ops):
            raise MigrationError(f"{self._rel(path)}: needs `operations = [...]` of migration operations")
        snapshot = getattr(module, "state", None)
        if snapshot is not None and not isinstance(snapshot, dict):
            raise MigrationError(f"{self._rel(path)}: `state` must be a dict")
        deps: Any = getattr(module, "dependencies", None)
        if deps is not None and not (isinstance(deps, (list, tuple))
                                     and all(isinstance(d, str) and NAME.match(d) for d in deps)):
            raise MigrationError(f"{self._rel(path)}: `dependencies` must be a list of migration "
                                 'names, e.g. ["0001_initial"]')
        try:
            norm = normalize(snapshot) if snapshot is not None else None
        except MigrationError as exc:
            raise MigrationError(f"{self._rel(path)}: state: {exc}") from None
        return Migration(name, list(ops), norm, path,
                         dependencies=None if deps is None else list(deps))

    # -- the graph -----------------------------------------------------------------
    def ancestors(self, name: str) -> frozenset[str]:
        """``name`` and every migration it follows, directly or not."""
        return self._ancestors[name]

    def _heads(self, names: Iterable[str]) -> list[str]:
        """The migrations of ``names`` (and their ancestors) that none of the others follows."""
        closure: set[str] = set().union(*(self._ancestors[n] for n in names if n in self._ancestors))
        followed: set[str] = set()
        for name in closure:
            followed |= self._ancestors[name] - {name}
        return sorted(closure - followed)

    def _join(self, names: Iterable[str]) -> State:
        """The state of ``names`` and their ancestors applied: a union where branches meet.
        Shared with the loader: clone it before changing it."""
        names = set(names)
        heads = sorted(names) if len(names) < 2 else self._heads(names)
        if not heads:
            return {}
        if len(heads) == 1:
            return self._by_name[heads[0]].after
        key = frozenset(heads)
        if key not in self._joined:
            common = frozenset.intersection(*(self._ancestors[h] for h in heads))
            base = self._join(common)
            try:
                self._joined[key] = union(base, [self._by_name[h].after for h in heads])
            except Clash as clash:
                files = [self._changer(heads[k], common, clash.key) for k in (clash.first, clash.second)]
                raise BranchConflict(f"{clash}, in {files[0]} and {files[1]}", files) from None
        return self._joined[key]

    def _changer(self, head: str, common: frozenset[str], key: Key) -> str:
        """The file, on the branch ending in ``head``, that makes the change ``key``."""
        for name in sorted(self._ancestors[head] - common, reverse=True):
            migration = self._by_name[name]
            if touched(migration.before, migration.after).has(key):
                return self._rel(migration.path)
        return self._rel(self._by_name[head].path)  # pragma: no cover - some file made it

    # -- queries -------------------------------------------------------------------
    @property
    def names(self) -> list[str]:
        return [m.name for m in self.migrations]

    def get(self, name: str) -> Migration:
        migration = self._by_name.get(name)
        if migration is None:
            raise MigrationError(f"no migration {name!r} in {self._rel(self.folder)}/")
        return migration

    def __contains__(self, name: str) -> bool:
        return name in self._by_name

    @property
    def leaves(self) -> list[str]:
        """The migrations that no other follows: one, unless the migrations have branched."""
        return self._heads(self.names)

    def conflict(self) -> str | None:
        """The one-line message for migrations that have branched (``None`` if they have not)."""
        leaves = self.leaves
        if len(leaves) < 2:
            return None
        return (f"{self._rel(self.folder)}/ has {len(leaves)} branches, ending in {_and(leaves)}: "
                "run `wolfpy db migrate --merge` to join them")

    def state(self) -> State:
        """The schema all the migrations produce (refused while they have branched)."""
        message = self.conflict()
        if message:
            raise MigrationError(message)
        return self.state_of(self.names)

    def state_of(self, names: Iterable[str]) -> State:
        """The schema once ``names`` and every migration they follow are applied; names
        without a file are left out."""
        return clone(self._join([n for n in names if n in self._by_name]))

    def merged(self) -> State:
        """The union of the states every leaf produces (raises :class:`BranchConflict`)."""
        return clone(self._join(self.leaves))

    def next_number(self) -> int:
        return max(m.number for m in self.migrations) + 1 if self.migrations else 1


class BranchConflict(MigrationError):
    """Two branches change the same table or column; ``files`` are the two migrations."""

    def __init__(self, message: str, files: list[str]) -> None:
        super().__init__(message)
        self.files = files
