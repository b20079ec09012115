"""``wolfpy generate graphql``: ``routes/graphql.py``, a Strawberry schema at ``/graphql``."""
from __future__ import annotations

import importlib.util
import re
from typing import Any

from ...db.models import snake_case
from ..auth import check_routes
from ..engine import Generator, GeneratorError, Option
from ..model import find_class

_NAME = re.compile(r"[A-Z][A-Za-z0-9]*")


def plural(word: str) -> str:
    if re.search(r"[^aeiou]y$", word):
        return word[:-1] + "ies"
    if re.search(r"(s|x|z|ch|sh)$", word):
        return word + "es"
    return word + "s"


class GraphQLGenerator(Generator):
    """``routes/graphql.py``: a hello-world schema, or read/write fields for ``--models``."""

    name = "graphql"
    summary = "A GraphQL endpoint at /graphql (Strawberry)."
    options = (Option(("--models",), "Models to expose, comma-separated, e.g. Post,User.", ""),)

    def __init__(self, project: Any, *, force: bool = False, models: str = "") -> None:
        super().__init__(project, force=force)
        self.models = models

    def plan(self) -> None:
        if importlib.util.find_spec("strawberry") is None:
            raise GeneratorError("GraphQL needs strawberry-graphql: pip install 'wolfpy[graphql]' "
                                 "(nothing was written)")
        names = [n.strip() for n in self.models.split(",") if n.strip()]
        specs = []
        for name in dict.fromkeys(names):
            if not _NAME.fullmatch(name):
                raise GeneratorError(f"--models: {name!r} is not a model class name like Post "
                                     "(nothing was written)")
            modules = find_class(self.project.models, self.project.root, name)
            if not modules:
                raise GeneratorError(f"--models: no class {name} in models/ (nothing was written)")
            if len(modules) > 1:
                raise GeneratorError(f"--models: class {name} is defined in {', '.join(modules)}; keep one "
                                     "(nothing was written)")
            snake = snake_case(name)
            specs.append({"cls": name, "module": modules[0], "one": snake, "many": plural(snake),
                          "user": name == "User"})
        check_routes(self, {"graphql": "/graphql"})
        self.add("routes/graphql.py", "graphql.py", models=specs)
        self.notes.append("GraphQL is at /graphql; with [app] debug on, open it in a browser for "
                          "the explorer")
