"""Project: the one object that knows a WolfPy app's folder layout.

The route loader, model discovery, the dev server's watcher, the generators,
the migration runner, the assets builder and the docs site all take a
``Project`` and read their paths from it; nothing else looks at the layout.
"""
from __future__ import annotations

import os
from pathlib import Path

from .errors import ProjectNotFound

CONFIG_FILE = "wolfpy.toml"


class Project:
    """The fixed layout of a WolfPy project rooted at ``root``."""

    __slots__ = ("root",)

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root).resolve()

    @classmethod
    def discover(cls, start: str | os.PathLike[str] | None = None) -> "Project":
        """Find the project containing ``start`` (default: the current directory).

        Walks up to the nearest folder holding ``wolfpy.toml``.

        Raises:
            ProjectNotFound: no ``wolfpy.toml`` in ``start`` or any parent.
        """
        here = Path(start if start is not None else os.getcwd()).resolve()
        if here.is_file():
            here = here.parent
        for folder in (here, *here.parents):
            if (folder / CONFIG_FILE).is_file():
                return cls(folder)
        raise ProjectNotFound(
            f"no {CONFIG_FILE} found in {here} or any parent folder (is this a WolfPy project?)"
        )

    # The layout `wolfpy new` writes (docs/getting-started.md). Properties, so that a Project stays a
    # single path and cannot drift out of sync with itself.
    @property
    def config_file(self) -> Path:
        return self.root / CONFIG_FILE

    @property
    def env_file(self) -> Path:
        return self.root / ".env"

    @property
    def routes(self) -> Path:
        return self.root / "routes"

    @property
    def models(self) -> Path:
        return self.root / "models"

    @property
    def migrations(self) -> Path:
        return self.root / "migrations"

    @property
    def templates(self) -> Path:
        return self.root / "templates"

    @property
    def static(self) -> Path:
        return self.root / "static"

    @property
    def assets(self) -> Path:
        return self.root / "assets"

    @property
    def docs(self) -> Path:
        return self.root / "docs"

    @property
    def tests(self) -> Path:
        return self.root / "tests"

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    def watched_paths(self) -> list[Path]:
        """Folders whose changes the dev server reacts to (those that exist).

        ``wolfpy.toml`` and ``.env`` are not among them: the dev server watches the
        project folder itself for those two names, so a save that replaces the file
        (write a new one, rename it over the old) is seen every time.
        """
        candidates = [self.routes, self.models, self.templates, self.static, self.assets]
        return [p for p in candidates if p.is_dir()]

    def __repr__(self) -> str:
        return f"Project({str(self.root)!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Project) and other.root == self.root

    def __hash__(self) -> int:
        return hash(self.root)
