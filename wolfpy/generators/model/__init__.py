"""``wolfpy generate model NAME field:type ...``: ``models/<name>.py`` and its test."""
from __future__ import annotations

import ast
import keyword
import os
import re
import textwrap
from dataclasses import dataclass
from typing import Any

from ...db.models import snake_case
from ..engine import Argument, Generator, GeneratorError, Option

TYPES = ("str", "text", "int", "float", "bool", "date", "datetime", "decimal", "json", "fk")
_FIELD_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_MODEL_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
DEFAULT_STR_LENGTH = 255
MAX_STR_LENGTH = 16383        # VARCHAR limit of MySQL with 4-byte utf8mb4 characters
MAX_UNIQUE_STR_LENGTH = 768   # MySQL (InnoDB) indexes at most 3072 bytes
DEFAULT_DECIMAL = (12, 2)
#: fk:Model:<rule>: what deleting the referenced row does to this one.
ON_DELETE = {"cascade": "CASCADE", "set_null": "SET NULL", "protect": "RESTRICT"}
TIMESTAMPS = ("created", "updated")


@dataclass
class Field:
    """One ``name:type[:arg][?][!]`` argument, parsed."""

    name: str
    kind: str
    null: bool = False
    unique: bool = False
    max_length: int = DEFAULT_STR_LENGTH
    digits: tuple[int, int] = DEFAULT_DECIMAL
    target: str = ""         # fk: the referenced class
    target_module: str = ""  # fk: "models.user"; "" for the model itself
    backref: str = ""
    on_delete: str = ""      # fk: "CASCADE", "SET NULL" or "RESTRICT"
    json_field: bool = False  # json: wolfpy.db has a portable JSONField

    @property
    def field_class(self) -> str:
        return {"str": "CharField", "text": "TextField", "int": "IntegerField", "float": "FloatField",
                "bool": "BooleanField", "date": "DateField", "datetime": "DateTimeField",
                "decimal": "DecimalField", "fk": "ForeignKeyField",
                "json": "JSONField" if self.json_field else "TextField"}[self.kind]

    @property
    def declaration(self) -> str:
        args: list[str] = []
        if self.kind == "str":
            args.append(f"max_length={self.max_length}")
        elif self.kind == "decimal":
            args += [f"max_digits={self.digits[0]}", f"decimal_places={self.digits[1]}"]
        elif self.kind == "fk":
            args += [self.target if self.target_module else '"self"', f'backref="{self.backref}"']
            if self.on_delete:
                args.append(f'on_delete="{self.on_delete}"')
        elif self.kind == "bool" and not self.null:
            args.append("default=False")
        if self.null:
            args.append("null=True")
        if self.unique:
            args.append("unique=True")
        text = f"{self.field_class}({', '.join(args)})"
        if self.kind == "json" and not self.json_field:
            text += "  # JSON as text: json.dumps() to store, json.loads() to read"
        return text

    @property
    def sample(self) -> str:
        """A Python expression for a valid value, used by the generated test."""
        if self.kind == "str":
            return '"' + f"sample {self.name}"[: self.max_length] + '"'
        if self.kind == "text":
            return '"' + f"Some {self.name.replace('_', ' ')}." + '"'
        if self.kind == "decimal":
            places, scale = self.digits
            value = ("1" if places > scale else "0") + ("." + ("25" + "0" * scale)[:scale] if scale else "")
            return f'decimal.Decimal("{value}")'
        if self.kind == "json":
            return '{"key": "value"}' if self.json_field else """'{"key": "value"}'"""
        if self.kind == "fk":
            return f"make({self.target})" if self.target_module else "None"
        return {"int": "42", "float": "2.5", "bool": "True", "date": "datetime.date(2024, 5, 17)",
                "datetime": "datetime.datetime(2024, 5, 17, 9, 30)"}[self.kind]


def class_name_of(name: str) -> str:
    """``blog_post`` / ``blogPost`` / ``BlogPost`` → ``BlogPost``."""
    return "".join(part[:1].upper() + part[1:] for part in name.split("_") if part)


def plural(word: str) -> str:
    if word.endswith("y") and word[-2:-1] not in ("a", "e", "i", "o", "u", ""):
        return word[:-1] + "ies"
    if word.endswith(("s", "x", "z", "ch", "sh")):
        return word + "es"
    return word + "s"


def parse_field(spec: str) -> Field:
    """``title:str:100!`` → Field; raises GeneratorError naming the argument."""
    def bad(why: str) -> GeneratorError:
        return GeneratorError(f"bad field {spec!r}: {why}")

    body, null, unique = spec, False, False
    while body and body[-1] in "?!":
        if body[-1] == "?":
            null = True
        else:
            unique = True
        body = body[:-1]
    name, _, rest = body.partition(":")
    kind, _, arg = rest.partition(":")
    kind = kind or "str"
    if not _FIELD_NAME.match(name):
        raise bad("field names are lowercase Python identifiers, like published_at")
    if keyword.iskeyword(name) or keyword.issoftkeyword(name):
        raise bad(f"{name!r} is a Python keyword")
    if name == "id":
        raise bad("every model gets an id primary key already")
    if name in _reserved_names():
        raise bad(f"{name!r} is a method or attribute of peewee's Model")
    if kind not in TYPES:
        raise bad(f"unknown type {kind!r} (use {', '.join(TYPES[:-1])} or fk:Model)")
    field = Field(name, kind, null, unique)
    if kind == "str" and arg:
        if not arg.isdigit() or not 1 <= int(arg) <= MAX_STR_LENGTH:
            raise bad(f"str:N takes a length from 1 to {MAX_STR_LENGTH} (use text for longer)")
        field.max_length = int(arg)
    elif kind == "decimal" and arg:
        m = re.fullmatch(r"(\d+),(\d+)", arg)
        if not m or not (1 <= int(m[1]) <= 65 and 0 <= int(m[2]) <= min(30, int(m[1]))):
            raise bad("decimal:P,S takes digits P (1-65) and decimal places S (0-30, at most P), "
                      "e.g. decimal:10,2")
        field.digits = (int(m[1]), int(m[2]))
    elif kind == "fk":
        arg, _, action = arg.partition(":")
        if not arg or not _MODEL_NAME.match(arg):
            raise bad("write fk:Model, e.g. author:fk:User")
        if action and action not in ON_DELETE:
            raise bad(f"unknown on-delete rule {action!r} (use {', '.join(ON_DELETE)})")
        field.on_delete = ON_DELETE.get(action, "")
        if action == "set_null":
            field.null = True   # SET NULL needs a nullable column
        if name.endswith("_id"):
            raise bad(f"name it {name[:-3]!r}: the column is {name!r} already")
        field.target = class_name_of(arg)
    elif arg:
        raise bad(f"{kind} takes no argument")
    if unique and kind in ("text", "json"):
        raise bad(f"a {kind} field cannot be unique portably (MySQL cannot index it); use str")
    if unique and kind == "str" and field.max_length > MAX_UNIQUE_STR_LENGTH:
        raise bad(f"a unique str is at most {MAX_UNIQUE_STR_LENGTH} characters long (MySQL's index limit)")
    return field


_RESERVED: set[str] = set()


def _reserved_names() -> set[str]:
    if not _RESERVED:
        from ...db import Model
        _RESERVED.update(n for n in dir(Model) if not n.startswith("__"))
        _RESERVED.add("DoesNotExist")
    return _RESERVED


def find_class(folder: Any, root: Any, name: str) -> list[str]:
    """Modules (``models.user``) under ``folder`` whose source defines ``class name`` (read, never imported)."""
    found: list[str] = []
    if not folder.is_dir():
        return found
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith((".", "_")))
        for filename in sorted(filenames):
            if not filename.endswith(".py") or filename.startswith("_"):
                continue
            path = os.path.join(dirpath, filename)
            try:
                with open(path, encoding="utf-8") as f:
                    tree = ast.parse(f.read(), path)
            except (OSError, SyntaxError, ValueError):
                continue
            if any(isinstance(node, ast.ClassDef) and node.name == name for node in tree.body):
                found.append(os.path.relpath(path, root)[:-3].replace(os.sep, "."))
    return found


class ModelGenerator(Generator):
    """A peewee model in ``models/<snake_name>.py`` and a test creating a row."""

    name = "model"
    summary = "A peewee model and its test."
    arguments = (Argument("name", "Class name, e.g. Post."),
                 Argument("fields", "name:type fields, e.g. title:str body:text?", many=True))
    options = (Option(("--timestamps",), "Add created and updated datetime fields, filled in on save.", False),)

    def __init__(self, project: Any, model: str, fields: list[str], *, force: bool = False,
                 timestamps: bool = False) -> None:
        super().__init__(project, force=force)
        self.model = model
        self.field_specs = list(fields)
        self.timestamps = timestamps
        self.manifest_key = f"model {class_name_of(model)}"

    def parse(self) -> tuple[str, str, list[Field]]:
        """The class name, its snake_case name and the fields; GeneratorError when malformed."""
        if not _MODEL_NAME.match(self.model):
            raise GeneratorError(f"invalid model name {self.model!r}: use a Python identifier like Post "
                                 "or BlogPost")
        cls = class_name_of(self.model)
        snake = snake_case(cls)
        from ... import db
        if cls in db.__all__ or cls in ("Model", "Page") or keyword.iskeyword(snake):
            raise GeneratorError(f"invalid model name {self.model!r}: {cls} clashes with a name "
                                 "wolfpy.db or Python uses")
        fields = [parse_field(spec) for spec in self.field_specs]
        if self.timestamps:
            taken = [f.name for f in fields if f.name in TIMESTAMPS]
            if taken:
                raise GeneratorError(f"--timestamps adds {' and '.join(TIMESTAMPS)}; field {taken[0]!r} "
                                     "is given too")
        return cls, snake, fields

    def plan(self) -> None:
        self.add_model()

    def add_model(self, command: str = "model") -> dict[str, Any]:
        """Plan the model and its test; returns the context the templates had."""
        cls, snake, fields = self.parse()
        from ... import db
        seen: set[str] = set()
        for f in fields:
            if f.name in seen:
                raise GeneratorError(f"field {f.name!r} is given twice")
            seen.add(f.name)
        json_field = hasattr(db, "JSONField")
        per_target: dict[str, int] = {}
        for f in fields:
            f.json_field = json_field
            if f.kind == "fk":
                per_target[f.target] = per_target.get(f.target, 0) + 1
        for f in fields:
            if f.kind != "fk":
                continue
            f.backref = plural(snake)
            if per_target[f.target] > 1:  # two fks to one model need two backrefs
                f.backref += f"_as_{f.name}"
            if f.target == cls:
                f.backref = "children" if per_target[cls] == 1 else f"{f.name}_children"
                if not f.null:
                    raise GeneratorError(f"field {f.name!r} refers to {cls} itself: make it nullable "
                                         f"({f.name}:fk:{cls}?), or no first row could be saved")
                continue
            modules = find_class(self.project.models, self.project.root, f.target)
            if not modules:
                raise GeneratorError(f"field {f.name!r}: no class {f.target} in models/; generate it first "
                                     f"(wolfpy generate model {f.target} ...)")
            if len(modules) > 1:
                raise GeneratorError(f"field {f.name!r}: {f.target} is defined in {', '.join(modules)}; "
                                     "keep one")
            f.target_module = modules[0]
        line = " ".join([self.model, *self.field_specs] + (["--timestamps"] if self.timestamps else []))
        context = {
            "class_name": cls, "snake": snake, "fields": fields, "timestamps": self.timestamps,
            "written_by": textwrap.fill(f"Written by `wolfpy generate {command} {line}`; edit it freely.", 88),
            "table": snake,
            "imports": _imports(fields, self.timestamps),
            "model_imports": _model_imports(snake, cls, fields),
            "target_imports": [line for line in _model_imports(snake, cls, fields)
                               if not line.startswith(f"from models.{snake} import ")],
            "has_fk": any(f.kind == "fk" and f.target_module for f in fields),
            "has_unique": any(f.unique for f in fields),
            "needs_datetime": any(f.kind in ("date", "datetime") for f in fields),
            "uses_datetime": self.timestamps,
            # the field a row is shown by (in a <select> of another model, say)
            "scaffold_str": next((f.name for f in fields if f.kind == "str"), ""),
            "needs_decimal": any(f.kind == "decimal" for f in fields),
        }
        self.add(f"models/{snake}.py", "model.py", **context)
        self.add(f"tests/test_{snake}_model.py", "test_model.py", **context)
        return context


def _imports(fields: list[Field], timestamps: bool = False) -> str:
    names = sorted({"Model", *(f.field_class for f in fields), *(["DateTimeField"] if timestamps else [])})
    line = f"from wolfpy.db import {', '.join(names)}"
    if len(line) <= 99:
        return line
    body = textwrap.fill(", ".join(names), width=95, initial_indent="    ", subsequent_indent="    ")
    return f"from wolfpy.db import (\n{body},\n)"


def _model_imports(snake: str, cls: str, fields: list[Field]) -> list[str]:
    """``from models.user import User`` lines for the test (the model first, then its targets)."""
    lines = [f"from models.{snake} import {cls}"]
    for f in fields:
        if f.kind == "fk" and f.target_module:
            line = f"from {f.target_module} import {f.target}"
            if line not in lines:
                lines.append(line)
    return sorted(lines)
