"""Data: peewee models on SQLite (default), PostgreSQL or MySQL.

    from wolfpy.db import Model, CharField, TextField, BooleanField, ForeignKeyField

    class Post(Model):
        title = CharField(max_length=200)
"""
from peewee import (AutoField, BigIntegerField, BlobField, BooleanField, CharField, DateField,
                    DateTimeField, DecimalField, DoesNotExist, FloatField, ForeignKeyField,
                    IntegerField, IntegrityError, TextField, TimeField, UUIDField, fn)

from .database import DATABASE, backend_name, database_from_url
from .fields import FileField, JSONField
from .models import Model, Page, discover_models, paginate, snake_case


__all__ = [
    "AutoField", "BigIntegerField", "BlobField", "BooleanField", "CharField", "DATABASE",
    "DateField", "DateTimeField", "DecimalField", "DoesNotExist", "FileField", "FloatField",
    "ForeignKeyField", "IntegerField", "IntegrityError", "JSONField", "Model", "Page", "TextField",
    "TimeField", "UUIDField", "backend_name", "database_from_url", "discover_models", "fn",
    "paginate", "snake_case",
]
