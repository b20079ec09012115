"""``wolfpy.db.mongo``: MongoDB documents (mongoengine), connected from ``[mongo] url``.

    # models/note.py
    from wolfpy.db.mongo import Document, StringField, IntField

    class Note(Document):
        title = StringField(required=True, max_length=200)
        votes = IntField(default=0)

``Document`` is ``mongoengine.Document`` plus ``get_or_404`` and ``to_dict``; the
query API is mongoengine's. Inside a request the connection is made from the
app's ``[mongo] url`` on first use; elsewhere (a script, a test) call
:func:`connect_mongo`. ``mongomock://localhost/name`` is an in-process fake
database for tests. Like mongoengine's, the connection is process-wide.
"""
from __future__ import annotations

import threading
from typing import Any
from urllib.parse import urlsplit

from ..errors import ConfigError, MissingExtra, NotFound, WolfPyError
from .models import Page, iter_model_modules

try:
    import mongoengine
    from mongoengine.connection import ConnectionFailure
except ImportError:  # pragma: no cover - exercised only without the extra
    raise MissingExtra("mongo", "mongoengine", "wolfpy.db.mongo (MongoDB documents)") from None

from mongoengine import (CASCADE, DENY, DO_NOTHING, NULLIFY, PULL, BinaryField, BooleanField,
                         DateField, DateTimeField, DecimalField, DictField, DoesNotExist, EmailField,
                         EmbeddedDocument, EmbeddedDocumentField, EmbeddedDocumentListField, EnumField,
                         FloatField, IntField, LazyReferenceField, ListField, LongField, MapField,
                         MultipleObjectsReturned, NotUniqueError, ObjectIdField, Q, ReferenceField,
                         SequenceField, StringField, URLField, UUIDField, ValidationError)
from mongoengine.queryset.visitor import QNode

__all__ = [
    "CASCADE", "DENY", "DO_NOTHING", "NULLIFY", "PULL", "BinaryField", "BooleanField", "DateField",
    "DateTimeField", "DecimalField", "DictField", "Document", "DoesNotExist", "EmailField",
    "EmbeddedDocument", "EmbeddedDocumentField", "EmbeddedDocumentListField", "EnumField", "FloatField",
    "IntField", "LazyReferenceField", "ListField", "LongField", "MapField", "MultipleObjectsReturned",
    "NotUniqueError", "ObjectIdField", "Q", "ReferenceField", "SequenceField", "StringField", "URLField",
    "UUIDField", "ValidationError", "bind_documents", "connect_mongo", "disconnect_mongo", "discover_documents",
    "is_document", "paginate",
]

DEFAULT_ALIAS = "default"
_lock = threading.RLock()
# alias -> (url, client class) it was connected with. Process-wide because mongoengine's
# connections are: an alias names one connection for the whole process, whichever App
# connected it (see docs/data.md), and this only mirrors that registry.
_connected: dict[str, tuple[str, Any]] = {}


def connect_mongo(target: Any, *, alias: str = DEFAULT_ALIAS, mongo_client_class: Any = None,
                  **options: Any) -> Any:
    """Connect mongoengine's ``alias`` connection; returns the client.

    Args:
        target: an ``App`` (its ``[mongo] url``), ``Settings``, or a URL:
            ``mongodb://host:27017/name``, ``mongodb+srv://...``, or
            ``mongomock://localhost/name`` (in memory, needs mongomock).
        mongo_client_class: the client class, e.g. ``mongomock.MongoClient`` in tests.
        **options: more ``mongoengine.connect`` arguments.

    Connecting again with the same URL and client class returns the existing
    client; a different one closes the old connection first.

    Raises:
        ConfigError: no URL, or one without a database name.
        MissingExtra: ``mongomock://`` without mongomock installed.
    """
    url = _url_of(target)
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "mongomock":
        if mongo_client_class is None:
            try:
                import mongomock
            except ImportError:
                raise MissingExtra("mongo", "mongomock", "mongomock:// URLs") from None
            mongo_client_class = mongomock.MongoClient
        # mongoengine 0.29 refuses mongomock:// itself: hand it a plain URL and the class.
        url = "mongodb://" + url.split("://", 1)[1]
    elif scheme not in ("mongodb", "mongodb+srv"):
        raise ConfigError(f"[mongo] url: unsupported scheme {parts.scheme!r} "
                          "(use mongodb://, mongodb+srv:// or mongomock://)")
    if not parts.path.strip("/"):
        raise ConfigError(f"[mongo] url: no database name in {scheme}://... "
                          "(e.g. mongodb://127.0.0.1:27017/myapp)")
    with _lock:
        wanted = (url, mongo_client_class)
        if _connected.get(alias) == wanted:
            return mongoengine.get_connection(alias)
        disconnect_mongo(alias)
        # "standard" UUIDs: pymongo's default ("unspecified") warns on every connect.
        options.setdefault("uuidRepresentation", "standard")
        if mongo_client_class is not None:
            options["mongo_client_class"] = mongo_client_class
        client = mongoengine.connect(host=url, alias=alias, **options)
        _connected[alias] = wanted
        return client


def disconnect_mongo(alias: str = DEFAULT_ALIAS) -> None:
    """Close ``alias``'s connection and forget cached collections (tests switch databases with it)."""
    with _lock:
        _connected.pop(alias, None)
        mongoengine.disconnect(alias)


def _url_of(target: Any) -> str:
    if isinstance(target, str):
        url = target
    else:
        settings = getattr(target, "settings", target)
        url = settings.get("mongo", "url", "")
    if not url:
        raise ConfigError("[mongo] url is empty (e.g. mongodb://127.0.0.1:27017/myapp, or set MONGO_URL)")
    return url


def _connect_from_request() -> None:
    """First query inside a request, with no connection yet: connect from the app's settings."""
    from ..context import request_or_none
    request = request_or_none()
    if request is None or not request.app.settings.get("mongo", "url", ""):
        raise WolfPyError("MongoDB is not connected: set [mongo] url (or MONGO_URL); outside a "
                          "request call wolfpy.db.mongo.connect_mongo(app) first")
    connect_mongo(request.app)


class Document(mongoengine.Document):
    """Base class of a project's MongoDB documents: mongoengine's, plus ``get_or_404`` and ``to_dict``."""

    meta = {"abstract": True}

    @classmethod
    def _get_db(cls) -> Any:
        try:
            return super()._get_db()
        except ConnectionFailure:
            if cls._meta.get("db_alias", DEFAULT_ALIAS) != DEFAULT_ALIAS:
                raise
        with _lock:
            try:
                return super()._get_db()
            except ConnectionFailure:
                _connect_from_request()
        return super()._get_db()

    @classmethod
    def get_or_404(cls, *query: Any, **filters: Any) -> Any:
        """The first document matching, or a 404. ``Note.get_or_404(note_id)`` looks up the primary key.

        An id that is not even a valid ObjectId is a 404 too, not a 500.
        """
        if len(query) == 1 and not filters and not isinstance(query[0], QNode):
            conditions: tuple[Any, ...] = ()
            filters = {"pk": query[0]}
        else:
            conditions = query
        try:
            found = cls.objects(*conditions, **filters).first()
        except ValidationError:
            found = None
        if found is None:
            raise NotFound(message=f"{cls.__name__} not found")
        return found

    def to_dict(self) -> dict[str, Any]:
        """The fields as plain data: ``id`` and references as strings, ready for a JSON response."""
        data = self.to_mongo().to_dict()
        data.pop("_cls", None)
        out: dict[str, Any] = {"id": _plain(data.pop("_id", None))}
        out.update({k: _plain(v) for k, v in data.items()})
        return out


def _plain(value: Any) -> Any:
    from bson import DBRef, ObjectId
    if isinstance(value, ObjectId):
        return str(value)
    if isinstance(value, DBRef):
        return str(value.id)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items() if k != "_cls"}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


class _Pageable:
    """A mongoengine QuerySet with the two methods :class:`wolfpy.db.Page` uses."""

    def __init__(self, queryset: Any) -> None:
        self.queryset = queryset

    def count(self) -> int:
        return int(self.queryset.count())

    def paginate(self, page: int, per_page: int) -> Any:
        return self.queryset.skip((page - 1) * per_page).limit(per_page)


def paginate(queryset: Any, page: int = 1, per_page: int = 20) -> Page:
    """Page ``page`` (1-based) of a QuerySet, as :func:`wolfpy.db.paginate` does for peewee."""
    return Page(_Pageable(queryset), page, per_page)


def is_document(value: Any) -> bool:
    """A concrete (not abstract) mongoengine Document class."""
    return (isinstance(value, type) and issubclass(value, mongoengine.Document)
            and not getattr(value, "_meta", {}).get("abstract"))


def discover_documents(project: Any) -> list[Any]:
    """Every concrete Document class defined in ``models/*.py`` (and packages below), by name.

    Modules are imported as ``models.<name>`` with the project root on ``sys.path``,
    as :func:`wolfpy.db.discover_models` does; a module may hold models and documents.
    """
    found: list[Any] = []
    for module in iter_model_modules(project):
        for value in vars(module).values():
            if is_document(value) and value.__module__ == module.__name__ and value not in found:
                found.append(value)
    return found


def bind_documents(app: Any) -> list[Any]:
    """Discover ``app``'s documents and, when ``[mongo] url`` is set, connect (for ``App`` startup)."""
    if app.project is None:
        return []
    documents = discover_documents(app.project)
    if documents and app.settings.get("mongo", "url", ""):
        connect_mongo(app)
    return documents
