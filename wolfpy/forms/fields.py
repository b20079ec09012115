"""What a form knows about each field: its kind, whether it is required, how its text
is read into a value, and how it is shown as HTML.

A field comes from a peewee model field or a dataclass (or pydantic) annotation; both
end up as a :class:`FieldSpec`, so one form class serves models and dataclasses.
"""
from __future__ import annotations

import dataclasses
import datetime
import decimal
import json
import typing
from dataclasses import dataclass
from typing import Any, Callable

#: The most rows a foreign-key ``<select>`` lists (a larger table wants a search box).
MAX_CHOICES = 500
_TRUE = ("on", "true", "1", "yes")
_FALSE = ("", "off", "false", "0", "no")


class FieldError(ValueError):
    """Raise in ``__post_init__`` or a ``validate_<field>`` method to put ``message`` on ``field``."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(field, message)
        self.field = field
        self.message = message


@dataclass
class FieldSpec:
    """One field of a form."""

    name: str
    kind: str                 # str text int float decimal bool date datetime time json fk any
    required: bool = False
    null: bool = False
    unique: bool = False
    max_length: int | None = None
    label: str = ""
    rel_model: Any = None     # fk: the model referred to
    annotation: Any = Any     # dataclass fields: converted through wolfpy.validation
    column: str = ""          # model fields: the database column (author_id for author)
    digits: tuple[int, int] | None = None   # decimal: (max_digits, decimal_places)
    biggest: int = 2**63 - 1  # int, fk: the largest value the column holds

    def __post_init__(self) -> None:
        self.label = self.label or self.name.replace("_", " ").capitalize()
        self.column = self.column or self.name


_PEEWEE_KINDS = (("ForeignKeyField", "fk"), ("BooleanField", "bool"), ("DateTimeField", "datetime"),
                 ("DateField", "date"), ("TimeField", "time"), ("DecimalField", "decimal"),
                 ("FloatField", "float"), ("DoubleField", "float"), ("IntegerField", "int"),
                 ("JSONField", "json"), ("TextField", "text"), ("CharField", "str"), ("UUIDField", "str"))


def model_specs(model: Any, names: list[str] | None = None) -> list[FieldSpec]:
    """The editable fields of peewee ``model``: not the primary key, nor fields filled by a
    callable default (``created``, ``updated``), unless ``names`` lists them."""
    out = []
    for field in model._meta.sorted_fields:
        if names is not None and field.name not in names:
            continue
        if names is None and (field.primary_key or callable(field.default)):
            continue
        kind = "any"
        for cls in type(field).__mro__:
            kind = dict(_PEEWEE_KINDS).get(cls.__name__, "")
            if kind:
                break
        kind = kind or "str"
        required = not field.null and field.default is None and kind != "bool"
        target = field.rel_field if kind == "fk" else field
        biggest = BIGGEST if "Big" in type(target).__name__ else 2**31 - 1
        out.append(FieldSpec(field.name, kind, required=required, null=bool(field.null), biggest=biggest,
                             unique=bool(field.unique), max_length=getattr(field, "max_length", None),
                             label=getattr(field, "verbose_name", None) or "",
                             rel_model=getattr(field, "rel_model", None), column=field.column_name,
                             digits=((field.max_digits, field.decimal_places) if kind == "decimal"
                                     and getattr(field, "max_digits", None) else None)))
    if names is not None:
        missing = set(names) - {s.name for s in out}
        if missing:
            raise ValueError(f"{model.__name__} has no field {', '.join(sorted(missing))}")
        out.sort(key=lambda s: names.index(s.name))
    return out


_ANNOTATION_KINDS = {str: "str", int: "int", float: "float", bool: "bool", decimal.Decimal: "decimal",
                     datetime.date: "date", datetime.datetime: "datetime", datetime.time: "time"}


def dataclass_specs(cls: Any) -> list[FieldSpec]:
    hints = typing.get_type_hints(cls)
    out = []
    for field in dataclasses.fields(cls):
        if not field.init:
            continue
        hint = hints.get(field.name, Any)
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        optional = len(args) < len(typing.get_args(hint))
        base = args[0] if optional and len(args) == 1 else hint
        required = field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING
        out.append(FieldSpec(field.name, _ANNOTATION_KINDS.get(base, "any"), required=required and not optional,
                             null=optional, annotation=hint))
    return out


def pydantic_specs(model: Any) -> list[FieldSpec]:
    return [FieldSpec(name, _ANNOTATION_KINDS.get(info.annotation, "any"), required=info.is_required(),
                      annotation=info.annotation) for name, info in model.model_fields.items()]


# -- reading a value -----------------------------------------------------------------------------
REQUIRED = "This field is required."
BIGGEST = 2**63 - 1      # a 64-bit integer column
MAX_JSON_DEPTH = 64       # as [security] max_json_depth's default
MAX_EXPONENT = 300       # numbers from 1e-300 to 1e300 (a float's range, about)


def convert(spec: FieldSpec, raw: Any, from_text: bool) -> Any:
    """``raw`` (form text, or a JSON value) as the field's value; ValueError with a message."""
    kind = spec.kind
    if kind == "bool":
        if isinstance(raw, bool):
            return raw
        text = str(raw if raw is not None else "").strip().lower()
        if from_text and text in _TRUE:
            return True
        if from_text and text in _FALSE:
            return False
        raise ValueError("Choose yes or no.")
    if raw is None or (from_text and isinstance(raw, str) and raw.strip() == "" and kind != "str"
                       and kind != "text"):
        if spec.null:
            return None
        raise ValueError(REQUIRED)
    if kind in ("str", "text"):
        if not isinstance(raw, str):
            raise ValueError("Enter text.")
        if raw == "" and spec.null:
            return None
        if "\x00" in raw:   # PostgreSQL refuses it in text
            raise ValueError("Remove the NUL character.")
        if raw.strip() == "" and spec.required:
            raise ValueError(REQUIRED)
        if spec.max_length and len(raw) > spec.max_length:
            raise ValueError(f"Use at most {spec.max_length} characters (this has {len(raw)}).")
        return raw
    if kind in ("int", "fk"):
        if isinstance(raw, bool) or not isinstance(raw, (int, str)):
            raise ValueError("Enter a whole number.")
        try:
            value = int(str(raw).strip()) if len(str(raw)) <= 20 else None
        except ValueError:
            value = None
        if value is None:
            raise ValueError("Choose one of the options." if kind == "fk" else "Enter a whole number.")
        if not -spec.biggest - 1 <= value <= spec.biggest:   # what the database column holds
            raise ValueError("Choose one of the options." if kind == "fk" else
                             f"Enter a whole number from {-spec.biggest - 1} to {spec.biggest}.")
        if kind == "fk" and spec.rel_model is not None:
            if spec.rel_model.get_or_none(spec.rel_model._meta.primary_key == value) is None:
                raise ValueError(f"Choose an existing {spec.rel_model.__name__.lower()}.")
        return value
    if kind in ("float", "decimal"):
        if isinstance(raw, bool) or not isinstance(raw, (int, float, str)) or len(str(raw)) > 64:
            raise ValueError("Enter a number.")
        try:
            number = decimal.Decimal(str(raw).strip())
        except decimal.InvalidOperation:
            raise ValueError("Enter a number.") from None
        if not number.is_finite() or not -MAX_EXPONENT <= number.adjusted() <= MAX_EXPONENT:
            raise ValueError("Enter a number.")
        if kind == "float":
            return float(number)
        if spec.digits:
            places, scale = spec.digits
            if number.adjusted() >= places - scale:
                raise ValueError(f"Enter a number below {decimal.Decimal(10) ** (places - scale):,f}.")
            number = number.quantize(decimal.Decimal(1).scaleb(-scale), rounding=decimal.ROUND_HALF_EVEN)
        return number
    if kind in ("date", "datetime", "time"):
        if not isinstance(raw, str) or len(raw) > 40:
            raise ValueError(_DATE_HELP[kind])
        try:
            parser: Any = {"date": datetime.date, "datetime": datetime.datetime, "time": datetime.time}[kind]
            return parser.fromisoformat(raw.strip())
        except ValueError:
            raise ValueError(_DATE_HELP[kind]) from None
    if kind == "json":
        if not from_text:
            return raw
        from ..http.request import loads_json   # strict: no NaN/inf, no deep nesting (RecursionError)
        try:
            return loads_json(raw, MAX_JSON_DEPTH)
        except ValueError:
            raise ValueError("Enter valid JSON.") from None
    return raw


_DATE_HELP = {"date": "Enter a date like 2024-05-17.", "datetime": "Enter a date and time like 2024-05-17T09:30.",
              "time": "Enter a time like 09:30."}


def display(spec: FieldSpec, value: Any) -> Any:
    """A stored value as the text an input shows."""
    if value is None:
        return ""
    if spec.kind == "fk" and hasattr(value, "_meta"):
        return value._meta.primary_key.db_value(getattr(value, value._meta.primary_key.name))
    if isinstance(value, datetime.datetime):
        return value.isoformat(timespec="minutes")
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    if spec.kind == "json" and not isinstance(value, str):
        return json.dumps(value)
    return value


# -- HTML ------------------------------------------------------------------------------------------
_INPUT_TYPES = {"int": "number", "float": "number", "decimal": "number", "date": "date",
                "datetime": "datetime-local", "time": "time"}


def render_field(spec: FieldSpec, value: Any, error: str, choices: Callable[[], list[tuple[Any, str]]] | None,
                 attrs: dict[str, Any]) -> Any:
    """``<div class="field">`` with the label, the input (with its value) and the error."""
    from markupsafe import Markup
    ident = attrs.pop("id", spec.name)
    label = attrs.pop("label", spec.label)
    described = f"{ident}-error"
    extra: dict[str, Any] = {"id": ident, "name": spec.name}
    if spec.required and spec.kind != "bool":
        extra["required"] = True
    if error:
        extra["aria-invalid"] = "true"
        extra["aria-describedby"] = described
    if spec.kind in ("str",) and spec.max_length:
        extra["maxlength"] = spec.max_length
    if spec.kind in ("float", "decimal"):
        extra["step"] = "any"
    extra.update(attrs)

    def attributes(values: dict[str, Any]) -> Any:
        parts = []
        for key, val in values.items():
            if val is True:
                parts.append(Markup(" {}").format(key))
            elif val is not False and val is not None:
                parts.append(Markup(' {}="{}"').format(key, val))
        return Markup("").join(parts)

    label_html = Markup('<label for="{}">{}</label>').format(ident, label)
    if spec.kind == "bool":
        checked = value is True or str(value).lower() in _TRUE
        control = Markup('<input type="checkbox" value="on"{}{}> ').format(attributes(extra),
                                                                            Markup(" checked") if checked else "")
        inner = control + label_html
    elif spec.kind in ("text", "json"):
        inner = label_html + Markup("<textarea{}>{}</textarea>").format(attributes(extra), value)
    elif spec.kind == "fk" and choices is not None:
        options = [Markup('<option value="">Choose…</option>')]
        for key, text in choices():
            selected = Markup(" selected") if str(key) == str(value) else ""
            options.append(Markup('<option value="{}"{}>{}</option>').format(key, selected, text))
        inner = label_html + Markup("<select{}>{}</select>").format(attributes(extra), Markup("").join(options))
    else:
        extra = {"type": _INPUT_TYPES.get(spec.kind, "text"), **extra, "value": value}
        inner = label_html + Markup("<input{}>").format(attributes(extra))
    if error:
        inner += Markup('<p class="error" id="{}">{}</p>').format(described, error)
    css = "field" + (" has-error" if error else "") + (" checkbox" if spec.kind == "bool" else "")
    return Markup('<div class="{}">{}</div>').format(css, inner)


def fk_choices(spec: FieldSpec) -> Callable[[], list[tuple[Any, str]]]:
    def choices() -> list[tuple[Any, str]]:
        model = spec.rel_model
        pk = model._meta.primary_key
        return [(getattr(row, pk.name), str(row)) for row in model.select().order_by(pk).limit(MAX_CHOICES)]
    return choices
