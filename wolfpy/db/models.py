"""``wolfpy.db.Model``: peewee models bound to the project database, found in ``models/``."""
from __future__ import annotations

import importlib
import math
import os
import re
from typing import Any, Iterator

import peewee

from ..errors import NotFound, RouteLoadError
from .database import DATABASE

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


def snake_case(name: str) -> str:
    """``BlogPost`` → ``blog_post`` (table names)."""
    return _CAMEL.sub("_", name).lower()


def _table_name(model_class: type) -> str:
    return snake_case(model_class.__name__)


class Model(peewee.Model):
    """Base class of a project's models: bound to the project database, snake_case tables."""

    class Meta:
        database = DATABASE
        table_function = _table_name

    @classmethod
    def get_or_404(cls, *query: Any, **filters: Any) -> Any:
        """Like ``get_or_none``, but a missing row is a 404. ``Post.get_or_404(3)`` works too."""
        if len(query) == 1 and not filters and not isinstance(query[0], peewee.Node):
            row = cls.get_or_none(cls._meta.primary_key == query[0])
        else:
            row = cls.get_or_none(*query, **filters)
        if row is None:
            raise NotFound(message=f"{cls.__name__} not found")
        return row

    def to_dict(self) -> dict[str, Any]:
        from playhouse.shortcuts import model_to_dict
        return model_to_dict(self, recurse=False)


class Page:
    """One page of a query: ``items``, ``page``, ``per_page``, ``total``, ``pages``, ``has_next`` ..."""

    def __init__(self, query: Any, page: int, per_page: int) -> None:
        self.per_page = max(1, min(int(per_page), 1000))
        self.total = query.count()
        self.pages = max(1, math.ceil(self.total / self.per_page))
        self.page = max(1, min(int(page), self.pages))
        self.items = list(query.paginate(self.page, self.per_page))

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    def __iter__(self) -> Iterator[Any]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def to_dict(self) -> dict[str, Any]:
        return {"items": self.items, "page": self.page, "per_page": self.per_page,
                "total": self.total, "pages": self.pages}


def paginate(query: Any, page: int = 1, per_page: int = 20) -> Page:
    """Page ``page`` (1-based) of ``query``; out-of-range pages are clamped."""
    return Page(query, page, per_page)


def iter_model_modules(project: Any) -> Iterator[Any]:
    """Import every module of ``models/`` (packages below included, ``_private`` skipped).

    Modules are imported as ``models.<name>`` with the project root on ``sys.path``,
    exactly as route files import them.
    """
    folder = project.models
    if not folder.is_dir():
        return
    project.use_imports()  # another project's (or an installed) `models` package: this one's wins
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith((".", "_")))
        for filename in sorted(filenames):
            if not filename.endswith(".py") or filename.startswith("_"):
                continue
            rel = os.path.relpath(os.path.join(dirpath, filename), project.root)[:-3]
            try:
                yield importlib.import_module(rel.replace(os.sep, "."))
            except Exception as exc:
                raise RouteLoadError(f"{rel}.py: importing failed: {type(exc).__name__}: {exc}") from exc


def discover_models(project: Any) -> list[type[Model]]:
    """Every ``Model`` subclass defined in ``models/``, dependencies first."""
    found: list[type[Model]] = []
    for module in iter_model_modules(project):
        for value in vars(module).values():
            if (isinstance(value, type) and issubclass(value, Model) and value is not Model
                    and value.__module__ == module.__name__ and value not in found):
                found.append(value)
    return _dependency_order(found)


def _dependency_order(models: list[type[Model]]) -> list[type[Model]]:
    """Referenced tables first (peewee's own topological sort, stable by name)."""
    return list(peewee.sort_models(models))  # type: ignore[attr-defined]
