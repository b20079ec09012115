"""Migrations made on two branches of the code, joined with ``wolfpy db migrate --merge``;
and a migration that ``wolfpy db migrate`` writes but cannot apply. The real CLI, on
SQLite, PostgreSQL and MySQL."""
from __future__ import annotations

import re

import pytest

from tests.db.conftest import MODELS
from wolfpy.db.migrations.merge import Clash, union
from wolfpy.db.migrations.state import normalize

# Two branches made from the same base: ours adds a column, theirs adds another and
# widens `title` (on SQLite that rebuilds the table, so it must keep our column).
OURS = MODELS + "        subtitle = CharField(max_length=100, null=True)\n"
THEIRS = (MODELS.replace("ForeignKeyField\n", "ForeignKeyField, IntegerField\n")
          .replace("max_length=200", "max_length=300") + "        views = IntegerField(default=0)\n")
MERGED = THEIRS + "        subtitle = CharField(max_length=100, null=True)\n"


def branch_off(p, *, legacy: bool = False) -> tuple[str, str]:
    """Apply the base and our branch; put their branch's migration beside ours, as
    `git merge` does, with the models of both. Returns (ours, theirs) migration names."""
    p.ok("db", "migrate")
    # Their branch: its migration is written on the same base (then it leaves this checkout).
    p.models(THEIRS)
    p.ok("db", "migrate", "--yes")
    theirs = p.migrations()[-1]
    text = p.migration(theirs[:-3])
    p.ok("db", "rollback", "--yes")
    (p.root / "migrations" / theirs).unlink()
    # Our branch: written and applied here, with a row that uses our column.
    p.models(OURS)
    p.ok("db", "migrate")
    ours = p.migrations()[-1]
    q = p.q
    p.execute(f"INSERT INTO {q('user')} ({q('name')}) VALUES ('ada')",
              f"INSERT INTO {q('post')} ({q('author_id')}, {q('title')}, {q('body')}, {q('subtitle')}) "
              "VALUES (1, 'hello', 'world', 'kept')")
    # git merge: their file arrives, the models have both changes.
    p.write(f"migrations/{theirs}", text)
    p.models(MERGED)
    if legacy:  # files written before WolfPy recorded what each migration follows
        for name in p.migrations():
            path = p.root / "migrations" / name
            source = path.read_text()
            assert "\ndependencies = [" in source
            path.write_text(re.sub(r"\ndependencies = \[[^\]]*\]\n", "\n", source))
    assert ours[:4] == theirs[:4] == "0002" and ours != theirs
    return ours[:-3], theirs[:-3]


def test_branches_are_joined_by_a_merge_migration(project):
    p = project
    ours, theirs = branch_off(p)
    files = p.migrations()

    # Both `migrate` and `status` stop at the fork, with one line that says what to run.
    r = p.cli("db", "migrate")
    assert r.code == 1 and r.err.count("\n") == 1, r.err
    assert r.error_line == (f"error: migrations/ has 2 branches, ending in {ours} and {theirs}: "
                            "run `wolfpy db migrate --merge` to join them")
    assert p.migrations() == files and p.applied() == ["0001_initial", ours]
    r = p.cli("db", "status")
    assert r.code == 1 and r.error_line.endswith("run `wolfpy db migrate --merge` to join them")
    assert f"[X] {ours}" in r.out and f"[ ] {theirs}" in r.out
    assert "renumber" not in r.err + r.out

    # --dry-run shows the merge and their SQL, and changes nothing.
    r = p.ok("db", "migrate", "--merge", "--dry-run")
    assert re.search(r"-- would write migrations/0003_merge_\w+\.py", r.out), r.out
    assert p.migrations() == files and "views" not in p.columns("post")

    r = p.ok("db", "migrate", "--merge")
    merge = re.search(r"wrote migrations/(0003_merge_\w+)\.py", r.out).group(1)
    assert f"applied {theirs}" in r.out and f"applied {merge}" in r.out
    assert r.out.index(f"applied {theirs}") < r.out.index(f"applied {merge}")
    text = p.migration("0003")
    assert f'dependencies = ["{ours}", "{theirs}"]' in text
    assert '"subtitle": {' in text and '"views": {' in text   # the state of both branches
    assert {"subtitle", "views"} <= set(p.columns("post"))
    assert p.applied() == ["0001_initial", ours, theirs, merge]
    q = p.q
    assert p.query(f"SELECT {q('subtitle')}, {q('views')} FROM {q('post')}") == [("kept", 0)]

    r = p.ok("db", "status")
    assert "4 applied, 0 pending" in r.out and r.err == ""
    assert "not in a migration" not in r.out and "disagree" not in r.out
    r = p.ok("db", "migrate")
    assert "wrote" not in r.out and "nothing to apply" in r.out
    assert p.migrations() == sorted(files + [merge + ".py"])

    # Rolling back the merge leaves both branches applied; migrate applies it again.
    r = p.ok("db", "rollback")
    assert f"reversed {merge}" in r.out and {"subtitle", "views"} <= set(p.columns("post"))
    assert f"[ ] {merge}" in p.ok("db", "status").out
    assert f"applied {merge}" in p.ok("db", "migrate").out
    # Further back: their migration is reversed with our column in place (and its data).
    p.ok("db", "rollback", "--steps", "2", "--yes")
    assert "views" not in p.columns("post") and "subtitle" in p.columns("post")
    assert p.query(f"SELECT {q('subtitle')} FROM {q('post')}") == [("kept",)]
    assert p.applied() == ["0001_initial", ours]
    # ... and forwards again: their migration and the merge.
    r = p.ok("db", "migrate")
    assert f"applied {theirs}" in r.out and f"applied {merge}" in r.out and "wrote" not in r.out
    assert p.query(f"SELECT {q('subtitle')}, {q('views')} FROM {q('post')}") == [("kept", 0)]


def test_branches_of_older_files_without_dependencies(sqlite_project):
    p = sqlite_project
    ours, theirs = branch_off(p, legacy=True)
    r = p.cli("db", "migrate")
    assert r.code == 1 and "run `wolfpy db migrate --merge`" in r.error_line
    r = p.ok("db", "migrate", "--merge")
    assert f"applied {theirs}" in r.out and "applied 0003_merge_" in r.out
    assert {"subtitle", "views"} <= set(p.columns("post"))
    assert "0 pending" in p.ok("db", "status").out
    assert "nothing to apply" in p.ok("db", "migrate").out


def test_merge_then_model_changes_in_one_run(sqlite_project):
    p = sqlite_project
    ours, theirs = branch_off(p)
    p.models(MERGED + "        rating = IntegerField(null=True)\n")
    r = p.ok("db", "migrate", "--merge")
    assert "wrote migrations/0003_merge_" in r.out and "wrote migrations/0004_add_post_rating.py" in r.out
    assert "dependencies = [\"0003_merge_" in p.migration("0004")
    assert {"subtitle", "views", "rating"} <= set(p.columns("post"))
    assert "nothing to apply" in p.ok("db", "migrate").out


def test_merge_without_branches_just_migrates(sqlite_project):
    p = sqlite_project
    r = p.ok("db", "migrate", "--merge")
    assert "nothing to merge" in r.out and "applied 0001_initial" in r.out


def test_conflicting_changes_to_one_column_are_refused(sqlite_project):
    p = sqlite_project
    p.ok("db", "migrate")
    p.models(MODELS.replace("max_length=200", "max_length=300"))
    p.ok("db", "migrate", "--name", "longer_title")
    theirs = p.migrations()[-1]
    text = p.migration(theirs[:-3])
    p.ok("db", "rollback", "--yes")
    (p.root / "migrations" / theirs).unlink()
    p.models(MODELS.replace("title = CharField(max_length=200)", "title = TextField()"))
    p.ok("db", "migrate", "--yes", "--name", "title_text")
    ours = p.migrations()[-1]
    p.write(f"migrations/{theirs}", text)
    files = p.migrations()

    r = p.cli("db", "migrate", "--merge")
    assert r.code == 1 and r.err.count("\n") == 1, r.err
    assert r.error_line.startswith(f"error: cannot merge: both branches change post.title, in "
                                   f"migrations/{theirs} and migrations/{ours}; ")
    assert p.migrations() == files and p.applied() == ["0001_initial", ours[:-3]]


def test_a_table_dropped_on_one_branch_and_changed_on_the_other_is_refused(sqlite_project):
    p = sqlite_project
    p.ok("db", "migrate")
    p.write("migrations/0002_drop_post.py", """
        from wolfpy.db.migrations import DropTable
        dependencies = ["0001_initial"]
        operations = [DropTable("post")]
    """)
    p.write("migrations/0002_post_rating.py", """
        from wolfpy.db.migrations import AddColumn
        dependencies = ["0001_initial"]
        operations = [AddColumn("post", "rating", {"type": "integer", "null": True})]
    """)
    r = p.cli("db", "migrate", "--merge")
    assert r.code == 1 and r.error_line.startswith(
        "error: cannot merge: both branches change table post, in migrations/0002_drop_post.py "
        "and migrations/0002_post_rating.py; ")


def test_bad_dependencies_are_one_line_errors(sqlite_project):
    p = sqlite_project
    p.ok("db", "migrate")
    p.write("migrations/0002_x.py", 'dependencies = ["0001_nope"]\noperations = []\n')
    r = p.cli("db", "status")
    assert r.code == 1 and r.error_line == ("error: migrations/0002_x.py: depends on 0001_nope, "
                                            "which is not in migrations/")
    p.write("migrations/0002_x.py", 'dependencies = ["0002_x"]\noperations = []\n')
    r = p.cli("db", "migrate")
    assert r.code == 1 and r.error_line == ("error: migrations/0002_x.py: depends on 0002_x, "
                                            "which is not numbered lower")


def test_a_written_migration_that_fails_is_removed(project):
    """A unique index over duplicate data: the database refuses it, the file goes away."""
    p = project
    p.ok("db", "migrate")
    q = p.q
    p.execute(f"INSERT INTO {q('user')} ({q('name')}) VALUES ('ada')",
              *[f"INSERT INTO {q('post')} ({q('author_id')}, {q('title')}, {q('body')}) "
                "VALUES (1, 'same', 'x')" for _ in range(2)])
    before = p.schema()
    p.models(MODELS.replace("title = CharField(max_length=200)",
                            "title = CharField(max_length=200, unique=True)"))
    r = p.cli("db", "migrate")
    assert r.code == 1, r.out
    assert "wrote migrations/0002_" in r.out
    written = re.search(r"wrote (migrations/0002_\w+\.py)", r.out).group(1)
    assert p.migrations() == ["0001_initial.py"]          # the failed file is gone
    assert p.applied() == ["0001_initial"]
    assert p.schema() == before
    line = r.error_line
    assert line.startswith(f"error: {written[11:-3]} failed at operation 1 of 1 (add unique index")
    assert line.endswith(f"; removed {written}, which this run wrote")
    if p.backend == "mysql":   # nothing of it ran, and the report says so
        assert "applied before the failure (MySQL cannot roll back DDL):\n  nothing" in r.err
    else:
        assert "rolled back, the schema is unchanged" in line and r.err.count("\n") == 1

    # Fix the data: the same command writes and applies it.
    p.execute(f"UPDATE {q('post')} SET {q('title')} = 'other' WHERE {q('id')} = 2")
    r = p.ok("db", "migrate")
    assert f"wrote {written}" in r.out and p.applied() == ["0001_initial", written[11:-3]]


def test_a_renumbered_migration_is_recovered_by_naming_its_parent(sqlite_project):
    """Older WolfPy advised renumbering one of two files with one number. Such a file's
    `state` lacks the other branch's changes: the migration `migrate` then writes to add
    them again fails, and is removed; naming the file's real parent lets --merge join them."""
    p = sqlite_project
    ours, theirs = branch_off(p, legacy=True)
    renumbered = "0003" + theirs[4:]
    (p.root / "migrations" / f"{theirs}.py").rename(p.root / "migrations" / f"{renumbered}.py")
    r = p.cli("db", "migrate")
    assert r.code == 1 and f"applied {renumbered}" in r.out and "wrote migrations/0004_add_post_subtitle.py" in r.out
    assert r.error_line.startswith("error: 0004_add_post_subtitle failed at operation 1 of 1 (add column post.subtitle")
    assert r.error_line.endswith("; removed migrations/0004_add_post_subtitle.py, which this run wrote")
    assert p.migrations() == ["0001_initial.py", f"{ours}.py", f"{renumbered}.py"]
    assert "(state and operations disagree)" in p.ok("db", "status").out

    path = p.root / "migrations" / f"{renumbered}.py"
    path.write_text('dependencies = ["0001_initial"]\n' + path.read_text())
    r = p.cli("db", "migrate")
    assert r.code == 1 and "run `wolfpy db migrate --merge`" in r.error_line
    r = p.ok("db", "migrate", "--merge")
    assert "wrote migrations/0004_merge_" in r.out and "wrote migrations/0005" not in r.out
    r = p.ok("db", "status")
    assert "disagree" not in r.out and "not in a migration" not in r.out and "0 pending" in r.out
    assert "nothing to apply" in p.ok("db", "migrate").out
    assert p.query('SELECT "subtitle", "views" FROM "post"') == [("kept", 0)]


def test_an_applied_migration_that_follows_a_pending_one_is_refused(sqlite_project):
    p = sqlite_project
    p.ok("db", "migrate")
    p.models(OURS)
    p.ok("db", "migrate")
    p.models(MERGED)
    p.ok("db", "migrate")
    second, third = p.applied()[1:]
    p.execute(f"DELETE FROM wolfpy_migrations WHERE name = '{second}'")
    r = p.cli("db", "migrate")
    assert r.code == 1 and r.error_line == (
        f"error: {second} is not applied but {third}, which follows it, is: roll back to before "
        f"{second} with `wolfpy db rollback`, then run `wolfpy db migrate`")


def _state(**tables):
    return normalize({name: {"columns": cols, "indexes": idx} for name, (cols, idx) in tables.items()})


BASE = {"user": ({"id": {"type": "auto", "primary_key": True}, "name": "text"}, []),
        "post": ({"id": {"type": "auto", "primary_key": True}, "title": "text", "body": "text",
                  "author_id": {"type": "integer", "fk": "user"}}, [])}


def _with(**changes):
    state = {name: (dict(cols), list(idx)) for name, (cols, idx) in BASE.items()}
    for name, change in changes.items():
        if change is None:
            del state[name]
        else:
            state[name] = change
    return _state(**state)


def test_union_joins_columns_and_indexes_of_both_sides():
    base = _with()
    cols = BASE["post"][0]
    ours = _with(post=({**cols, "rating": "integer"}, [{"columns": ["title", "body"]}]))
    theirs = _with(post=({k: v for k, v in cols.items() if k != "body"} | {"views": "integer"}, []),
                   tag=({"id": {"type": "auto", "primary_key": True}}, []))
    with pytest.raises(Clash) as info:   # our index covers the column they drop
        union(base, [ours, theirs])
    assert str(info.value) == "both branches change post.body" and (info.value.first, info.value.second) == (0, 1)

    ours = _with(post=({**cols, "rating": "integer"}, [{"columns": ["title", "author_id"]}]))
    joined = union(base, [ours, theirs])
    assert set(joined) == {"user", "post", "tag"}
    assert list(joined["post"]["columns"]) == ["id", "title", "author_id", "rating", "views"]
    assert joined["post"]["indexes"] == [{"columns": ["title", "author_id"], "unique": False}]


def test_union_refuses_a_dropped_table_that_the_other_side_references():
    cols = BASE["post"][0]
    ours = _with(post=({**cols, "editor_id": {"type": "integer", "null": True, "fk": "user"}}, []))
    theirs = _with(post=({k: v for k, v in cols.items() if k != "author_id"}, []), user=None)
    with pytest.raises(Clash) as info:
        union(_with(), [ours, theirs])
    assert str(info.value) == "both branches change table user"
    same = _with(post=({**cols, "rating": "integer"}, []))
    with pytest.raises(Clash, match="both branches change post.rating"):
        union(_with(), [same, same])   # both would add it: the second would fail
