"""``wolfpy generate migration NAME``: an empty migration, for a change of data.

``wolfpy db migrate`` writes migrations for changes of the models; a change of the rows
(filling a new column, fixing values) has no model change to detect, so it gets an
empty file to fill in with ``RunSQL`` operations. It follows the latest migrations and
keeps their schema ``state`` unchanged.
"""
from __future__ import annotations

from typing import Any

from ..engine import Argument, Generator, GeneratorError


class MigrationGenerator(Generator):
    """``migrations/NNNN_<name>.py`` with no operations yet."""

    name = "migration"
    summary = "An empty migration for a change of data (RunSQL)."
    arguments = (Argument("name", "What it does, e.g. fill_post_slugs."),)

    def __init__(self, project: Any, label: str, *, force: bool = False) -> None:
        super().__init__(project, force=force)
        self.label = label

    def plan(self) -> None:
        from ...db.migrations.autodetector import clean_name
        from ...db.migrations.loader import MigrationLoader
        from ...db.migrations.writer import py, render_state
        from ...errors import MigrationError
        label = clean_name(self.label)
        if not label or label != self.label.strip().lower():
            raise GeneratorError(f"invalid migration name {self.label!r}: use lower-case letters, digits "
                                 "and underscores, e.g. fill_post_slugs")
        try:
            loader = MigrationLoader(self.project.migrations, self.project.root)
            if len(loader.leaves) > 1:
                raise GeneratorError("the migrations have branched: run `wolfpy db migrate --merge` first")
            number = loader.next_number()
            state = render_state(loader.state())
            leaves = list(loader.leaves)
        except MigrationError as exc:
            raise GeneratorError(str(exc)) from None
        name = f"{number:04d}_{label}"
        self.add(f"migrations/{name}.py", "migration.py", name=name, state=state,
                 dependencies=py(leaves))
