"""Tests for the ${class_name} model (written by `wolfpy generate model`; edit them freely).

Each test gets its own in-memory SQLite database: the models are bound to it for
the length of the test, so the project's database is never touched.
"""
% if has_fk:
import datetime
% elif needs_datetime:
import datetime
% endif
% if needs_decimal:
import decimal
% endif
% if has_fk:
import itertools
% endif
% if has_fk or needs_datetime or needs_decimal:

% endif
import pytest
from peewee import SqliteDatabase
% if has_fk:
from wolfpy.db import (BooleanField, DateField, DateTimeField, DecimalField, FloatField, ForeignKeyField,
                       IntegerField)
% endif
% if has_unique:
from wolfpy.db import IntegrityError
% endif

% for line in model_imports:
${line}
% endfor


@pytest.fixture
def db():
    database = SqliteDatabase(":memory:", pragmas={"foreign_keys": 1})
% if has_fk:
    models = related_models(${class_name})
% else:
    models = [${class_name}]
% endif
    with database.bind_ctx(models):
        database.create_tables(models)
        yield database
    database.close()
% if has_fk:


def related_models(model):
    """``model`` and every model it references, directly or not."""
    found, todo = [], [model]
    while todo:
        current = todo.pop()
        if current not in found:
            found.append(current)
            todo.extend(current._meta.refs.values())
    return found


_numbers = itertools.count(1)


def make(model, **values):
    """Save a ``model`` row: ``values``, and made-up values for its other required fields."""
    for field in model._meta.sorted_fields:
        if field.name in values or field.null or field.default is not None or field.primary_key:
            continue
        if isinstance(field, ForeignKeyField):
            values[field.name] = make(field.rel_model)
        elif isinstance(field, BooleanField):
            values[field.name] = True
        elif isinstance(field, DateTimeField):
            values[field.name] = datetime.datetime(2024, 1, 1, 12, 0)
        elif isinstance(field, DateField):
            values[field.name] = datetime.date(2024, 1, 1)
        elif isinstance(field, (IntegerField, FloatField, DecimalField)):
            values[field.name] = next(_numbers)
        else:
            values[field.name] = f"{field.name} {next(_numbers)}"[:getattr(field, "max_length", None)]
    return model.create(**values)
% endif


def values():
    """Valid field values for a new ${class_name}."""
    return {
% for f in fields:
        "${f.name}": ${f.sample},
% endfor
    }


def test_create_and_read_${snake}(db):
    data = values()
    row = ${class_name}.create(**data)
    found = ${class_name}.get_by_id(row.id)
    for name, value in data.items():
        assert getattr(found, name) == value, name
% if has_unique:


def test_duplicate_${snake}_is_refused(db):
    data = values()
    ${class_name}.create(**data)
    with pytest.raises(IntegrityError):
        ${class_name}.create(**data)
% endif
