"""What ``wolfpy db`` refuses, asks, and warns about: drops, narrowing, NOT NULL, renames."""
from __future__ import annotations

import pytest

from tests.db.conftest import MODELS
from wolfpy.cli.commands import db as db_command

NO_PUBLISHED = MODELS.replace("        published = BooleanField(default=False)\n", "")
RENAMED = MODELS.replace("body = TextField()", "content = TextField()")


def answer(monkeypatch, *answers):
    """Pretend a terminal is attached and answer the prompts in order."""
    replies = list(answers)
    asked = []

    def confirm(text, default=False, **kw):
        asked.append(text)
        return replies.pop(0)

    monkeypatch.setattr(db_command, "_interactive", lambda: True)
    monkeypatch.setattr(db_command.typer, "confirm", confirm)
    return asked


def seed(project):
    q = project.q
    project.execute(f"INSERT INTO {q('user')} ({q('name')}) VALUES ('ada')",
                    f"INSERT INTO {q('post')} ({q('author_id')}, {q('title')}, {q('body')}) "
                    "VALUES (1, 'hello', 'world')")


def test_dropping_a_column_needs_yes(sqlite_project, monkeypatch):
    p = sqlite_project
    p.ok("db", "migrate")
    seed(p)
    before = p.schema()
    p.models(NO_PUBLISHED)

    r = p.cli("db", "migrate")  # no terminal, no --yes: refused, one line
    assert r.code == 1 and r.err.strip().count("\n") == 0
    assert r.error_line == ("error: refusing to migrate without --yes: 0002_remove_post_published: "
                            "drops column post.published and its data")
    assert p.migrations() == ["0001_initial.py"] and p.schema() == before

    asked = answer(monkeypatch, False)  # a terminal, and the answer is no
    r = p.cli("db", "migrate")
    assert r.code == 1 and "aborted; nothing was changed" in r.error_line
    assert asked == ["Continue?"] and "drops column post.published" in r.out
    assert p.migrations() == ["0001_initial.py"] and p.schema() == before

    answer(monkeypatch, True)
    p.ok("db", "migrate")
    assert "published" not in p.columns("post")
    monkeypatch.setattr(db_command, "_interactive", lambda: False)
    p.models(MODELS.replace("class Post", "class Comment(Model):\n        text = TextField()\n\n    class Post"))
    p.ok("db", "migrate")
    p.models(NO_PUBLISHED)
    r = p.cli("db", "migrate")
    assert r.code == 1 and "drops table comment and all its rows" in r.error_line
    p.ok("db", "migrate", "--yes")
    assert "comment" not in p.schema()


@pytest.mark.parametrize("change, reason", [
    ('title = CharField(max_length=50)', "changes post.title from varchar(200) to varchar(50)"),
    ('title = TextField()\n        score = CharField(max_length=10)',
     "adds NOT NULL column post.score without a default"),
])
def test_narrowing_and_not_null_without_default_need_yes(sqlite_project, change, reason):
    p = sqlite_project
    p.ok("db", "migrate")
    p.models(MODELS.replace("title = CharField(max_length=200)", change))
    r = p.cli("db", "migrate")
    assert r.code == 1 and reason in r.error_line and "--yes" in r.error_line


def test_not_null_without_default_on_a_table_with_rows_is_refused_before_any_change(sqlite_project):
    p = sqlite_project
    p.ok("db", "migrate")
    seed(p)
    before = p.schema()
    p.models(MODELS + "        score = CharField(max_length=10)\n")
    r = p.cli("db", "migrate", "--yes")
    assert r.code == 1
    assert r.error_line == ("error: 0002_add_post_score: refused before any change: post has rows, "
                            "and post.score is NOT NULL without a default: give it a default or null=True; "
                            "removed migrations/0002_add_post_score.py, which this run wrote")
    assert p.schema() == before and p.applied() == ["0001_initial"]
    assert p.migrations() == ["0001_initial.py"]


def test_widening_and_relaxing_do_not_ask(sqlite_project):
    p = sqlite_project
    p.ok("db", "migrate")
    p.models(MODELS.replace("max_length=200", "max_length=250").replace("body = TextField()",
                                                                         "body = TextField(null=True)"))
    r = p.ok("db", "migrate")
    assert "applied 0002_alter_post_title_alter_post_body" in r.out


def test_a_rename_is_never_guessed(sqlite_project, monkeypatch):
    p = sqlite_project
    p.ok("db", "migrate")
    seed(p)
    p.models(RENAMED)

    r = p.cli("db", "migrate")
    assert r.code == 1
    assert "warning: post.body went away and post.content appeared with the same definition: " \
           "to keep the data, pass --rename post.body:content" in r.err
    assert "(or keep the data with --rename post.body:content)" in r.error_line
    assert p.migrations() == ["0001_initial.py"]

    asked = answer(monkeypatch, True)  # a terminal: asked, and it was a rename
    r = p.ok("db", "migrate")
    assert asked == ["Did you rename post.body to content? (no: drop body with its data, add content)"]
    assert 'RenameColumn("post", "body", "content")' in p.migration("0002")
    q = p.q
    assert p.query(f"SELECT {q('content')} FROM {q('post')}") == [("world",)]


def test_rename_flag_and_yes_without_it(sqlite_project):
    p = sqlite_project
    p.ok("db", "migrate")
    seed(p)
    p.models(RENAMED)
    r = p.cli("db", "migrate", "--rename", "nope:content")
    assert r.code == 1 and "--rename nope:content: no table had a column 'nope'" in r.error_line
    p.ok("db", "migrate", "--rename", "body:content")
    q = p.q
    assert p.query(f"SELECT {q('content')} FROM {q('post')}") == [("world",)]

    p.models(RENAMED.replace("content = TextField()", "text = TextField(default='')"))
    p.ok("db", "migrate", "--rename", "post.content:text")  # a rename and a new default
    text = p.migration("0003")
    assert 'RenameColumn("post", "content", "text")' in text and 'AlterColumn("post", "text", default="")' in text
    assert p.query(f"SELECT {q('text')} FROM {q('post')}") == [("world",)]

    p.models(RENAMED.replace("content = TextField()", "words = TextField(default='')"))
    r = p.ok("db", "migrate", "--yes")  # said yes, but never said rename: drop and add, with a note
    assert "--rename post.text:words" in r.err
    text = p.migration("0004")
    assert "# post.text -> words looked like a rename" in text
    assert "#     wolfpy db migrate --rename post.text:words" in text
    assert p.query(f"SELECT {q('words')} FROM {q('post')}") == [("",)]


IRREVERSIBLE = """
    from wolfpy.db.migrations import RunSQL

    operations = [RunSQL("UPDATE post SET title = upper(title)")]
"""


def test_an_irreversible_migration_refuses_rollback_before_touching_anything(sqlite_project):
    p = sqlite_project
    p.ok("db", "migrate")
    seed(p)
    p.write("migrations/0002_shout.py", IRREVERSIBLE)
    p.ok("db", "migrate")
    before = p.schema()
    q = p.q
    assert p.query(f"SELECT {q('title')} FROM {q('post')}") == [("HELLO",)]
    r = p.cli("db", "rollback", "--yes")
    assert r.code == 1
    assert r.error_line == ("error: 0002_shout cannot be rolled back: operation 1: RunSQL("
                            "'UPDATE post SET title = upper(title)') has no reverse_sql")
    assert p.applied() == ["0001_initial", "0002_shout"] and p.schema() == before

    p.write("migrations/0002_shout.py", IRREVERSIBLE.replace(
        ')]', ', reverse_sql="UPDATE post SET title = lower(title)")]'))
    p.ok("db", "rollback")
    assert p.query(f"SELECT {q('title')} FROM {q('post')}") == [("hello",)]
    assert p.applied() == ["0001_initial"]


def test_callable_defaults_fill_existing_rows(project):
    project.ok("db", "migrate")
    seed(project)
    project.models(MODELS.replace("from wolfpy.db import Model,",
                                  "import datetime\n    from wolfpy.db import DateTimeField, Model,")
                   + "        created = DateTimeField(default=datetime.datetime.now)\n")
    r = project.ok("db", "migrate")
    assert "add column post.created datetime" in r.out
    assert "backfill=" in project.migration("0002")
    q = project.q
    (value,), = project.query(f"SELECT {q('created')} FROM {q('post')}")
    assert value is not None and str(value)[:2] == "20"
    project.ok("db", "rollback", "--yes")
    assert "created" not in project.columns("post")


def test_status_shows_model_changes_and_missing_files(sqlite_project):
    p = sqlite_project
    r = p.ok("db", "status")
    assert "no migrations yet" in r.out and "0 applied, 0 pending" in r.out
    assert "the models have 2 change(s) not in a migration yet" in r.out
    p.ok("db", "migrate")
    p.models(MODELS + "        subtitle = CharField(max_length=100, null=True)\n")
    p.ok("db", "migrate")
    (p.root / "migrations" / "0002_add_post_subtitle.py").unlink()
    r = p.ok("db", "status")
    assert "[?] 0002_add_post_subtitle" in r.out and "(file missing)" in r.out
    r = p.cli("db", "rollback", "--yes")
    assert r.code == 1 and "migrations/0002_add_post_subtitle.py is missing" in r.error_line


def test_errors_are_one_line(sqlite_project, tmp_path, monkeypatch):
    p = sqlite_project
    p.write("migrations/0001_a.py", "operations = []\n")
    p.write("migrations/0001_b.py", "operations = []\n")
    r = p.cli("db", "migrate")
    assert r.code == 1 and r.err.count("\n") == 1
    assert r.error_line == "error: migrations/ has 2 branches, ending in 0001_a and 0001_b: run `wolfpy db migrate --merge` to join them"
    (p.root / "migrations" / "0001_b.py").unlink()
    p.write("migrations/notes.py", "x = 1\n")
    r = p.cli("db", "status")
    assert r.code == 1 and "migrations/notes.py: not a migration name" in r.error_line
    (p.root / "migrations" / "notes.py").unlink()
    p.write("migrations/0002_bad.py", "operations = [\n")
    r = p.cli("db", "migrate")
    assert r.code == 1 and r.error_line.startswith("error: migrations/0002_bad.py: SyntaxError:")
    p.write("migrations/0002_bad.py", 'from wolfpy.db.migrations import DropColumn\n'
                                      'operations = [DropColumn("ghost", "x")]\n')
    r = p.cli("db", "migrate")
    assert r.error_line == "error: 0002_bad: operation 1 (DropColumn): DropColumn: no table 'ghost'"
    (p.root / "migrations" / "0002_bad.py").unlink()

    monkeypatch.setenv("DATABASE_URL", "postgresql://nobody:secret@127.0.0.1:1/none")
    r = p.cli("db", "status")
    assert r.code == 1 and r.err.count("\n") == 1 and "secret" not in r.err
    assert r.error_line.startswith("error: database error (postgresql://nobody:********@127.0.0.1:1/none): ")

    monkeypatch.chdir(tmp_path)
    r = p.cli("db", "migrate")
    assert r.code == 1 and "no wolfpy.toml found" in r.error_line
