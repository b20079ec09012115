"""``wolfpy generate``: code generators, one folder each (code, ``USAGE``, ``templates/``).

Every folder beside this file holding an ``__init__.py`` and a ``USAGE`` is a
generator named after the folder; its module defines the :class:`Generator` subclass
of that name, which also declares its command line. ``wolfpy generate <name>`` is
built from there, so adding a folder adds the command.

    from wolfpy.generators import get_generator
    get_generator("model")(project, "Post", ["title:str", "body:text"]).write()
"""
from __future__ import annotations

import importlib
import os
from typing import Any

from .engine import FORCE, OVERRIDE_DIR, Argument, Generator, GeneratorError, Option, Planned

__all__ = ["FORCE", "GENERATORS", "Argument", "Generator", "GeneratorError", "OVERRIDE_DIR", "Option", "Planned",
           "get_generator"]

#: The order ``wolfpy generate --help`` lists these in; other generators follow by name.
LISTED_FIRST = ("model", "scaffold", "route", "auth", "token", "migration")


def _discover() -> dict[str, str]:
    here = os.path.dirname(os.path.abspath(__file__))
    found = [entry.name for entry in os.scandir(here)
             if entry.is_dir() and os.path.isfile(os.path.join(entry.path, "USAGE"))
             and os.path.isfile(os.path.join(entry.path, "__init__.py"))]
    rank = {name: i for i, name in enumerate(LISTED_FIRST)}
    found.sort(key=lambda name: (rank.get(name, len(rank)), name))
    return {name: f"{__name__}.{name}" for name in found}


#: generator name -> the module defining it, imported on demand.
GENERATORS = _discover()


def get_generator(name: str) -> Any:
    """The generator class called ``name``."""
    try:
        module = importlib.import_module(GENERATORS[name])
    except KeyError:
        raise GeneratorError(f"no generator {name!r} (available: {', '.join(sorted(GENERATORS))})") from None
    for value in vars(module).values():
        if (isinstance(value, type) and issubclass(value, Generator) and value.name == name
                and value.__module__ == module.__name__):
            return value
    raise GeneratorError(f"{module.__name__} defines no Generator subclass with name = {name!r}")
