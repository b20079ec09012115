"""wolfpy.db: database URLs, models bound to the project database, a request cycle on each backend."""
from __future__ import annotations

import importlib.util
import secrets
import sys
from contextlib import contextmanager
from typing import Iterator
from urllib.parse import urlsplit, urlunsplit

import pytest

from tests.services import service_url
from wolfpy import App
from wolfpy.db import DATABASE, backend_name, database_from_url
from wolfpy.errors import ConfigError, MissingExtra
from wolfpy.testing import TestClient

MODELS = {
    "models/__init__.py": "",
    "models/blog.py": """
        from wolfpy.db import Model, CharField, TextField, BooleanField, ForeignKeyField

        class Author(Model):
            name = CharField(max_length=100, unique=True)

        class BlogPost(Model):
            author = ForeignKeyField(Author, backref="posts")
            title = CharField(max_length=200)
            body = TextField(default="")
            published = BooleanField(default=False)
    """,
    "routes/posts/index.py": """
        from dataclasses import dataclass
        from wolfpy import api_route
        from wolfpy.db import paginate
        from models.blog import Author, BlogPost

        @dataclass
        class PostIn:
            author: str
            title: str

        @api_route
        def get(request, page: int = 1):
            return paginate(BlogPost.select().order_by(BlogPost.id), page, 2).to_dict()

        @api_route(status=201)
        def post(request, new: PostIn):
            author, _ = Author.get_or_create(name=new.author)
            return BlogPost.create(author=author, title=new.title)
    """,
    "routes/posts/[id].py": """
        from wolfpy import api_route
        from models.blog import BlogPost

        @api_route
        def get(request, id: int):
            post = BlogPost.get_or_404(id)
            return {"title": post.title, "author": post.author.name}
    """,
}


@contextmanager
def throwaway(backend: str) -> Iterator[str]:
    """A URL for a brand-new database on ``backend``, dropped afterwards."""
    if backend == "sqlite":
        yield "sqlite:///data/app.sqlite3"
        return
    base = service_url(backend)
    name = f"wolfpy_t_{secrets.token_hex(4)}"
    admin = database_from_url(base, pooled=False)
    admin.connect()
    admin.execute_sql(f"CREATE DATABASE {name}")
    admin.close()
    parts = urlsplit(base)
    try:
        yield urlunsplit((parts.scheme, parts.netloc, "/" + name, "", ""))
    finally:
        admin.connect()
        if backend == "postgres":
            admin.execute_sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                              "WHERE datname = %s AND pid <> pg_backend_pid()", (name,))
        admin.execute_sql(f"DROP DATABASE IF EXISTS {name}")
        admin.close()


def forget_models() -> None:
    for name in [n for n in sys.modules if n == "models" or n.startswith("models.")]:
        del sys.modules[name]


@pytest.fixture(params=["sqlite", "postgres", "mysql"])
def backend(request):
    return request.param


@pytest.fixture
def blog(backend, make_project, monkeypatch, protocol):
    with throwaway(backend) as url:
        root = make_project(MODELS, toml="[app]\ndebug = false\n")
        monkeypatch.setenv("WOLFPY_SECRET_KEY", "d" * 40)
        monkeypatch.setenv("DATABASE_URL", url)
        forget_models()
        app = App(root)
        app.load_routes()
        app.freeze()
        db = app.database
        db.create_tables(app.models)
        db.close()
        with TestClient(app, protocol=protocol) as client:
            yield client
        db.drop_tables(list(reversed(app.models)))
        db.close()
        if hasattr(db, "close_all"):
            db.close_all()
        forget_models()
        while str(root) in sys.path:
            sys.path.remove(str(root))


def test_request_cycle_on_each_backend(blog, backend):
    db = blog.app.database
    assert backend_name(db) == {"sqlite": "sqlite", "postgres": "postgresql", "mysql": "mysql"}[backend]
    assert [m.__name__ for m in blog.app.models] == ["Author", "BlogPost"]
    assert [m._meta.table_name for m in blog.app.models] == ["author", "blog_post"]
    for i in range(3):
        r = blog.post("/posts", json={"author": "ada", "title": f"post {i}"})
        assert r.status_code == 201, r.text
    assert r.json()["title"] == "post 2"
    page = blog.get("/posts?page=2").json()
    assert (page["page"], page["pages"], page["total"], len(page["items"])) == (2, 2, 3, 1)
    assert blog.get("/posts/1").json() == {"title": "post 0", "author": "ada"}
    r = blog.get("/posts/999")
    assert r.status_code == 404 and r.json()["error"]["message"] == "BlogPost not found"
    if backend != "sqlite":  # SQLite keeps each thread's connection (tests/db/test_sqlite_kept_connection.py)
        assert db.is_closed()  # the request's connection went back to the pool


def test_sqlite_file_is_relative_to_the_project(tmp_path):
    db = database_from_url("sqlite:///data/x.sqlite3", tmp_path)
    assert db.database == str(tmp_path / "data" / "x.sqlite3")
    db.connect()
    assert db.execute_sql("PRAGMA foreign_keys").fetchone()[0] == 1
    assert db.execute_sql("PRAGMA journal_mode").fetchone()[0] == "wal"
    db.close()


@pytest.mark.parametrize("url, message", [
    ("", "empty"),
    ("oracle://u@h/db", "unsupported scheme"),
    ("sqlite://db.sqlite3", "sqlite:///path"),
    ("postgresql://u:p@h/", "no database name"),
])
def test_bad_urls_are_one_line_errors(url, message):
    with pytest.raises(ConfigError, match=message):
        database_from_url(url)


def test_a_missing_driver_names_the_extra(monkeypatch):
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "pymysql" else real(name, *a))
    with pytest.raises(MissingExtra, match=r"pip install 'wolfpy\[mysql\]'"):
        database_from_url("mysql://u:p@h/db")


def test_proxy_points_at_the_loaded_app(blog):
    assert DATABASE.obj is blog.app.database


def test_two_apps_in_one_process_serve_their_own_rows(make_project, make_client, monkeypatch, tmp_path):
    """Each app's requests read and write its own database, whichever app bound its models last."""
    monkeypatch.setenv("WOLFPY_SECRET_KEY", "d" * 40)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("WOLFPY_DATABASE_URL", raising=False)
    apps = []
    try:
        for name in ("one", "two"):
            root = make_project(MODELS, toml="[app]\ndebug = false\n", root=tmp_path / name)
            forget_models()
            app = App(root)
            app.load_routes()
            app.freeze()
            app.database.create_tables(app.models)
            app.database.close()
            apps.append(app)
        one, two = (make_client(app) for app in apps)
        assert DATABASE.obj is apps[1].database  # outside a request: the last app bound
        for client, title in ((one, "first"), (two, "second"), (one, "third")):
            assert client.post("/posts", json={"author": "ada", "title": title}).status_code == 201
        assert [p["title"] for p in one.get("/posts").json()["items"]] == ["first", "third"]
        assert [p["title"] for p in two.get("/posts").json()["items"]] == ["second"]
        assert two.get("/posts/2").status_code == 404 and one.get("/posts/2").json()["title"] == "third"
        for app, count in zip(apps, (2, 1)):  # the rows are in each project's own db.sqlite3
            assert app.database.database == str(app.project.root / "db.sqlite3")
            assert app.database.execute_sql("SELECT count(*) FROM blog_post").fetchone()[0] == count
            app.database.close()
    finally:
        forget_models()
        for app in apps:
            while str(app.project.root) in sys.path:
                sys.path.remove(str(app.project.root))
