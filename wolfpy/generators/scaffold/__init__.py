"""``wolfpy generate scaffold NAME field:type ...``: a model and every page to manage it.

The model and its migration, HTML pages (list, show, new, edit, delete confirmation)
with forms, flashes and per-field errors, a JSON API under ``routes/api/`` and tests
for all of it, passing as soon as ``wolfpy db migrate`` has run.
"""
from __future__ import annotations

import keyword
from typing import Any

from ..auth import check_routes
from ..engine import FORCE, Argument, Generator, GeneratorError, Option, Planned
from ..model import ModelGenerator, class_name_of, plural

#: names a template or a handler already uses: the row is called ``<snake>_row`` then
_TAKEN = {"request", "user", "url_for", "static_url", "csrf_field", "csrf_token", "flashes", "form", "page",
          "id", "get", "post", "put", "patch", "delete", "render", "redirect", "flash", "abort", "error",
          "self", "next", "context", "capture", "caller", "local", "loop", "parent", "api", "row", "data"}

_FORM_SAMPLES = {"int": '"42"', "float": '"2.5"', "bool": '"on"',
                 "date": '"2024-05-17"', "datetime": '"2024-05-17T09:30"', "json": """'{"key": "value"}'"""}
_JSON_SAMPLES = {"int": "42", "float": "2.5", "bool": "True", "date": '"2024-05-17"',
                 "datetime": '"2024-05-17T09:30"', "json": '{"key": "value"}'}


class ScaffoldGenerator(Generator):
    """Model, migration, pages, JSON API and tests for one resource."""

    name = "scaffold"
    summary = "A model with list/show/new/edit/delete pages, a JSON API and tests."
    arguments = (Argument("name", "Class name, e.g. Post."),
                 Argument("fields", "name:type fields, e.g. title:str body:text author:fk:User", many=True))
    options = (Option(("--timestamps",), "Add created and updated datetime fields, filled in on save.", False),
               Option(("--migration/--no-migration",), "Also write the migration creating the table.", True))

    def __init__(self, project: Any, model: str, fields: list[str], *, force: bool = False,
                 timestamps: bool = False, migration: bool = True) -> None:
        super().__init__(project, force=force)
        self.model = model
        self.field_specs = list(fields)
        self.timestamps = timestamps
        self.migration = migration
        self.manifest_key = f"scaffold {class_name_of(model)}"

    def plan(self) -> None:
        inner = ModelGenerator(self.project, self.model, self.field_specs, force=self.force,
                               timestamps=self.timestamps)
        inner.files = self.files          # the model's files are this run's files
        context = inner.add_model("scaffold")
        fields = context["fields"]
        if not fields:
            raise GeneratorError("give the scaffold at least one field, e.g. title:str")
        snake = context["snake"]
        folder = plural(snake)
        var = snake if snake not in _TAKEN and not keyword.iskeyword(snake) else f"{snake}_row"
        check_routes(self, {f"{folder}/index": f"/{folder}", f"{folder}/new": f"/{folder}/new",
                            f"api/{folder}/index": f"/api/{folder}"})
        for f in fields:
            f.label = f.name.replace("_", " ").capitalize()  # type: ignore[attr-defined]
            f.form_sample = _form_sample(f)  # type: ignore[attr-defined]
            f.json_sample = _json_sample(f)  # type: ignore[attr-defined]
        title_field = next((f.name for f in fields if f.kind in ("str", "text")), "")
        changeable = next((f for f in fields if f.kind in ("str", "text") and not f.unique), None)
        required = next((f for f in fields if f.kind == "str" and not f.null), None)
        human = snake.replace("_", " ")
        context.update({
            "folder": folder, "var": var, "human": human, "humans": plural(human),
            "Human": human[:1].upper() + human[1:], "Humans": plural(human)[:1].upper() + plural(human)[1:],
            "title_field": title_field, "changeable": changeable, "required": required,
            "listed": fields[:4], "has_layout": (self.project.templates / "layout.html").is_file(),
            "fk_fields": [f for f in fields if f.kind == "fk" and f.target_module],
            "o": lambda expr: "${" + expr + "}",   # a Mako expression, written out as it is
            "command": " ".join(["wolfpy generate scaffold", self.model, *self.field_specs]
                                + (["--timestamps"] if self.timestamps else [])),
        })
        routes = f"routes/{folder}"
        self.add(f"{routes}/index.py", "index.py", **context)
        self.add(f"{routes}/new.py", "new.py", **context)
        self.add(f"{routes}/[id].py", "show.py", **context)
        self.add(f"{routes}/[id]/edit.py", "edit.py", **context)
        self.add(f"{routes}/[id]/delete.py", "delete.py", **context)
        self.add(f"routes/api/{folder}/index.py", "api_index.py", **context)
        self.add(f"routes/api/{folder}/[id].py", "api_item.py", **context)
        if not context["has_layout"]:   # the pages inherit one: a plain one, then
            self.add("templates/layout.html", "layout.html")
        for page in ("index", "show", "new", "edit", "delete", "_form"):
            self.add(f"templates/{folder}/{page}.html", f"{page}.html", **context)
        self.add(f"tests/test_{folder}_scaffold.py", "test_scaffold.py", **context)

    def write(self) -> list[Planned]:
        files = super().write()
        if self.migration:
            written = self.write_migration("this table")
            if written is not None:
                files.append(written)
                self.record([written], [written.path.stem])
        self.notes.append("next: run `wolfpy db migrate`, then `wolfpy test`; the pages are at "
                          f"/{plural(_snake(self.model))}")
        return files



def _snake(model: str) -> str:
    from ...db.models import snake_case
    return snake_case(class_name_of(model))


def _form_sample(f: Any) -> str:
    """A Python expression for what a user would type in the field (a string)."""
    if f.kind in ("str", "text"):
        return f.sample
    if f.kind == "decimal":
        return f.sample.replace("decimal.Decimal(", "").rstrip(")")
    if f.kind == "fk":
        return f"str({f.name}.id)" if f.target_module else '""'
    return _FORM_SAMPLES[f.kind]


def _json_sample(f: Any) -> str:
    if f.kind in ("str", "text"):
        return f.sample
    if f.kind == "decimal":
        return _form_sample(f)
    if f.kind == "fk":
        return f"{f.name}.id" if f.target_module else "None"
    return _JSON_SAMPLES[f.kind]


__all__ = ["FORCE", "ScaffoldGenerator"]
