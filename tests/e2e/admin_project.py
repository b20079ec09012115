"""A project for the admin's end-to-end tests: `wolfpy new` + `generate auth` + blog models,
migrated, on SQLite or on a throw-away PostgreSQL database, with rows written straight
into the tables (10,000 posts, 150 categories)."""
from __future__ import annotations

import datetime
import re
import sqlite3
import textwrap
from pathlib import Path
from typing import Any

import pytest

from tests.test_auth_generators import new_project, ok

PASSWORD = "correct horse battery"
POSTS = 10_000
CATEGORIES = 150
BASE_TIME = datetime.datetime(2024, 1, 1, 12, 0, 0)

BLOG = '''
import datetime

from wolfpy.db import (BooleanField, CharField, DateTimeField, ForeignKeyField, IntegerField, Model,
                       TextField)
from models.user import User


class Category(Model):
    name = CharField(max_length=50, unique=True)

    def __str__(self):
        return self.name

    class Admin:
        search_fields = ["name"]


class Post(Model):
    title = CharField(max_length=200, index=True)
    body = TextField(default="")
    published = BooleanField(default=False)
    status = CharField(max_length=10, choices=[("draft", "Draft"), ("live", "Live")], default="draft")
    views = IntegerField(default=0)
    created = DateTimeField(default=datetime.datetime.now, index=True)
    author = ForeignKeyField(User, null=True, on_delete="SET NULL")
    category = ForeignKeyField(Category, null=True, on_delete="CASCADE")

    def __str__(self):
        return self.title

    class Admin:
        list_display = ["id", "title", "published", "status", "views", "created", "author"]
        search_fields = ["title", "body"]
        list_filter = ["published", "status", "author", "created"]
        readonly_fields = ["views"]
        actions = ["publish"]

        def publish(request, query):
            ids = [post.id for post in query]
            Post.update(published=True).where(Post.id.in_(ids)).execute()
            return f"Published {len(ids)} posts."


class Secret(Model):
    code = CharField(max_length=20)
    admin = False
'''


def make_admin_project(parent: Path, name: str, env: dict[str, str]) -> Path:
    """The project, migrated, with one user who is not an admin (``joe``) and no admin yet."""
    with pytest.MonkeyPatch.context() as mp:
        for key in ("DATABASE_URL", "WOLFPY_DATABASE_URL", "REDIS_URL", "WOLFPY_REDIS_URL", "WOLFPY_APP_DEBUG",
                    "WOLFPY_SECRET_KEY"):
            mp.delenv(key, raising=False)
        for key, value in env.items():
            mp.setenv(key, value)
        project = new_project(parent, name)
        ok("generate", "auth", cwd=project)
        (project / "models/blog.py").write_text(textwrap.dedent(BLOG))
        ok("db", "migrate", "--yes", cwd=project)
        ok("create", "user", "joe", "--password", PASSWORD, cwd=project)
    return project


def create_admin(project: Path, env: dict[str, str]) -> None:
    with pytest.MonkeyPatch.context() as mp:
        for key in ("DATABASE_URL", "WOLFPY_DATABASE_URL"):
            mp.delenv(key, raising=False)
        for key, value in env.items():
            mp.setenv(key, value)
        ok("create", "user", "boss", "--password", PASSWORD, "--admin", cwd=project)


def seed(connect: Any, placeholder: str) -> None:
    """Categories and posts, written with plain SQL (fast, and independent of the admin)."""
    conn = connect()
    try:
        cur = conn.cursor()
        p = placeholder
        cur.executemany(f'INSERT INTO category (name) VALUES ({p})',
                        [(f"cat-{i:03d}",) for i in range(1, CATEGORIES + 1)])
        rows = []
        for i in range(1, POSTS + 1):
            rows.append((f"Post {i:05d}", "", i % 2 == 0, "live" if i % 5 == 0 else "draft", i,
                         (BASE_TIME + datetime.timedelta(hours=i)).isoformat(" "), 2 if i % 3 == 0 else None, (i % CATEGORIES) + 1))
        rows[0] = ("Wolf Pack ALPHA", "the first post", True, "live", 1, BASE_TIME.isoformat(" "), 2, 1)
        rows[1] = ("alpha only", "no canine here", False, "draft", 2, BASE_TIME.isoformat(" "), None, 1)
        rows[2] = ("Lone wolf", "beta alpha", False, "draft", 3, BASE_TIME.isoformat(" "), None, 2)
        cur.executemany(
            "INSERT INTO post (title, body, published, status, views, created, author_id, category_id) "
            f"VALUES ({', '.join([p] * 8)})", rows)
        conn.commit()
    finally:
        conn.close()


def sqlite_connect(project: Path) -> Any:
    return lambda: sqlite3.connect(project / "db.sqlite3")


def csrf_of(text: str) -> str:
    m = re.search(r'name="csrf_token" value="([^"]+)"', text)
    assert m, text[:800]
    return m.group(1)
