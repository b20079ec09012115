"""``wolfpy generate``: code generators, one folder each (code, ``USAGE``, ``templates/``).

    from wolfpy.generators import get_generator
    get_generator("model")(project, "Post", ["title:str", "body:text"]).write()
"""
from __future__ import annotations

import importlib
from typing import Any

from .engine import OVERRIDE_DIR, Generator, GeneratorError, Planned

__all__ = ["GENERATORS", "Generator", "GeneratorError", "OVERRIDE_DIR", "Planned", "get_generator"]

#: generator name -> "module:class", imported on demand.
GENERATORS = {
    "model": "wolfpy.generators.model:ModelGenerator",
    "route": "wolfpy.generators.route:RouteGenerator",
    "auth": "wolfpy.generators.auth:AuthGenerator",
    "token": "wolfpy.generators.token:TokenGenerator",
}


def get_generator(name: str) -> Any:
    """The generator class called ``name``."""
    try:
        target = GENERATORS[name]
    except KeyError:
        raise GeneratorError(f"no generator {name!r} (available: {', '.join(sorted(GENERATORS))})") from None
    module, _, attr = target.partition(":")
    return getattr(importlib.import_module(module), attr)
