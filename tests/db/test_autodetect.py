"""The pieces without a database: model state, the autodetector, SQL per backend, files."""
from __future__ import annotations

import peewee
import pytest

from wolfpy.db import (BigIntegerField, BlobField, BooleanField, CharField, DateField, DateTimeField,
                       DecimalField, FloatField, ForeignKeyField, IntegerField, Model, TextField,
                       UUIDField)
from wolfpy.db.migrations import (AddColumn, AddIndex, AlterColumn, CreateTable, DropColumn,
                                  DropIndex, DropTable, RenameColumn, RenameTable, RunSQL)
from wolfpy.db.migrations.autodetector import RenameHint, autodetect
from wolfpy.db.migrations.loader import MigrationLoader
from wolfpy.db.migrations.operations import IrreversibleError, OperationContext
from wolfpy.db.migrations.schema import editor_for
from wolfpy.db.migrations.state import column, equal, models_state, narrowing, table
from wolfpy.db.migrations.writer import write_migration
from wolfpy.errors import MigrationError


class JSONField(TextField):
    field_type = "JSON"


class Author(Model):
    name = CharField(max_length=80, unique=True)
    bio = TextField(null=True)
    karma = IntegerField(default=0)
    views = BigIntegerField(default=0)
    rating = FloatField(null=True)
    balance = DecimalField(max_digits=10, decimal_places=2, default=0)
    active = BooleanField(default=True)
    born = DateField(null=True)
    joined = DateTimeField(null=True)
    token = UUIDField(null=True)
    avatar = BlobField(null=True)
    prefs = JSONField(null=True)


class Article(Model):
    author = ForeignKeyField(Author, on_delete="CASCADE")
    slug = CharField(max_length=50, index=True)
    title = CharField()

    class Meta:
        indexes = ((("author", "slug"), True),)


def test_models_state_uses_portable_types():
    state = models_state([Author, Article])
    cols = state["author"]["columns"]
    assert {k: v["type"] for k, v in cols.items()} == {
        "id": "auto", "name": "varchar(80)", "bio": "text", "karma": "integer", "views": "bigint",
        "rating": "float", "balance": "decimal(10,2)", "active": "boolean", "born": "date",
        "joined": "datetime", "token": "uuid", "avatar": "blob", "prefs": "json"}
    assert cols["id"]["primary_key"] and not cols["id"]["null"]
    assert cols["name"]["unique"] and not cols["name"]["index"]
    assert cols["bio"]["null"] and cols["karma"]["default"] == 0 and cols["active"]["default"] is True
    assert cols["balance"]["default"] == "0"
    art = state["article"]
    assert art["columns"]["author_id"] == column(
        "integer", index=True, fk={"table": "author", "column": "id", "on_delete": "CASCADE"})
    assert art["columns"]["slug"]["index"] and art["columns"]["title"]["type"] == "varchar(255)"
    assert art["indexes"] == [{"columns": ["author_id", "slug"], "unique": True}]


def test_a_model_referencing_an_unknown_table_is_an_error():
    with pytest.raises(MigrationError, match="references table 'author', which is not a model"):
        models_state([Article])


BASE = {
    "user": table({"id": column("auto", primary_key=True), "name": column("varchar(100)", unique=True)}),
    "post": table({
        "id": column("auto", primary_key=True),
        "author_id": column("integer", index=True, fk={"table": "user", "column": "id"}),
        "title": column("varchar(200)"),
        "body": column("text"),
    }),
}


def changed(**posts):
    import copy
    state = copy.deepcopy(BASE)
    for name, spec in posts.items():
        if spec is None:
            del state["post"]["columns"][name]
        else:
            state["post"]["columns"][name] = column(spec)
    return state


def ops_of(new, old=BASE, **kw):
    return autodetect(old, new, **kw).operations


def test_autodetect_types_nulls_defaults_and_fks():
    assert ops_of(BASE) == []
    assert ops_of(changed(title=column("varchar(250)"))) == [AlterColumn("post", "title", type="varchar(250)")]
    assert ops_of(changed(body=column("text", null=True, default="x"))) == \
        [AlterColumn("post", "body", null=True, default="x")]
    assert ops_of(changed(author_id=column("integer", index=True, fk={"table": "user", "column": "id",
                                                                       "on_delete": "CASCADE"}))) == \
        [AlterColumn("post", "author_id", fk={"table": "user", "column": "id", "on_delete": "CASCADE",
                                              "on_update": None})]


def test_autodetect_indexes():
    assert ops_of(changed(title=column("varchar(200)", unique=True))) == [AddIndex("post", ["title"], unique=True)]
    assert ops_of(changed(author_id=column("integer", unique=True, fk="user"))) == \
        [DropIndex("post", ["author_id"]), AddIndex("post", ["author_id"], unique=True)]
    both = changed()
    both["post"]["indexes"] = [{"columns": ["title", "body"], "unique": False}]
    assert ops_of(both) == [AddIndex("post", ["title", "body"])]
    assert ops_of(BASE, old=both) == [DropIndex("post", ["title", "body"])]


def test_autodetect_tables_in_dependency_order():
    assert ops_of(BASE, old={}) == [CreateTable("user", BASE["user"]["columns"]),
                                    CreateTable("post", BASE["post"]["columns"])]
    assert ops_of({}) == [DropTable("post"), DropTable("user")]


def test_a_lookalike_pair_is_a_hint_unless_confirmed():
    new = changed(body=None, content=column("text"))
    found = autodetect(BASE, new)
    assert found.operations == [DropColumn("post", "body"), AddColumn("post", "content", column("text"))]
    assert found.hints == [RenameHint("post", "body", "content")]
    found = autodetect(BASE, new, ask=lambda hint: True)
    assert found.operations == [RenameColumn("post", "body", "content")] and not found.hints
    found = autodetect(BASE, new, renames=[RenameHint("post", "body", "content")])
    assert found.operations == [RenameColumn("post", "body", "content")]
    # A rename that also changes the column: rename, then alter.
    new = changed(body=None, content=column("text", null=True))
    assert autodetect(BASE, new).hints == []
    assert ops_of(new, renames=[RenameHint("post", "body", "content")]) == \
        [RenameColumn("post", "body", "content"), AlterColumn("post", "content", null=True)]


def test_changing_a_primary_key_is_refused():
    new = changed(id=column("bigauto", primary_key=True))
    with pytest.raises(MigrationError, match="changing the primary key"):
        autodetect(BASE, new)


@pytest.mark.parametrize("old, new, narrows", [
    ("varchar(100)", "varchar(200)", False), ("varchar(200)", "varchar(100)", True),
    ("varchar(200)", "text", False), ("text", "varchar(200)", True), ("char(2)", "varchar(2)", False),
    ("integer", "bigint", False), ("bigint", "integer", True), ("smallint", "integer", False),
    ("float", "double", False), ("double", "float", True), ("integer", "decimal(12,2)", False),
    ("decimal(10,2)", "decimal(12,2)", False), ("decimal(10,2)", "decimal(10,3)", True),
    ("date", "datetime", False), ("datetime", "date", True), ("text", "integer", True),
    ("boolean", "integer", True), ("integer", "integer", False),
])
def test_narrowing(old, new, narrows):
    assert narrowing(old, new) is narrows


def sql(backend, op, before=BASE):
    db = {"sqlite": peewee.SqliteDatabase(":memory:"), "postgresql": peewee.PostgresqlDatabase("x"),
          "mysql": peewee.MySQLDatabase("x")}[backend]
    return op.sql(OperationContext(editor_for(db), before))


def test_sql_for_each_backend_is_rendered_without_a_connection():
    op = AlterColumn("post", "body", type="integer")
    assert sql("postgresql", op) == ['ALTER TABLE "post" ALTER COLUMN "body" TYPE INTEGER USING "body"::INTEGER']
    assert sql("postgresql", AlterColumn("post", "title", type="varchar(300)")) == \
        ['ALTER TABLE "post" ALTER COLUMN "title" TYPE VARCHAR(300)']
    assert sql("mysql", op) == ["ALTER TABLE `post` MODIFY `body` INTEGER NOT NULL"]
    relaxed = changed(body=column("text", null=True))
    op = AlterColumn("post", "body", null=False, default="none")
    assert sql("postgresql", op, relaxed) == [
        """ALTER TABLE "post" ALTER COLUMN "body" SET DEFAULT 'none'""",
        """UPDATE "post" SET "body" = 'none' WHERE "body" IS NULL""",
        'ALTER TABLE "post" ALTER COLUMN "body" SET NOT NULL']
    assert sql("mysql", op, relaxed) == [
        "UPDATE `post` SET `body` = 'none' WHERE `body` IS NULL",
        "ALTER TABLE `post` MODIFY `body` TEXT NOT NULL DEFAULT ('none')"]
    rebuilt = sql("sqlite", op, relaxed)
    assert rebuilt[0].startswith('CREATE TABLE "post__wolfpy_new" (') and \
        '"body" TEXT NOT NULL DEFAULT \'none\'' in rebuilt[0]
    assert rebuilt[1] == ('INSERT INTO "post__wolfpy_new" ("id", "author_id", "title", "body") SELECT "id", '
                          '"author_id", "title", COALESCE("body", \'none\') FROM "post"')
    assert rebuilt[2:] == ['DROP TABLE "post"', 'ALTER TABLE "post__wolfpy_new" RENAME TO "post"',
                           'CREATE INDEX "post_author_id" ON "post" ("author_id")']


def test_renames_keep_index_and_constraint_names_in_step():
    op = RenameColumn("post", "author_id", "writer_id")
    assert sql("postgresql", op) == [
        'ALTER TABLE "post" RENAME COLUMN "author_id" TO "writer_id"',
        'ALTER INDEX "post_author_id" RENAME TO "post_writer_id"',
        'ALTER TABLE "post" RENAME CONSTRAINT "fk_post_author_id" TO "fk_post_writer_id"']
    assert sql("mysql", op) == [
        "ALTER TABLE `post` DROP FOREIGN KEY `fk_post_author_id`",
        "ALTER TABLE `post` RENAME COLUMN `author_id` TO `writer_id`",
        "ALTER TABLE `post` RENAME INDEX `post_author_id` TO `post_writer_id`",
        "ALTER TABLE `post` ADD CONSTRAINT `fk_post_writer_id` FOREIGN KEY (`writer_id`) REFERENCES `user` (`id`)"]
    assert sql("sqlite", op) == [
        'ALTER TABLE "post" RENAME COLUMN "author_id" TO "writer_id"',
        'DROP INDEX "post_author_id"', 'CREATE INDEX "post_writer_id" ON "post" ("writer_id")']
    assert sql("postgresql", RenameTable("user", "member")) == [
        'ALTER TABLE "user" RENAME TO "member"', 'ALTER INDEX "user_name" RENAME TO "member_name"']


def test_literals_are_quoted_per_backend():
    op = AddColumn("post", "note", column("text", default="it's a \\ test"))
    assert sql("postgresql", op) == ["""ALTER TABLE "post" ADD COLUMN "note" TEXT NOT NULL DEFAULT 'it''s a \\ test'"""]
    assert sql("mysql", op) == ["""ALTER TABLE `post` ADD COLUMN `note` TEXT NOT NULL DEFAULT ('it''s a \\\\ test')"""]
    flag = AddColumn("post", "flag", column("boolean", default=True))
    assert sql("postgresql", flag)[0].endswith("BOOLEAN NOT NULL DEFAULT TRUE")
    assert sql("sqlite", flag)[0].endswith("INTEGER NOT NULL DEFAULT 1")


ALL_OPS = [
    CreateTable("tag", {"id": column("auto", primary_key=True), "label": column("varchar(20)")}),
    AddColumn("post", "tag_id", column("integer", null=True, fk="tag")),
    AddIndex("post", ["title", "body"], unique=True),
    AlterColumn("post", "title", type="varchar(300)", null=True, default="x"),
    RenameColumn("post", "body", "content"),
    RenameTable("tag", "label"),
    DropIndex("user", ["name"]),
    DropColumn("post", "tag_id"),
    DropTable("label"),
    RunSQL("SELECT 1", reverse_sql="SELECT 2"),
]


@pytest.mark.parametrize("op", ALL_OPS, ids=lambda op: type(op).__name__)
def test_every_operation_reverses_to_the_state_before_it(op):
    import copy
    before = copy.deepcopy(BASE)
    for earlier in ALL_OPS[:ALL_OPS.index(op)]:
        earlier.forwards(before)
    after = op.after(before)
    assert equal(op.reversed(before).after(after), before)
    for backend in ("sqlite", "postgresql", "mysql"):
        ctx = OperationContext(editor_for({"sqlite": peewee.SqliteDatabase(":memory:"),
                                           "postgresql": peewee.PostgresqlDatabase("x"),
                                           "mysql": peewee.MySQLDatabase("x")}[backend]), before)
        assert op.sql(ctx) and op.reverse_sql(ctx)


def test_runsql_without_reverse_says_why():
    with pytest.raises(IrreversibleError, match=r"RunSQL\('DELETE FROM post'\) has no reverse_sql"):
        RunSQL("DELETE FROM post").reversed(BASE)


def test_operations_check_the_state():
    with pytest.raises(MigrationError, match="DropColumn user.id: .*primary key|is the primary key"):
        DropColumn("user", "id").after(BASE)
    with pytest.raises(MigrationError, match="still referenced by post.author_id"):
        DropTable("user").after(BASE)
    with pytest.raises(MigrationError, match="references ghost.id, which does not exist"):
        AddColumn("post", "g", column("integer", fk="ghost")).after(BASE)
    with pytest.raises(MigrationError, match="unknown column keys"):
        column("text", nullable=True)


def test_written_files_read_back_identically(tmp_path):
    state = models_state([Author, Article])
    state["author"]["columns"]["bio"]["default"] = 'quote " and \\ and ünïcode\nnew line'
    ops = autodetect({}, state).operations + [RunSQL(["SELECT 1", "SELECT 2"], reverse_sql="SELECT 3")]
    hints = [RenameHint("author", "old", "new")]
    path = write_migration(tmp_path / "migrations", 1, "initial", ops, state, hints)
    assert path.name == "0001_initial.py"
    loaded = MigrationLoader(tmp_path / "migrations", tmp_path).migrations[0]
    assert loaded.operations == ops and equal(loaded.after, state) and not loaded.drift
    with pytest.raises(MigrationError, match="already exists"):
        write_migration(tmp_path / "migrations", 1, "initial", ops, state)
    assert sorted(p.name for p in (tmp_path / "migrations").iterdir()) == ["0001_initial.py"]
