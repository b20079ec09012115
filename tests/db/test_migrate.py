"""``wolfpy db`` end to end on SQLite, PostgreSQL and MySQL: the real CLI, real databases."""
from __future__ import annotations

import threading
import time

import pytest

from tests.db.conftest import BACKENDS, MODELS, run_cli
from wolfpy.db.migrations import executor as executor_module
from wolfpy.db.migrations.locks import migration_lock

V2 = """
    from wolfpy.db import Model, CharField, TextField, BooleanField, ForeignKeyField

    class User(Model):
        name = CharField(max_length=100, unique=True)

    class Post(Model):
        writer = ForeignKeyField(User, backref="posts", on_delete="CASCADE")
        title = CharField(max_length=300)
        body = TextField(null=True, default="-")
        published = BooleanField(default=True)
        subtitle = CharField(max_length=100, default="")
        editor = ForeignKeyField(User, null=True, backref="edited")

        class Meta:
            indexes = ((("title", "published"), False),)
"""


def test_migrate_writes_0001_then_0002_status_and_rollback(project):
    r = project.ok("db", "migrate")
    assert "wrote migrations/0001_initial.py" in r.out and "applied 0001_initial" in r.out
    assert project.migrations() == ["0001_initial.py"]
    text = project.migration("0001")
    assert 'CreateTable("user"' in text and 'CreateTable("post"' in text and "\nstate = {" in text
    assert project.applied() == ["0001_initial"]
    v1 = project.schema()
    assert set(v1) == {"user", "post"}
    assert project.columns("post") == ["id", "author_id", "title", "body", "published"]
    assert ("author_id", "user", "id") in v1["post"]["fks"]
    q = project.q
    project.execute(f"INSERT INTO {q('user')} ({q('name')}) VALUES ('ada')",
                    f"INSERT INTO {q('post')} ({q('author_id')}, {q('title')}, {q('body')}) "
                    "VALUES (1, 'hello', 'world')")

    # Nothing changed: nothing written, nothing applied.
    r = project.ok("db", "migrate")
    assert "nothing to apply" in r.out and project.migrations() == ["0001_initial.py"]

    # A new field: 0002.
    project.models(MODELS + "        subtitle = CharField(max_length=100, null=True)\n")
    r = project.ok("db", "migrate")
    assert "wrote migrations/0002_add_post_subtitle.py" in r.out and "applied 0002_add_post_subtitle" in r.out
    assert project.columns("post")[-1] == "subtitle"

    r = project.ok("db", "status")
    lines = r.out.splitlines()
    assert any(l.startswith("[X] 0001_initial") for l in lines)
    assert any(l.startswith("[X] 0002_add_post_subtitle") for l in lines)
    assert "2 applied, 0 pending" in r.out and "not in a migration" not in r.out

    # Rollback drops the column (data loss: --yes), touches nothing else.
    r = project.ok("db", "rollback", "--yes")
    assert "reversed 0002_add_post_subtitle" in r.out
    assert project.schema() == v1
    assert project.applied() == ["0001_initial"]
    assert project.query(f"SELECT {q('title')}, {q('body')} FROM {q('post')}") == [("hello", "world")]
    r = project.ok("db", "status")
    assert "[ ] 0002_add_post_subtitle" in r.out and "1 applied, 1 pending" in r.out

    # up -> down -> up, all the way.
    project.ok("db", "migrate")
    project.ok("db", "rollback", "--steps", "2", "--yes")
    assert project.schema() == {} and project.applied() == []
    project.ok("db", "migrate")
    assert project.applied() == ["0001_initial", "0002_add_post_subtitle"]
    assert project.columns("post") == ["id", "author_id", "title", "body", "published", "subtitle"]
    assert project.migrations() == ["0001_initial.py", "0002_add_post_subtitle.py"]


def test_alterations_round_trip_with_data(project):
    """Rename an FK column, widen a type, relax NULL, change a default, add an FK column,
    a NOT NULL column with a default and a two-column index; then back, then again."""
    project.ok("db", "migrate")
    v1 = project.schema()
    q = project.q
    project.execute(f"INSERT INTO {q('user')} ({q('name')}) VALUES ('ada')",
                    f"INSERT INTO {q('post')} ({q('author_id')}, {q('title')}, {q('body')}) "
                    "VALUES (1, 'hello', 'world')")
    project.models(V2)
    r = project.ok("db", "migrate", "--rename", "post.author_id:writer_id", "--name", "evolve")
    assert "wrote migrations/0002_evolve.py" in r.out
    text = project.migration("0002")
    assert 'RenameColumn("post", "author_id", "writer_id")' in text
    assert 'AlterColumn("post", "title", type="varchar(300)")' in text
    assert 'AddIndex("post", ["title", "published"])' in text
    v2 = project.schema()
    assert {c[0] for c in v2["post"]["columns"]} == {"id", "writer_id", "title", "body", "published",
                                                    "subtitle", "editor_id"}
    assert ("writer_id", "user", "id") in v2["post"]["fks"] and ("editor_id", "user", "id") in v2["post"]["fks"]
    assert ("post_title_published", ("title", "published"), False) in v2["post"]["indexes"]
    assert ("post_writer_id", ("writer_id",), False) in v2["post"]["indexes"]
    row = project.query(f"SELECT {q('writer_id')}, {q('title')}, {q('body')}, {q('subtitle')}, {q('editor_id')} "
                        f"FROM {q('post')}")
    assert row == [(1, "hello", "world", "", None)]
    # The new defaults are the database's: a raw INSERT gets them.
    project.execute(f"INSERT INTO {q('post')} ({q('writer_id')}, {q('title')}) VALUES (1, 'two')")
    assert project.query(f"SELECT {q('published')}, {q('subtitle')}, {q('body')} FROM {q('post')} "
                         f"WHERE {q('title')} = 'two'") in ([(True, "", "-")], [(1, "", "-")])
    project.execute(f"DELETE FROM {q('post')} WHERE {q('title')} = 'two'")
    assert project.ok("db", "migrate").out.strip().endswith("up to date")

    # Reversing makes body NOT NULL again and drops columns: it asks; --yes answers.
    r = project.cli("db", "rollback")
    assert r.code == 1 and "--yes" in r.error_line and "drops column post.editor_id" in r.error_line
    project.ok("db", "rollback", "--yes")
    assert project.schema() == v1
    assert project.query(f"SELECT {q('author_id')}, {q('title')}, {q('body')} FROM {q('post')}") == \
        [(1, "hello", "world")]
    project.ok("db", "migrate")
    assert project.schema() == v2


def test_dry_run_prints_sql_and_changes_nothing(project):
    r = project.ok("db", "migrate", "--dry-run")
    assert "-- would write migrations/0001_initial.py" in r.out
    assert "CREATE TABLE" in r.out and "wolfpy_migrations" in r.out
    assert project.migrations() == [] and project.schema() == {} and project.applied() == []
    if project.backend == "sqlite":
        assert not (project.root / "db.sqlite3").exists()
    else:
        # Only this test's own schema: the server may hold other projects' databases.
        own = "current_schema()" if project.backend == "postgresql" else "DATABASE()"
        assert project.query("SELECT COUNT(*) FROM information_schema.tables WHERE table_name = "
                             f"'wolfpy_migrations' AND table_schema = {own}") == [(0,)]

    project.ok("db", "migrate")
    before = project.schema()
    project.models(MODELS + "        subtitle = CharField(max_length=100, null=True)\n")
    r = project.ok("db", "migrate", "--dry-run")
    assert "-- would write migrations/0002_add_post_subtitle.py" in r.out
    assert "ADD COLUMN" in r.out and "subtitle" in r.out and "INSERT INTO" in r.out
    assert project.migrations() == ["0001_initial.py"] and project.schema() == before
    r = project.ok("db", "rollback", "--dry-run")
    assert "DROP TABLE" in r.out and project.schema() == before and project.applied() == ["0001_initial"]


BROKEN = """
    from wolfpy.db.migrations import AddColumn, RunSQL

    operations = [
        AddColumn("post", "subtitle", {"type": "varchar(100)", "null": True}),
        RunSQL("INSERT INTO no_such_table VALUES (1)"),
    ]
"""


def test_a_failing_migration_leaves_the_old_schema_or_says_what_was_applied(project):
    project.ok("db", "migrate")
    before = project.schema()
    project.write("migrations/0002_broken.py", BROKEN)
    project.models(MODELS + "        subtitle = CharField(max_length=100, null=True)\n")
    r = project.cli("db", "migrate")
    assert r.code == 1
    assert r.error_line.startswith("error: 0002_broken failed at operation 2 of 2 (run SQL")
    assert project.applied() == ["0001_initial"]
    if project.backend in ("sqlite", "postgresql"):
        assert "rolled back, the schema is unchanged" in r.error_line
        assert project.schema() == before
        assert r.err.strip().count("\n") == 0
    else:
        assert "subtitle" in project.columns("post")  # MySQL committed operation 1 ...
        assert "operation 1: add column post.subtitle varchar(100)" in r.err  # ... and says so
        undo = [line.strip() for line in r.err.splitlines() if line.startswith("  ALTER TABLE")]
        assert undo == ["ALTER TABLE `post` DROP COLUMN `subtitle`;"]
        project.execute(undo[0])
        assert project.schema() == before


def test_two_concurrent_migrates_apply_once(project, monkeypatch):
    # Both runs wait on the lock, which the test holds until both are there.
    waiting = []
    real_lock = executor_module.migration_lock

    def counting_lock(*args, **kwargs):
        waiting.append(threading.get_ident())
        return real_lock(*args, **kwargs)

    monkeypatch.setattr(executor_module, "migration_lock", counting_lock)
    codes = []
    holder = project.db()
    holder.connect()
    with migration_lock(holder, project.backend, timeout=5):
        threads = [threading.Thread(target=lambda: codes.append(run_cli("db", "migrate", "--yes")))
                   for _ in range(2)]
        for t in threads:
            t.start()
        deadline = time.monotonic() + 10
        while len(waiting) < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(0.1)
        assert len(waiting) == 2
    holder.close()
    for t in threads:
        t.join(30)
    out = project._capsys.readouterr().out
    assert codes == [0, 0]
    assert out.count("applied 0001_initial") == 1 and out.count("wrote migrations/") == 1
    assert "nothing to apply" in out
    assert project.applied() == ["0001_initial"] and project.migrations() == ["0001_initial.py"]


@pytest.mark.parametrize("backend", BACKENDS)
def test_init_creates_the_database_and_the_table(backend, empty_project, throwaway_url):
    url = None if backend == "sqlite" else throwaway_url(backend, create=False)
    proj = empty_project(backend, url)
    r = proj.ok("db", "init")
    assert "created database" in r.out and "created table wolfpy_migrations" in r.out
    if backend == "sqlite":
        assert (proj.root / "db.sqlite3").is_file() and (proj.root / "migrations").is_dir()
    else:
        assert ":********@" in r.out and "wolfpy:wolfpy@" not in r.out
    assert proj.applied() == [] and proj.query("SELECT COUNT(*) FROM wolfpy_migrations") == [(0,)]
    r = proj.ok("db", "init")
    assert "found database" in r.out and "found table wolfpy_migrations" in r.out
    proj.close()


RENAME_TABLE = """
    from wolfpy.db.migrations import RenameTable

    operations = [RenameTable("post", "article")]
"""


def test_a_hand_written_table_rename_round_trips(project):
    project.ok("db", "migrate")
    v1 = project.schema()
    q = project.q
    project.execute(f"INSERT INTO {q('user')} ({q('name')}) VALUES ('ada')",
                    f"INSERT INTO {q('post')} ({q('author_id')}, {q('title')}, {q('body')}) "
                    "VALUES (1, 'hello', 'world')")
    project.write("migrations/0002_rename_post.py", RENAME_TABLE)
    project.models(MODELS.replace("class Post(", "class Article("))
    r = project.ok("db", "migrate")
    assert "wrote" not in r.out and "applied 0002_rename_post" in r.out  # models and files agree
    schema = project.schema()
    assert set(schema) == {"user", "article"}
    assert ("article_author_id", ("author_id",), False) in schema["article"]["indexes"]
    assert project.query(f"SELECT {q('title')} FROM {q('article')}") == [("hello",)]
    project.ok("db", "rollback")
    assert project.schema() == v1
    assert project.query(f"SELECT {q('title')} FROM {q('post')}") == [("hello",)]
