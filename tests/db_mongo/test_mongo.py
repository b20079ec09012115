"""wolfpy.db.mongo on mongomock and on a MongoDB server: documents, connecting, discovery, requests."""
from __future__ import annotations

import importlib
import os
import sys
from typing import Any

import pytest

from wolfpy import App
from wolfpy.db.mongo import (Document, IntField, ListField, NotUniqueError, Q, ReferenceField, StringField,
                             bind_documents, connect_mongo, disconnect_mongo, discover_documents, paginate)
from wolfpy.errors import ConfigError, MissingExtra, NotFound, WolfPyError
from wolfpy.project import Project


class Author(Document):
    name = StringField(required=True, unique=True)


class Note(Document):
    title = StringField(required=True, max_length=100)
    votes = IntField(default=0)
    author = ReferenceField(Author)
    tags = ListField(StringField())


def test_documents_crud_get_or_404_and_to_dict(mongo_url: str) -> None:
    connect_mongo(mongo_url)
    ada = Author(name="ada").save()
    note = Note(title="first", votes=2, author=ada, tags=["a", "b"]).save()
    assert Note.get_or_404(note.pk).title == "first"
    assert Note.get_or_404(str(note.pk)).title == "first"
    assert Note.get_or_404(title="first", votes=2).pk == note.pk
    assert Note.get_or_404(Q(votes__gte=2)).pk == note.pk
    for missing in ("not-an-object-id", "0" * 24):
        with pytest.raises(NotFound, match="Note not found"):
            Note.get_or_404(missing)
    with pytest.raises(NotFound):
        Note.get_or_404(title="nope")
    assert note.to_dict() == {"id": str(note.pk), "title": "first", "votes": 2, "author": str(ada.pk),
                              "tags": ["a", "b"]}
    with pytest.raises(NotUniqueError):
        Author(name="ada").save()


def test_paginate_a_queryset(mongo_url: str) -> None:
    connect_mongo(mongo_url)
    for i in range(5):
        Note(title=f"n{i}", votes=i).save()
    page = paginate(Note.objects.order_by("votes"), page=2, per_page=2)
    assert [n.title for n in page] == ["n2", "n3"]
    assert (page.total, page.pages, page.has_next, page.has_previous) == (5, 3, True, True)
    last = paginate(Note.objects.order_by("votes"), page=99, per_page=2)
    assert last.page == 3 and [n.title for n in last] == ["n4"]


def test_connect_is_idempotent_and_switches_databases(mongo_url: str) -> None:
    client = connect_mongo(mongo_url)
    assert connect_mongo(mongo_url) is client
    Note(title="in the first").save()
    if mongo_url.startswith("mongomock://"):
        other = mongo_url + "_other"
    else:
        base, _, query = mongo_url.partition("?")
        other = f"{base}_other?{query}"
    connect_mongo(other)
    try:
        assert Note.objects.count() == 0  # the cached collection was forgotten
        Note(title="in the second").save()
        assert [n.title for n in Note.objects] == ["in the second"]
    finally:
        Note.drop_collection()
        disconnect_mongo()
    connect_mongo(mongo_url)
    if not mongo_url.startswith("mongomock://"):  # a new mongomock client starts empty
        assert [n.title for n in Note.objects] == ["in the first"]


def test_connect_from_settings(mongo_url: str) -> None:
    app = App(settings=App().settings.override(mongo={"url": mongo_url}))
    connect_mongo(app)
    Note(title="x").save()
    connect_mongo(app.settings)
    assert Note.objects.count() == 1


@pytest.mark.parametrize("url, message", [
    ("", "[mongo] url is empty"),
    ("mongodb://localhost:27017", "no database name"),
    ("mongodb://localhost:27017/", "no database name"),
    ("postgresql://localhost/x", "unsupported scheme 'postgresql'"),
])
def test_bad_urls(url: str, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        connect_mongo(url)
    assert message in str(info.value)


def test_without_a_connection_outside_a_request() -> None:
    disconnect_mongo()
    with pytest.raises(WolfPyError, match=r"MongoDB is not connected.*connect_mongo\(app\)"):
        Note.objects.count()


def test_missing_packages_name_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "mongomock", None)
    with pytest.raises(MissingExtra, match=r"mongomock:// URLs needs mongomock: pip install 'wolfpy\[mongo\]'"):
        connect_mongo("mongomock://localhost/x")
    monkeypatch.setitem(sys.modules, "mongoengine", None)
    monkeypatch.delitem(sys.modules, "wolfpy.db.mongo")
    with pytest.raises(MissingExtra, match=r"needs mongoengine: pip install 'wolfpy\[mongo\]'"):
        importlib.import_module("wolfpy.db.mongo")


# -- projects ---------------------------------------------------------------------------------
PROJECT = {
    "models/__init__.py": "",
    "models/memo.py": """
        from wolfpy.db import Model, CharField
        from wolfpy.db.mongo import Document, StringField, IntField

        class Base(Document):
            meta = {"abstract": True}
            created_by = StringField()

        class Memo(Base):
            text = StringField(required=True)
            stars = IntField(default=0)

        class Label(Model):
            name = CharField(max_length=20)
    """,
    "models/more/extra.py": """
        from wolfpy.db.mongo import Document, StringField

        class Extra(Document):
            meta = {"collection": "extras"}
            value = StringField()
    """,
    "routes/memos/index.py": """
        from wolfpy import api_route
        from models.memo import Memo

        @api_route
        def get(request):
            return [m.to_dict() for m in Memo.objects.order_by("stars")]

        @api_route(status=201)
        async def post(request):
            data = request.json
            return Memo(text=data["text"], stars=data.get("stars", 0)).save().to_dict()
    """,
    "routes/memos/[id].py": """
        from wolfpy import api_route
        from models.memo import Memo

        @api_route
        def get(request, id):
            return Memo.get_or_404(id).to_dict()
    """,
}


def test_discover_documents(make_project: Any, forget_project_modules: None) -> None:
    root = make_project(PROJECT)
    found = discover_documents(Project(root))
    assert [d.__name__ for d in found] == ["Memo", "Extra"]
    assert found[1]._get_collection_name() == "extras"
    assert discover_documents(Project(make_project({}, root=root.parent / "empty"))) == []


def test_bind_documents_connects_from_settings(make_project: Any, forget_project_modules: None,
                                               mongo_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    disconnect_mongo()
    monkeypatch.setenv("MONGO_URL", mongo_url)
    app = App(make_project(PROJECT))
    assert [d.__name__ for d in bind_documents(app)] == ["Memo", "Extra"]
    memo = sys.modules["models.memo"].Memo
    memo(text="bound").save()
    assert memo.objects.count() == 1


def test_requests_connect_on_first_use(client_for: Any, forget_project_modules: None, mongo_url: str) -> None:
    disconnect_mongo()
    client = client_for(PROJECT, f'[app]\ndebug = false\n[mongo]\nurl = "{mongo_url}"\n')
    r = client.post("/memos", json={"text": "hello", "stars": 3})
    assert r.status_code == 201, r.text
    created = r.json()
    assert created["text"] == "hello" and len(created["id"]) == 24
    client.post("/memos", json={"text": "first"})
    assert [m["text"] for m in client.get("/memos").json()] == ["first", "hello"]
    assert client.get(f"/memos/{created['id']}").json()["stars"] == 3
    r = client.get("/memos/nope")
    assert r.status_code == 404 and r.json()["error"]["message"] == "Memo not found"


def test_inspect_models_lists_documents(make_project: Any, forget_project_modules: None,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    from wolfpy.cli.main import main
    root = make_project(PROJECT)
    old = os.getcwd()
    os.chdir(root)
    try:
        main(["inspect", "models"])
    except SystemExit as exc:
        assert not exc.code
    finally:
        os.chdir(old)
    out = capsys.readouterr().out
    assert "Label  table label  (models/memo.py)" in out
    assert "Memo  MongoDB collection memo  (models/memo.py)" in out
    assert "Extra  MongoDB collection extras  (models/more/extra.py)" in out
    memo = out.split("Memo  MongoDB", 1)[1].split("\n\n", 1)[0]
    rows = {line.split()[0]: line.split() for line in memo.splitlines()[3:]}
    assert rows["id"] == ["id", "ObjectIdField", "no", "pk"]
    assert rows["text"] == ["text", "StringField", "yes"]
    assert rows["stars"] == ["stars", "IntField", "no", "0"]
    assert rows["created_by"] == ["created_by", "StringField", "no"]
    assert out.rstrip().endswith("1 model, 2 documents")

