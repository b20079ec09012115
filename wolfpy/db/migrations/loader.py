"""The loader: reads ``migrations/NNNN_name.py`` in order and computes the state each produces."""
from __future__ import annotations

import os
import re
import types
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from ...errors import MigrationError
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
    that could have produced it (a hand edit to one of them).
    """

    name: str
    operations: list[Operation]
    snapshot: State | None = None
    path: Path | None = None
    before: State = field(default_factory=dict)
    after: State = field(default_factory=dict)
    drift: bool = False

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

    def steps(self) -> Iterator[tuple[int, Operation, State]]:
        """``(position, operation, state before it)`` in forward order."""
        state = clone(self.before)
        for i, op in enumerate(self.operations, 1):
            yield i, op, state
            state = op.after(state)


class MigrationLoader:
    """Every migration in ``folder``, ordered by number, with their states resolved."""

    def __init__(self, folder: Path, root: Path | None = None) -> None:
        self.folder = Path(folder)
        self.root = root or self.folder.parent
        self.migrations: list[Migration] = []
        self._load()

    def _rel(self, path: Path) -> str:
        try:
            return str(path.relative_to(self.root))
        except ValueError:  # pragma: no cover
            return str(path)

    def _load(self) -> None:
        if not self.folder.is_dir():
            return
        numbers: dict[int, str] = {}
        found = []
        for entry in sorted(os.scandir(self.folder), key=lambda e: e.name):
            if not entry.name.endswith(".py") or entry.name.startswith(("_", ".")) or not entry.is_file():
                continue
            match = FILE_NAME.match(entry.name)
            if not match:
                raise MigrationError(f"{self._rel(Path(entry.path))}: not a migration name "
                                     "(expected NNNN_name.py: four digits, lower-case letters, digits, _)")
            number = int(match.group(1))
            if number in numbers:
                raise MigrationError(f"two migrations numbered {match.group(1)}: {numbers[number]} and "
                                     f"{entry.name}; renumber one")
            numbers[number] = entry.name
            found.append(self._read(Path(entry.path)))
        state: State = {}
        for migration in found:
            migration.resolve(state)
            state = migration.after
        self.migrations = found

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
        try:
            norm = normalize(snapshot) if snapshot is not None else None
        except MigrationError as exc:
            raise MigrationError(f"{self._rel(path)}: state: {exc}") from None
        return Migration(name, list(ops), norm, path)

    # -- queries -------------------------------------------------------------------
    @property
    def names(self) -> list[str]:
        return [m.name for m in self.migrations]

    def get(self, name: str) -> Migration:
        for m in self.migrations:
            if m.name == name:
                return m
        raise MigrationError(f"no migration {name!r} in {self._rel(self.folder)}/")

    def state(self) -> State:
        """The schema all the migrations produce."""
        return clone(self.migrations[-1].after) if self.migrations else {}

    def next_number(self) -> int:
        return self.migrations[-1].number + 1 if self.migrations else 1
