"""``wolfpy.forms.Form``: an HTML form (or a JSON body) bound to a model or a dataclass.

    form = Form(Post, request, instance=post)    # an edit page, pre-filled from ``post``
    form = Form(Post, initial={"published": True})  # a new page with suggested values
    if form.valid and form.save():                # save() returns the row, or None
        ...
    form.errors["title"]                          # the message for one field
    ${form.field("title")}                        # label, input with its value, error

``model`` is a peewee model (its editable fields: not the primary key, nor fields with a
callable default such as ``created``), a dataclass or a pydantic model. A subclass adds
``validate_<field>(self, value)`` methods: raise ``ValueError("message")`` to refuse a
value, return a new value to change it. A dataclass's ``__post_init__`` may raise
``FieldError("field", "message")`` (or ``ValueError("field", "message")``) to put its
message on a field; a model's unique, not-null and foreign-key constraints land on their
field when :meth:`Form.save` meets them.
"""
from __future__ import annotations

import dataclasses
from typing import Any, Mapping

from ..errors import HTTPError
from .constraints import constraint_error, is_protected_delete, protected_message
from .fields import (REQUIRED, FieldError, FieldSpec, convert, dataclass_specs, display, fk_choices, model_specs,
                     pydantic_specs, render_field)

__all__ = ["FORM_ERROR", "FieldError", "FieldSpec", "Form", "is_protected_delete", "protected_message"]

#: The key in ``form.errors`` of a message that belongs to no one field.
FORM_ERROR = "__all__"
_NO_BODY_METHODS = ("GET", "HEAD", "DELETE", "OPTIONS")


def _is_peewee(model: Any) -> bool:
    return isinstance(model, type) and hasattr(model, "_meta") and hasattr(model._meta, "sorted_fields")


def _is_pydantic(model: Any) -> bool:
    from ..validation import _is_pydantic as check
    return bool(check(model))


class Form:
    """A form bound to ``model``: what was sent, what it means, and what is wrong with it.

    Args:
        model: a peewee model, a dataclass or a pydantic model.
        request: the request whose form (POST, PUT, PATCH) is read; None for a blank form.
        instance: a model row the form edits: shown until the user sends other values.
        initial: values shown in a form nobody has sent yet.
        data: a mapping to read instead of the request's form (a JSON body, say).
        partial: only the fields present in the input are read (a JSON PATCH).
        fields: the field names to use, in order (default: every editable field).
    """

    def __init__(self, model: Any, request: Any = None, *, instance: Any = None,
                 initial: Mapping[str, Any] | None = None, data: Mapping[str, Any] | None = None,
                 partial: bool = False, fields: list[str] | None = None) -> None:
        self.model = model
        self.instance = instance
        self.initial = dict(initial or {})
        self.partial = partial
        self.is_model = _is_peewee(model)
        if self.is_model:
            self.specs = model_specs(model, fields)
        elif isinstance(model, type) and dataclasses.is_dataclass(model):
            self.specs = dataclass_specs(model)
        elif _is_pydantic(model):
            self.specs = pydantic_specs(model)
        else:
            raise TypeError(f"Form needs a peewee model, a dataclass or a pydantic model, not {model!r}")
        if fields is not None and not self.is_model:
            self.specs = [s for s in self.specs if s.name in fields]
        self._by_name = {s.name: s for s in self.specs}
        self.errors: dict[str, str] = {}
        #: the values read: a dict for a model, the dataclass (or pydantic) instance otherwise
        self.data: Any = None
        self.cleaned: dict[str, Any] = {}
        self._input: dict[str, Any] = {}
        from_text = True
        if data is not None:
            self.submitted = True
            from_text = False
            self._input = dict(data)
        else:
            self.submitted = request is not None and request.method not in _NO_BODY_METHODS
            if self.submitted:
                form = request.form
                self._input = {key: form.getlist(key) if self._is_list(key) else form.get(key) for key in form}
        if self.submitted:
            self._validate(from_text)

    # -- reading ---------------------------------------------------------------------------------
    def _is_list(self, key: str) -> bool:
        spec = self._by_name.get(key)
        if spec is None or spec.annotation is Any:
            return False
        import typing
        hint = spec.annotation
        return typing.get_origin(hint) in (list, tuple, set) or hint in (list, tuple, set)

    def _validate(self, from_text: bool) -> None:
        values: dict[str, Any] = {}
        for spec in self.specs:
            present = spec.name in self._input
            if self.partial and not present:
                continue
            raw = self._input.get(spec.name)
            if not present and spec.kind == "bool" and from_text:
                raw = ""   # an unticked checkbox sends nothing
            elif not present and not from_text:
                if spec.required:
                    self.errors[spec.name] = REQUIRED if self.is_model else "field required"
                continue
            elif not present and not spec.required:
                continue   # the default (or the instance's value) stays
            try:
                if self.is_model:
                    value = convert(spec, raw, from_text)
                elif raw is None and spec.required:
                    raise ValueError("field required")
                else:
                    from ..validation import _Invalid, convert as convert_annotation
                    try:
                        value = convert_annotation(raw, spec.annotation, from_text, spec.name)
                    except _Invalid as exc:
                        raise ValueError(exc.message) from None
                check = getattr(self, f"validate_{spec.name}", None)
                if check is not None:
                    result = check(value)
                    value = value if result is None else result
            except FieldError as exc:
                self.errors[exc.field] = exc.message
                continue
            except ValueError as exc:
                self.errors[spec.name] = _message(exc)
                continue
            values[spec.name] = value
        if self.is_model:
            self._check_unique(values)
            self.cleaned = values
            self.data = values
            return
        if self.errors:
            return
        try:
            self.data = self.model(**values)
        except FieldError as exc:
            self.errors[exc.field if exc.field in self._by_name else FORM_ERROR] = exc.message
        except HTTPError as exc:                    # raise ValidationError({"title": "..."})
            if exc.status != 422:
                raise
            for name, message in (exc.fields or {FORM_ERROR: exc.message}).items():
                self.errors[name if name in self._by_name else FORM_ERROR] = str(message)
        except (TypeError, ValueError) as exc:
            if _is_pydantic(self.model) and hasattr(exc, "errors"):
                for err in exc.errors():  # type: ignore[attr-defined]
                    self.errors[".".join(str(p) for p in err["loc"]) or FORM_ERROR] = err["msg"]
                return
            field, message = _field_of(exc, self._by_name)
            self.errors[field or FORM_ERROR] = message
        self.cleaned = values

    def _check_unique(self, values: dict[str, Any]) -> None:
        """A value another row has already, found before saving (the constraint still decides)."""
        for spec in self.specs:
            if not spec.unique or spec.name in self.errors or values.get(spec.name) is None:
                continue
            field = getattr(self.model, spec.name)
            query = self.model.select().where(field == values[spec.name])
            if self.instance is not None:
                pk = self.model._meta.primary_key
                query = query.where(pk != getattr(self.instance, pk.name))
            if query.exists():
                self.errors[spec.name] = f"This {spec.label.lower()} is taken already: choose another."

    # -- state -----------------------------------------------------------------------------------
    @property
    def valid(self) -> bool:
        return self.submitted and not self.errors

    @property
    def fields(self) -> list[str]:
        return [s.name for s in self.specs]

    def value(self, name: str, default: Any = "") -> Any:
        """What the input shows: what was sent, else the instance's value, else ``initial``."""
        spec = self._by_name.get(name) or FieldSpec(name, "any")
        if self.submitted and (name in self._input or not self.partial):
            value = self._input.get(name, default)
            return "" if value is None else value
        if self.instance is not None and hasattr(self.instance, name):
            if spec.kind == "fk":
                return display(spec, getattr(self.instance, spec.column, None))
            return display(spec, getattr(self.instance, name))
        if name in self.initial:
            return display(spec, self.initial[name])
        if self.is_model:
            field = self.model._meta.fields.get(name)
            if field is not None and field.default is not None and not callable(field.default):
                return display(spec, field.default)
        return default

    def error(self, name: str) -> str:
        return self.errors.get(name, "")

    def field(self, name: str, **attrs: Any) -> Any:
        """The field as HTML: label, input with its value, and its error (``aria-describedby``).

        Keyword arguments become attributes of the input (``placeholder="..."``,
        ``id="..."``, ``label="..."`` changes the label).
        """
        spec = self._by_name.get(name)
        if spec is None:
            raise KeyError(f"the form has no field {name!r} (it has {', '.join(self.fields)})")
        choices = fk_choices(spec) if spec.kind == "fk" and spec.rel_model is not None else None
        return render_field(spec, self.value(name), self.error(name), choices, dict(attrs))

    # -- saving ----------------------------------------------------------------------------------
    def save(self, **extra: Any) -> Any:
        """Create the row (or update ``instance``) from the values; None when it could not.

        ``extra`` values are set as well (``form.save(author=request.user)``). A unique,
        not-null or foreign-key constraint the database enforces puts its message on
        the field (``form.errors``) and returns None; nothing is saved then.
        """
        if not self.is_model:
            raise TypeError("save() is for a form bound to a model; use form.data for a dataclass")
        if not self.valid:
            return None
        from peewee import DataError, IntegrityError
        model = self.model
        values = {**self.cleaned, **extra}
        row = self.instance if self.instance is not None else model()
        for name, value in values.items():
            setattr(row, name, value)
        try:
            with model._meta.database.atomic():
                row.save()
        except IntegrityError as exc:
            columns = {s.column: s.name for s in self.specs} | {s.name: s.name for s in self.specs}
            field, message = constraint_error(exc, columns, model.__name__,
                                              tuple(s.name for s in self.specs if s.kind == "fk"))
            self.errors[field if field in self._by_name else FORM_ERROR] = message
            return None
        except DataError as exc:   # a value the column cannot hold (PostgreSQL, MySQL)
            self.errors[FORM_ERROR] = "The database refused a value: " + (str(exc).splitlines() or [""])[0][:200]
            return None
        return row


def _message(exc: ValueError) -> str:
    if len(exc.args) == 2 and all(isinstance(a, str) for a in exc.args):
        return exc.args[1]
    return str(exc) or "This value is not valid."


def _field_of(exc: BaseException, by_name: dict[str, FieldSpec]) -> tuple[str, str]:
    """The field a ``__post_init__`` error is about: ``ValueError("field", "message")``, or a
    message that starts with the field's name (``"end: must be after start"``)."""
    args: tuple[Any, ...] = tuple(getattr(exc, "args", ()))
    if len(args) == 2 and isinstance(args[0], str) and args[0] in by_name:
        return args[0], str(args[1])
    text = str(exc)
    for name in by_name:
        for sep in (":", " "):
            if text.startswith(name + sep):
                rest = text[len(name) + 1:].strip()
                return name, (rest[:1].upper() + rest[1:]) if sep == ":" else text
    return "", text or "This form is not valid."
