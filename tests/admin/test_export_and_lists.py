"""The admin's CSV stream and change-list query, without a server.

- The CSV of 10,000 rows is produced a chunk at a time: the peak memory of the whole
  export (tracemalloc) stays a fraction of what the same rows take once loaded.
- Client-given sort, filter and search names become SQL only when they are fields
  the model's admin allows.
"""
from __future__ import annotations

import asyncio
import csv
import io
import tracemalloc
from typing import Any, Iterator

import peewee
import pytest

from wolfpy.admin.changelist import ChangeList
from wolfpy.admin.export import CSVStream
from wolfpy.admin.metrics import percentile, summarize, svg_chart
from wolfpy.admin.options import model_admin
from wolfpy.http.datastructures import MultiDict

ROWS = 10_000


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[peewee.Database, Any]]:
    database = peewee.SqliteDatabase(str(tmp_path_factory.mktemp("export") / "rows.sqlite3"))

    class Item(peewee.Model):
        name = peewee.CharField(max_length=100)
        note = peewee.TextField()
        secret = peewee.CharField(max_length=20, default="")
        flag = peewee.BooleanField(default=False)

        class Meta:
            database = None

        class Admin:
            list_display = ["id", "name", "flag"]
            search_fields = ["name"]
            list_filter = ["flag"]
            exclude = ["secret"]

    Item._meta.set_database(database)
    with database:
        database.create_tables([Item])
        with database.atomic():
            Item.insert_many([{"name": f"item {i}", "note": "x" * 300, "flag": i % 2 == 0, "secret": "s"}
                              for i in range(ROWS)]).execute()
    yield database, Item
    database.close()


def _peak(fn: Any) -> tuple[Any, int]:
    tracemalloc.start()
    try:
        result = fn()
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_csv_of_10000_rows_streams_in_flat_memory(db: tuple[peewee.Database, Any]) -> None:
    database, Item = db
    admin = model_admin(Item)
    query = ChangeList(admin, MultiDict([])).query

    def stream() -> int:
        total = 0
        lines = 0
        for chunk in CSVStream(database, query, admin.export_fields()):
            total += len(chunk)
            lines += chunk.count(b"\n")
        return lines

    def loaded() -> int:
        rows = list(query)  # what an export that reads everything first would hold
        return len(rows)

    lines, stream_peak = _peak(stream)
    count, loaded_peak = _peak(loaded)
    assert lines == ROWS + 1 and count == ROWS
    assert stream_peak < loaded_peak / 4, (stream_peak, loaded_peak)
    assert stream_peak < 4 * 1024 * 1024


def test_csv_async_iteration_gives_the_same_bytes_and_guards_formulas(db: tuple[peewee.Database, Any]) -> None:
    database, Item = db
    admin = model_admin(Item)
    cl = ChangeList(admin, MultiDict([("q", "item 999"), ("o", "-id")]))
    sync = b"".join(CSVStream(database, cl.query, admin.export_fields()))

    async def collect() -> bytes:
        return b"".join([chunk async for chunk in CSVStream(database, cl.query, admin.export_fields())])
    assert asyncio.run(collect()) == sync
    rows = list(csv.reader(io.StringIO(sync.decode())))
    assert rows[0] == ["id", "name", "note", "flag"]                          # excluded field left out
    expected = [f"item {i}" for i in range(ROWS - 1, -1, -1) if "999" in str(i)]   # both words, any order
    assert [r[1] for r in rows[1:]] == expected and len(expected) == 19
    with database:
        Item.create(name="=HYPERLINK(\"http://x\")", note="-2", flag=True)
    last = list(csv.reader(io.StringIO(b"".join(CSVStream(
        database, ChangeList(admin, MultiDict([("q", "hyperlink")])).query, admin.export_fields())).decode())))
    assert last[1][1].startswith("'=HYPERLINK") and last[1][2] == "-2"


@pytest.mark.parametrize("params", [
    [("o", "secret")], [("o", "note")], [("o", "id); DROP TABLE item; --")], [("o", "-" * 5000)],
    [("secret", "s")], [("flag", "maybe")], [("flag", "2")], [("note", "x")], [("q", "%" * 500)],
    [("p", "9" * 40)], [("p", "-1")], [("p", "1e3")], [("p", "１")],
])
def test_hostile_list_parameters_are_ignored_or_clamped(db: tuple[peewee.Database, Any],
                                                        params: list[tuple[str, str]]) -> None:
    database, Item = db
    admin = model_admin(Item)
    with database:
        cl = ChangeList(admin, MultiDict(params))
        page = cl.page(dict(params).get("p"))
    assert cl.sort_field is None and "secret" not in cl.params and "note" not in cl.params
    assert page.total in (0, Item.select().count()) and 1 <= page.number <= page.pages
    sql = cl.query.sql()[0]
    assert "DROP" not in sql and '"secret"' not in sql.split(" FROM ")[1]


def test_sort_filter_and_search_use_allowed_fields(db: tuple[peewee.Database, Any]) -> None:
    database, Item = db
    admin = model_admin(Item)
    with database:
        cl = ChangeList(admin, MultiDict([("o", "-name"), ("flag", "1"), ("q", "ITEM 12")]))
        page = cl.page("1")
    assert cl.params == {"q": "ITEM 12", "o": "-name", "flag": "1"}
    names = [row.name for row in page.rows]
    assert names and all(n.startswith("item") and "12" in n for n in names) and names == sorted(names, reverse=True)
    assert all(row.flag for row in page.rows)
    assert cl.sort_url("name") == "?q=ITEM+12&flag=1&o=name"


def test_metrics_percentiles_and_chart() -> None:
    values = sorted(float(i) for i in range(1, 101))
    assert (percentile(values, 0.5), percentile(values, 0.95), percentile(values, 0.99)) == (50.0, 95.0, 99.0)
    now = 1_000_000.0
    snaps = [{"started": now - 100, "buckets": {str(int(now // 10)): 3},
              "routes": {"a": {"count": 3, "errors": 1, "latencies": [0.001, 0.002, 0.003]}}},
             {"started": now - 50, "buckets": {str(int(now // 10)): 2},
              "routes": {"a": {"count": 2, "errors": 0, "latencies": [0.004, 0.010]}}}]
    summary = summarize(snaps, now)
    (row,) = summary["rows"]
    assert row["count"] == 5 and row["errors"] == 1 and abs(row["error_rate"] - 0.2) < 1e-9
    assert row["p50"] == pytest.approx(3.0) and row["p99"] == pytest.approx(10.0)
    assert summary["bars"][-1][1] == 5
    svg = svg_chart(summary["bars"])
    assert svg.startswith("<svg") and "<script" not in svg and svg.count("<rect") == len(summary["bars"])


def test_admin_options_report_unknown_names() -> None:
    class Thing(peewee.Model):
        name = peewee.CharField()

        class Admin:
            list_display = ["name", "nope"]
            ordering = ["-missing"]

    admin = model_admin(Thing)
    assert admin.list_display == ("name",) and admin.ordering == ("-id",)
    assert admin.problems == ["Thing.Admin.list_display: 'nope' is not a field",
                              "Thing.Admin.ordering: 'missing' is not a field"]


@pytest.mark.parametrize("raw", ["--5", "-", "9223372036854775808", "-9223372036854775809", "9" * 19, "+5"])
def test_integer_filters_and_ids_out_of_range_or_malformed_are_dropped(tmp_path: Any, raw: str) -> None:
    # "--5" passed the digit check and int() raised; 2**63 reached SQLite and overflowed.
    database = peewee.SqliteDatabase(str(tmp_path / "ints.sqlite3"))

    class Shelf(peewee.Model):
        name = peewee.CharField(max_length=20)

        class Meta:
            database = None

    class Book(peewee.Model):
        pages = peewee.IntegerField(default=1)
        shelf = peewee.ForeignKeyField(Shelf)

        class Meta:
            database = None

        class Admin:
            list_display = ["id", "pages"]
            list_filter = ["pages", "shelf"]

    for model in (Shelf, Book):
        model._meta.set_database(database)
    admin = model_admin(Book)
    with database:
        database.create_tables([Shelf, Book])
        Book.create(shelf=Shelf.create(name="a"))
        for name in ("pages", "shelf"):
            cl = ChangeList(admin, MultiDict([(name, raw)]))
            assert cl.page("1").total == 1 and name not in cl.params
    assert admin.cast_pk(raw) is None


def test_the_audit_log_never_copies_an_excluded_field(db: tuple[peewee.Database, Any]) -> None:
    # An add or delete logged every field, so a field the admin hides (an API key, say)
    # was copied into wolfpy_admin_log and shown on /admin/log.
    from wolfpy.admin.forms import diff, snapshot

    database, Item = db
    admin = model_admin(Item)
    with database:
        row = Item.select().first()
        taken = snapshot(admin, row)
    assert "secret" not in taken and taken["name"] == row.name
    assert "secret" not in diff(None, taken) and "secret" not in diff(taken, None)


@pytest.mark.parametrize("field", ["day", "at"])
def test_a_date_filter_up_to_the_last_day_there_is_keeps_every_row(tmp_path: Any, field: str) -> None:
    # ?day__to=9999-12-31 added a day to date.max: OverflowError, a 500.
    import datetime

    database = peewee.SqliteDatabase(str(tmp_path / "dates.sqlite3"))

    class Event(peewee.Model):
        day = peewee.DateField()
        at = peewee.DateTimeField()

        class Meta:
            database = None

        class Admin:
            list_filter = ["day", "at"]

    Event._meta.set_database(database)
    with database:
        database.create_tables([Event])
        Event.create(day=datetime.date(9999, 12, 31), at=datetime.datetime(9999, 12, 31, 23, 59))
        cl = ChangeList(model_admin(Event), MultiDict([(f"{field}__to", "9999-12-31")]))
        assert cl.page("1").total == 1 and cl.params == {f"{field}__to": "9999-12-31"}


@pytest.mark.parametrize("name, raw, message", [
    ("n", "3000000000", "Enter a whole number from -2147483648 to 2147483647."),
    ("n", "--5", "Enter a whole number."),
    ("big", "9223372036854775808", "Enter a whole number."),
    ("price", "1e10", "Enter a number below 10,000."),
    ("price", "1e999999", "Enter a number below 10,000."),
    ("body", "a\x00b", "Remove the NUL character."),
    ("title", "a\x00b", "Remove the NUL character."),
])
def test_a_value_the_column_cannot_hold_is_a_field_error(name: str, raw: str, message: str) -> None:
    # PostgreSQL refused them on save (integer out of range, numeric field overflow, a NUL in
    # text): DataError or ValueError, a 500 from the add and change pages.
    from wolfpy.admin.forms import read_form

    class Thing(peewee.Model):
        title = peewee.CharField(max_length=20, default="t")
        n = peewee.IntegerField(default=0)
        big = peewee.BigIntegerField(default=0)
        price = peewee.DecimalField(max_digits=6, decimal_places=2, null=True)
        body = peewee.TextField(default="")

    values, errors, _ = read_form(model_admin(Thing), MultiDict([(name, raw)]), None)
    assert errors == {name: message} and name not in values
    values, errors, _ = read_form(model_admin(Thing), MultiDict([("n", "-2147483648"), ("price", "9999.99"),
                                                                  ("big", "9223372036854775807")]), None)
    assert not errors and values["n"] == -2147483648 and values["big"] == 2 ** 63 - 1
    assert read_form(model_admin(Thing), MultiDict([("price", "1e-999999")]), None)[0]["price"] == 0


def test_a_nul_in_a_search_or_filter_never_reaches_the_query(db: tuple[peewee.Database, Any]) -> None:
    # PostgreSQL refuses a NUL in a query's text (a 500 from the list, its export and the log).
    database, Item = db
    with database:
        cl = ChangeList(model_admin(Item), MultiDict([("q", "it\x00em 1"), ("flag", "1\x00")]))
        assert cl.page("1").total > 0
    assert not any("\x00" in str(p) for p in cl.query.sql()[1]) and cl.params == {"q": "item 1"}


def test_a_text_primary_key_with_a_nul_is_no_id() -> None:
    # /admin/<group>/<model>/a%00b on a model with a text primary key sent the NUL to the
    # database (a 500 on PostgreSQL) instead of a 404.
    class Code(peewee.Model):
        code = peewee.CharField(primary_key=True)

    admin = model_admin(Code)
    assert admin.cast_pk("a\x00b") is None and admin.cast_pk("ab") == "ab"
