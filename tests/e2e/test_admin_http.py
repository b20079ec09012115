"""The admin over real HTTP: gunicorn on SQLite, uvicorn on PostgreSQL (a throw-away database).

One flow per database, in the order a new project meets the admin: no admin user yet
(the pages say how to make one), a signed-in user who is not an admin (403), then an
admin who lists, searches, filters, sorts and pages 10,000 posts, creates, edits and
deletes with CSRF and validation errors, runs bulk actions, exports CSV and reads the
audit log; hostile parameters never get a 5xx.
"""
from __future__ import annotations

import csv
import io
import json
import os
import re
import secrets
from pathlib import Path
from typing import Any, Callable, Iterator
from urllib.parse import quote, urlsplit, urlunsplit

import pytest

from tests.services import service_url

from .admin_project import (PASSWORD, POSTS, create_admin, csrf_of, make_admin_project, seed,
                            sqlite_connect)
from .conftest import Server, server_env
from .test_auth_flow import Jar

pytestmark = pytest.mark.e2e

MAKE_ADMIN = "wolfpy create user NAME --admin"


class Backend:
    def __init__(self, name: str, server: Server, project: Path, env: dict[str, str],
                 connect: Callable[[], Any], placeholder: str) -> None:
        self.name, self.server, self.project, self.env = name, server, project, env
        self.connect, self.placeholder = connect, placeholder

    def query(self, sql: str, *args: Any) -> list[tuple[Any, ...]]:
        conn = self.connect()
        try:
            cur = conn.cursor()
            cur.execute(sql.replace("?", self.placeholder), args)
            return list(cur.fetchall())
        finally:
            conn.close()


def rss_kb(server: Server) -> int:
    """Resident memory of the process serving requests (gunicorn's worker, or uvicorn itself)."""
    assert server.proc is not None
    pid = server.proc.pid
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    if server.kind == "gunicorn" and children:
        pid = int(children[0])
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


def signed_in(server: Server, username: str) -> tuple[Jar, str]:
    jar = Jar(server)
    token = jar.csrf("/admin/login")
    status, headers, _ = jar.request("POST", "/admin/login", {"username": username, "password": PASSWORD,
                                                                "next": "/admin", "csrf_token": token})
    assert (status, headers["location"]) == (303, "/admin"), status
    return jar, token


def get(jar: Jar, path: str, expect: int = 200) -> str:
    status, headers, text = jar.request("GET", path)
    assert status == expect, (path, status, text[:1500])
    return text


def totals(text: str) -> int:
    m = re.search(r'id="total">(\d+) ', text)
    assert m, text[:2000]
    return int(m.group(1))


def titles(text: str) -> list[str]:
    return re.findall(r'<th scope="row"><a href="/admin/blog/post/\d+">\d+</a></th>\s*<td>([^<]*)</td>', text)


def pairs(form: dict[str, Any]) -> Any:
    """A form with repeated fields (``ids``), as ``(name, value)`` pairs for the jar's urlencode."""
    return [(k, v) for k, value in form.items() for v in (value if isinstance(value, list) else [value])]


def log_rows(backend: Backend, action: str, object_id: Any) -> list[dict[str, Any]]:
    rows = backend.query("SELECT username, changes FROM wolfpy_admin_log WHERE action = ? AND model = ? "
                         "AND object_id = ? ORDER BY id", action, "blog.Post", str(object_id))
    return [{"username": u, "changes": json.loads(c)} for u, c in rows]


def admin_flow(backend: Backend) -> None:
    server = backend.server
    anon = Jar(server)
    # -- access rules -----------------------------------------------------------------------
    status, headers, _ = anon.request("GET", "/admin/blog/post?q=x")
    assert (status, headers["location"]) == (303, "/admin/login?next=%2Fadmin%2Fblog%2Fpost%3Fq%3Dx")
    login_page = get(anon, "/admin/login")
    assert MAKE_ADMIN in login_page                       # no admin exists yet: say how to make one
    status, _, _ = anon.request("POST", "/admin/login", {"username": "joe", "password": PASSWORD})
    assert status == 403                                  # no CSRF token
    token = anon.csrf("/admin/login")
    status, _, _ = anon.request("POST", "/admin/login", {"username": "jo\x00e", "password": PASSWORD,
                                                          "csrf_token": token})
    assert status == 401, status                          # a NUL in the name: no such user (PostgreSQL too)
    joe, _ = signed_in(server, "joe")
    denied = get(joe, "/admin", expect=403)
    assert "not an administrator" in denied and MAKE_ADMIN in denied
    assert joe.request("GET", "/admin/blog/post/export.csv")[0] == 403
    assert joe.request("GET", "/admin/log")[0] == 403
    create_admin(backend.project, backend.env)
    seed(backend.connect, backend.placeholder)
    assert MAKE_ADMIN not in get(anon, "/admin/login")
    assert MAKE_ADMIN not in get(joe, "/admin", expect=403)
    jar, _ = signed_in(server, "boss")

    # -- index -----------------------------------------------------------------------------
    index = re.sub(r"\s+", " ", get(jar, "/admin"))
    assert '<h2 id="g-blog">blog</h2>' in index and '<h2 id="g-user">user</h2>' in index
    assert f'<a href="/admin/blog/post">Post</a></th> <td class="num">{POSTS}</td>' in index
    assert '<a href="/admin/blog/category">Category</a></th> <td class="num">150</td>' in index
    assert "Secret" not in index and get(jar, "/admin/blog/secret", expect=404)

    # -- list: pages, search, filters, sort --------------------------------------------------
    page1 = get(jar, "/admin/blog/post")
    assert totals(page1) == POSTS and "page 1 of 200" in page1 and len(titles(page1)) == 50
    assert titles(page1)[0] == f"Post {POSTS:05d}"        # default ordering: newest id first
    last = get(jar, "/admin/blog/post?p=200")
    assert "page 200 of 200" in last and titles(last)[-1] == "Wolf Pack ALPHA"
    found = get(jar, "/admin/blog/post?q=WOLF+alpha")
    assert sorted(titles(found)) == ["Lone wolf", "Wolf Pack ALPHA"] and totals(found) == 2
    assert titles(get(jar, "/admin/blog/post?q=canine"))[0] == "alpha only"          # body is searched too
    assert totals(get(jar, "/admin/blog/post?published=1")) == POSTS // 2
    assert totals(get(jar, "/admin/blog/post?status=live")) == 2001
    assert totals(get(jar, "/admin/blog/post?author=2")) == 3333
    dated = get(jar, "/admin/blog/post?created__from=2024-01-01&created__to=2024-01-02")
    assert totals(dated) == 35                              # hourly from 2024-01-01 12:00 to 2024-01-02 23:00
    combined = get(jar, "/admin/blog/post?published=1&status=live&q=post")  # + "the first post" (body)
    assert totals(combined) == 1000 + 1 and 'aria-current="true">Yes' in combined
    by_views = get(jar, "/admin/blog/post?o=views")
    assert titles(by_views)[:3] == ["Wolf Pack ALPHA", "alpha only", "Lone wolf"]
    assert 'aria-sort="ascending"' in by_views and 'href="?o=-views"' in by_views
    assert titles(get(jar, "/admin/blog/post?o=-views"))[0] == f"Post {POSTS:05d}"

    # -- hostile parameters: ignored, clamped or 4xx; never a 5xx -------------------------------
    for path in ["/admin/blog/post?o=password_hash", "/admin/blog/post?o=id)%3BDROP%20TABLE%20post%3B--",
                 "/admin/blog/post?o=-nope&p=99999999999999999999", "/admin/blog/post?p=-3&published=maybe",
                 "/admin/blog/post?author=abc&status=nope&created__from=2024-13-45&views=1",
                 "/admin/blog/post?q=" + "%25_" * 300, "/admin/blog/post?author=99999999999999999999999",
                 "/admin/blog/post?author=--5", "/admin/blog/post?author=9223372036854775808",
                 "/admin/blog/post?created__to=9999-12-31"]:
        status, _, text = jar.request("GET", path)
        assert status == 200 and totals(text) in (POSTS, 0), (path, status)
    assert "page 200 of 200" in get(jar, "/admin/blog/post?p=99999999")
    for path in ["/admin/blog/post?q=a%00b", "/admin/blog/post?status=a%00b", "/admin/blog/post/export.csv?q=a%00b",
                 "/admin/blog/post/lookup/category?q=a%00b", "/admin/log?q=a%00b"]:      # PostgreSQL: were 500s
        assert jar.request("GET", path)[0] == 200, path
    for path in ["/admin/blog/post/abc", "/admin/blog/post/99999999999999999999999", "/admin/blog/post/-1",
                 "/admin/blog/post/1.5/delete", "/admin/nope/post", "/admin/blog/post/abc/history",
                 "/admin/blog/post/lookup/title", "/admin/blog/post/lookup/nope", "/admin/blog/post/--5"]:
        assert jar.request("GET", path)[0] == 404, path
    assert backend.query("SELECT COUNT(*) FROM post")[0][0] == POSTS

    # -- create: CSRF, validation errors on their fields, then success -------------------------
    add_page = get(jar, "/admin/blog/post/add")
    token = csrf_of(add_page)
    assert '<label for="f-title">Title</label>' in add_page and '<textarea' in add_page
    assert 'type="checkbox"' in add_page and 'type="datetime-local"' in add_page
    assert '<select id="f-author"' in add_page                     # 2 users: a select
    assert 'type="search"' in add_page and 'data-lookup="blog/post/lookup/category"' in add_page  # 150: a search box
    assert 'id="f-views"' in add_page and 'name="views"' not in add_page                        # read-only
    lookup = json.loads(get(jar, "/admin/blog/post/lookup/category?q=CAT-14"))
    assert [r["label"] for r in lookup["results"]] == [f"cat-14{i}" for i in range(10)]
    form = {"title": "<script>alert(1)</script>", "body": "b", "status": "live", "created": "2025-02-03T04:05:06",
            "author": "2", "category": "7", "published": "1", "views": "999"}
    assert jar.request("POST", "/admin/blog/post/add", form)[0] == 403                 # no token
    status, _, text = jar.request("POST", "/admin/blog/post/add", {**form, "csrf_token": token, "title": "",
                                                                   "status": "bogus", "category": "100000"})
    assert status == 422
    assert re.search(r'id="f-title"[^>]*aria-invalid="true"', text) or 'aria-invalid="true"' in text
    errors = dict(re.findall(r'<p class="error" id="f-(\w+)-error">([^<]*)</p>', text))
    assert errors == {"title": "This field is required.", "status": "Select one of the choices.",
                      "category": "No Category with id 100000."}
    assert 'value="2025-02-03T04:05:06"' in text                                      # input kept
    status, _, text = jar.request("POST", "/admin/blog/post/add", {**form, "csrf_token": token, "body": "a\x00b"})
    assert status == 422 and "Remove the NUL character." in text                   # PostgreSQL: was a 500
    status, headers, _ = jar.request("POST", "/admin/blog/post/add", {**form, "csrf_token": token})
    assert (status, headers["location"]) == (303, "/admin/blog/post")
    (new_id, views, published), = backend.query("SELECT id, views, published FROM post WHERE title = ?",
                                                 form["title"])
    assert views == 0 and published                                  # read-only field not taken from the post
    listed = get(jar, "/admin/blog/post?q=alert")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in listed and "<script>alert" not in listed
    added = log_rows(backend, "add", new_id)
    assert added[0]["username"] == "boss" and added[0]["changes"]["title"] == [None, form["title"]]
    assert added[0]["changes"]["category"] == [None, 7]

    # -- change: before/after in the audit log, history one click away --------------------------
    change_page = get(jar, f"/admin/blog/post/{new_id}")
    assert f'href="/admin/blog/post/{new_id}/history"' in change_page
    edit = {**form, "title": "Renamed", "status": "draft", "published": "", "csrf_token": token}
    del edit["published"]
    status, headers, _ = jar.request("POST", f"/admin/blog/post/{new_id}", {**edit, "_continue": "1"})
    assert (status, headers["location"]) == (303, f"/admin/blog/post/{new_id}")
    changed = log_rows(backend, "change", new_id)
    assert changed[-1]["changes"] == {"title": [form["title"], "Renamed"], "published": [True, False],
                                      "status": ["live", "draft"]}
    history = get(jar, f"/admin/blog/post/{new_id}/history")
    assert "Renamed" in history and "&lt;script&gt;" in history and history.count('class="entry ') == 2
    log = get(jar, "/admin/log?q=boss+renamed")
    assert totals(log) == 1 and f'href="/admin/blog/post/{new_id}/history"' in log
    assert totals(get(jar, "/admin/log?q=ADD+alert")) == 1 and totals(get(jar, "/admin/log?q=nobody")) == 0

    # -- delete through a confirmation page listing the cascade ----------------------------------
    cat_posts = backend.query("SELECT COUNT(*) FROM post WHERE category_id = 3")[0][0]
    confirm = get(jar, "/admin/blog/category/3/delete")
    assert f"{cat_posts} Post</strong> rows" in confirm and "deleted" in confirm
    user_page = get(jar, "/admin/user/user/2/delete")
    assert "unlinked" in user_page                                  # SET NULL foreign key
    assert jar.request("POST", "/admin/blog/category/3/delete", {})[0] == 403
    status, headers, _ = jar.request("POST", "/admin/blog/category/3/delete", {"csrf_token": token})
    assert (status, headers["location"]) == (303, "/admin/blog/category")
    assert backend.query("SELECT COUNT(*) FROM post WHERE category_id = 3")[0][0] == 0
    assert backend.query("SELECT COUNT(*) FROM wolfpy_admin_log WHERE action = 'delete' AND model = 'blog.Category'"
                         )[0][0] == 1

    # -- bulk actions ----------------------------------------------------------------------------
    ids = [str(i) for i in (10, 11, 13)]
    status, _, text = jar.request("POST", "/admin/blog/post/action", pairs({"action": "delete_selected", "ids": ids,
                                                                      "csrf_token": token, "back": "?q=post"}))
    assert status == 200 and "Delete 3 Post rows?" in text and "Post 00011" in text
    assert backend.query("SELECT COUNT(*) FROM post WHERE id IN (10, 11, 13)")[0][0] == 3
    form_ids = re.findall(r'name="ids" value="(\d+)"', text)
    status, headers, _ = jar.request("POST", "/admin/blog/post/action", pairs({
        "action": "delete_selected", "ids": form_ids, "confirm": "yes", "csrf_token": token, "back": "?q=post"}))
    assert (status, headers["location"]) == (303, "/admin/blog/post?q=post")
    assert backend.query("SELECT COUNT(*) FROM post WHERE id IN (10, 11, 13)")[0][0] == 0
    assert [r["changes"]["title"] for r in log_rows(backend, "delete", 11)] == [["Post 00011", None]]
    status, headers, _ = jar.request("POST", "/admin/blog/post/action", pairs({"action": "publish", "ids": ["15", "17"],
                                                                         "csrf_token": token}))
    assert status == 303 and backend.query("SELECT COUNT(*) FROM post WHERE id IN (15, 17) AND published = ?",
                                           True)[0][0] == 2
    assert log_rows(backend, "change", 15)[-1]["changes"] == {"published": [False, True]}
    for bad in ({"action": "drop_table", "ids": ["15"]}, {"action": "publish", "ids": ["x"]},
                {"action": "publish", "ids": ["1" * 30]}):
        assert jar.request("POST", "/admin/blog/post/action", pairs({**bad, "csrf_token": token}))[0] == 400, bad
    assert jar.request("POST", "/admin/blog/post/action", pairs({"action": "publish", "ids": ["15"]}))[0] == 403
    status, headers, _ = jar.request("POST", "/admin/blog/post/action", pairs({
        "action": "publish", "ids": ["15"], "csrf_token": token, "back": "?q=a\r\nSet-Cookie: x=1"}))
    assert (status, headers["location"]) == (303, "/admin/blog/post?q=a%0D%0ASet-Cookie%3A+x%3D1")
    status, headers, _ = jar.request("POST", "/admin/blog/post/action", pairs({
        "action": "publish", "ids": ["15"], "csrf_token": token, "back": "//evil.example/"}))
    assert (status, headers["location"]) == (303, "/admin/blog/post")

    # -- a user's password, set through the admin: stored hashed, logged without the hash ------
    user_form = get(jar, "/admin/user/user/1")
    assert 'type="password"' in user_form and "$argon2" not in user_form
    created = re.search(r'value="([^"]+)"[^>]*id="f-created"', user_form).group(1)  # type: ignore[union-attr]
    status, _, _ = jar.request("POST", "/admin/user/user/1", {"username": "joe", "email": "joe@example.com",
                                                              "password_hash": "a brand new secret", "is_active": "1",
                                                              "email_confirmed": "1",
                                                              "created": created, "csrf_token": token})
    assert status == 303
    (stored,), = backend.query("SELECT password_hash FROM \"user\" WHERE id = 1")
    assert stored.startswith("$argon2")
    (changes,), = backend.query("SELECT changes FROM wolfpy_admin_log WHERE model = 'user.User' AND action = 'change'")
    logged = json.loads(changes)
    assert set(logged) == {"email", "password_hash"} and stored not in changes
    assert all(v.startswith("******** ") for v in logged["password_hash"])
    signed_in_jar = Jar(server)
    login_token = signed_in_jar.csrf("/admin/login")
    assert signed_in_jar.request("POST", "/admin/login", {"username": "joe", "password": "a brand new secret",
                                                          "csrf_token": login_token})[0] == 303

    # -- CSV export of the filtered list, streamed, in flat memory ---------------------------------
    remaining = backend.query("SELECT COUNT(*) FROM post")[0][0]
    before_kb = rss_kb(server)
    status, headers, text = jar.request("GET", "/admin/blog/post/export.csv?o=views")
    after_kb = rss_kb(server)
    assert status == 200 and headers["content-type"].startswith("text/csv")
    assert "content-length" not in headers                                   # streamed in chunks
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["id", "title", "body", "published", "status", "views", "created", "author", "category"]
    assert len(rows) - 1 == remaining and [r[1] for r in rows[1:3]] == ["Renamed", "Wolf Pack ALPHA"]
    assert "password_hash" not in get(jar, "/admin/user/user/export.csv")
    assert after_kb - before_kb < 30_000, (before_kb, after_kb)               # generous: 30 MB
    filtered = list(csv.reader(io.StringIO(get(jar, "/admin/blog/post/export.csv?q=wolf&o=title"))))
    assert [r[1] for r in filtered[1:]] == ["Lone wolf", "Wolf Pack ALPHA"]

    # -- metrics -----------------------------------------------------------------------------------
    metrics = get(jar, "/admin/metrics")
    assert "<svg" in metrics and "admin:changelist" in metrics and "p95 ms" in metrics
    assert 'id="realtime">' in metrics
    count = int(re.search(r'id="total-requests">(\d+)<', metrics).group(1))  # type: ignore[union-attr]
    assert count > 40


@pytest.fixture(scope="module")
def sqlite_backend(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Backend]:
    root = tmp_path_factory.mktemp("admin-sqlite")
    project = make_admin_project(root, "adminsite", {})
    server = Server("gunicorn", project, root / "logs", server_env())
    try:
        server.start().wait_ready()
        yield Backend("sqlite", server, project, {}, sqlite_connect(project), "?")
    finally:
        server.stop()


def test_admin_over_http_on_sqlite(sqlite_backend: Backend) -> None:
    admin_flow(sqlite_backend)
    assert "Traceback" not in sqlite_backend.server.stderr()


@pytest.fixture(scope="module")
def postgres_backend(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Backend]:
    import psycopg2

    pg_url = service_url("postgres")
    name = f"wolfpy_admin_e2e_{secrets.token_hex(4)}"
    admin = psycopg2.connect(pg_url)
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(f'CREATE DATABASE "{name}"')
    parts = urlsplit(pg_url)
    db_url = urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, ""))
    server = None
    try:
        root = tmp_path_factory.mktemp("admin-pg")
        env = {"DATABASE_URL": db_url}
        project = make_admin_project(root, "adminpg", env)
        server = Server("uvicorn", project, root / "logs", server_env(DATABASE_URL=db_url))
        server.start().wait_ready()
        yield Backend("postgres", server, project, env, lambda: psycopg2.connect(db_url), "%s")
    finally:
        if server is not None:
            server.stop()
        with admin.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def test_admin_over_http_on_postgres(postgres_backend: Backend) -> None:
    admin_flow(postgres_backend)
    assert "Traceback" not in postgres_backend.server.stderr()
