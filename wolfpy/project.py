"""Project: the one object that knows a WolfPy app's folder layout.

The route loader, model discovery, the dev server's watcher, the generators,
the migration runner, the assets builder and the docs site all take a
``Project`` and read their paths from it; nothing else looks at the layout.
"""
from __future__ import annotations

import importlib.machinery
import importlib.util
import os
import sys
from pathlib import Path

from .errors import ProjectNotFound, RouteLoadError

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

    def use_imports(self) -> None:
        """Make ``import models.post`` (in route files, models and tests) find this
        project's files: its root goes first on ``sys.path``, and a ``models`` package
        another project (or an installed one) left in ``sys.modules`` is forgotten."""
        root = str(self.root)
        if root in sys.path:
            sys.path.remove(root)
        sys.path.insert(0, root)
        folder = self.models
        loaded = sys.modules.get("models")
        if loaded is not None and str(folder) not in [str(p) for p in getattr(loaded, "__path__", [])]:
            for name in [n for n in sys.modules if n == "models" or n.startswith("models.")]:
                del sys.modules[name]
        if "models" not in sys.modules and folder.is_dir():
            try:
                _import_models_package(folder)
            except Exception as exc:
                raise RouteLoadError(f"models/__init__.py: importing failed: {type(exc).__name__}: {exc}") from exc

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


def _import_models_package(folder: Path) -> None:
    """Import ``folder`` as the package ``models`` by its location, not by a search of
    ``sys.path``: a regular ``models`` package of another folder on the path would win
    over this one when it has no ``__init__.py``."""
    init = folder / "__init__.py"
    if init.is_file():
        spec = importlib.util.spec_from_file_location("models", init, submodule_search_locations=[str(folder)])
    else:
        spec = importlib.machinery.ModuleSpec("models", None, is_package=True)
        spec.submodule_search_locations = [str(folder)]
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["models"] = module
    try:
        if spec.loader is not None:
            spec.loader.exec_module(module)
    except BaseException:
        del sys.modules["models"]
        raise
