"""The SQL cache of WolfPy's databases: for every shape it keeps, the same SQL text, the
same parameters and the same rows as peewee without it, on SQLite, PostgreSQL and MySQL;
shapes it must not keep go through peewee; it stays bounded; a model made anew or a
table renamed never reuses another's text.

Each test runs on its own throw-away database, once through WolfPy's database (cached,
tables ``sc_*``) and once through plain peewee (the same rows in tables ``sp_*``)."""
from __future__ import annotations

import datetime
from typing import Any, Callable, Iterator

import peewee
import pytest

from wolfpy.db import JSONField, database_from_url
from wolfpy.db.sqlcache import CachedSQL, fingerprint


def _models(db: peewee.Database, prefix: str = "sc") -> tuple[Any, Any]:
    class World(peewee.Model):
        randomnumber = peewee.IntegerField()
        label = peewee.CharField(max_length=50, null=True)
        seen = peewee.DateTimeField(null=True)
        active = peewee.BooleanField(default=True)
        extra = JSONField(null=True)

        class Meta:
            database = db
            table_name = f"{prefix}_world"

    class Tag(peewee.Model):
        world = peewee.ForeignKeyField(World, backref="tags")
        name = peewee.CharField(max_length=20)

        class Meta:
            database = db
            table_name = f"{prefix}_tag"
    return World, Tag


class Recorder:
    """The statements a database sends, as (sql, params), via peewee's query hooks
    (table names ``sp_*`` written as ``sc_*``, so both runs compare equal)."""

    def __init__(self, db: peewee.Database) -> None:
        self.sent: list[tuple[str, list[Any]]] = []
        db.query_hooks.append(lambda event: self.sent.append(
            (event.sql.replace("sp_", "sc_"), list(event.params or ()))))

    def take(self) -> list[tuple[str, list[Any]]]:
        sent, self.sent = self.sent, []
        return sent


@pytest.fixture(params=["sqlite", "postgresql", "mysql"])
def pair(request: pytest.FixtureRequest, tmp_path: Any, throwaway_url: Any) -> Iterator[Any]:
    """(cached db, its models, plain peewee db, its models), tables made and filled."""
    backend = request.param
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'c.sqlite3'}"
        plain = peewee.SqliteDatabase(str(tmp_path / "c.sqlite3"))
    else:
        url = throwaway_url(backend)
        plain = database_from_url(url, pooled=False)
    cached = database_from_url(url)
    assert isinstance(cached, CachedSQL) and not isinstance(plain, CachedSQL)
    c_models, p_models = _models(cached, "sc"), _models(plain, "sp")
    stamp = datetime.datetime(2024, 5, 6, 7, 8, 9)
    for world, tag in (c_models, p_models):
        world._meta.database.create_tables([world, tag])
        world.insert_many([dict(randomnumber=i * 7 % 13, label=f"w{i % 4}", seen=stamp + datetime.timedelta(days=i),
                                active=i % 3 != 0, extra={"i": i, "odd": bool(i % 2)}) for i in range(1, 21)]).execute()
        tag.insert_many([dict(world=i, name=f"t{i % 5}") for i in range(1, 21)]).execute()
    yield cached, c_models, plain, p_models, Recorder(cached), Recorder(plain)
    cached.drop_tables(list(reversed(c_models)))
    plain.drop_tables(list(reversed(p_models)))
    for db in (cached, plain):
        if not db.is_closed():
            db.close()
    if hasattr(cached, "close_all"):
        cached.close_all()


def _rows(result: Any) -> Any:
    if isinstance(result, peewee.Model):
        return [result.__data__]
    if isinstance(result, int):
        return result
    return [row if isinstance(row, tuple) else row.__data__ for row in result]


SHAPES: list[tuple[str, Callable[[Any, Any, int], Any], bool]] = [
    # (name, run(World, Tag, n) -> rows, changes rows)
    ("select all", lambda W, T, n: list(W.select()), False),
    ("select all, ordered", lambda W, T, n: list(W.select().order_by(W.randomnumber.desc(), W.id)), False),
    ("get by id", lambda W, T, n: W.get_by_id(n), False),
    ("get, two filters", lambda W, T, n: W.get((W.label == f"w{n % 4}") & (W.randomnumber >= n % 5)), False),
    ("filter with OR, limit, offset",
     lambda W, T, n: list(W.select().where((W.id < n) | (W.label != "w1")).order_by(W.id).limit(3).offset(n % 4)),
     False),
    ("chosen columns", lambda W, T, n: list(W.select(W.id, W.label).where(W.randomnumber <= n).order_by(W.id)),
     False),
    ("filter on a converted value", lambda W, T, n: list(
        W.select().where(W.seen > datetime.datetime(2024, 5, 6 + n % 5), W.active == bool(n % 2)).order_by(W.id)),
     False),
    ("filter on a foreign key", lambda W, T, n: list(T.select().where(T.world == n).order_by(T.id)), False),
    ("update by id", lambda W, T, n: W.update(randomnumber=n * 3, label=f"u{n}").where(W.id == n).execute(), True),
    ("update, fields in another order",
     lambda W, T, n: W.update(label=f"v{n}", randomnumber=n * 5).where(W.id == n).execute(), True),
    ("save of a fetched row", lambda W, T, n: _save(W, n), True),
    ("update of a JSON field", lambda W, T, n: W.update(extra={"n": n, "l": [1, n]}).where(W.id == n).execute(),
     True),
    ("delete by id", lambda W, T, n: T.delete().where(T.id == n).execute(), True),
]


def _save(W: Any, n: int) -> Any:
    row = W.get_by_id(n)
    row.randomnumber = n + 100
    row.seen = datetime.datetime(2025, 1, n)
    return row.save()


@pytest.mark.parametrize("name", [s[0] for s in SHAPES])
def test_each_cached_shape_sends_the_same_sql_and_gets_the_same_rows(pair: Any, name: str) -> None:
    cached, (cw, ct), plain, (pw, pt), c_sent, p_sent = pair
    run = next(s[1] for s in SHAPES if s[0] == name)
    before = len(cached.sql_cache)
    for n in (3, 8, 5):  # the first builds the text, the next ones reuse it with other values
        got = _rows(run(cw, ct, n))
        expected = _rows(run(pw, pt, n))
        assert c_sent.take() == p_sent.take()
        assert got == expected
    assert len(cached.sql_cache) > before  # the shape was kept...
    entries = list(cached.sql_cache._entries.values())
    assert all(sql is not None for sql, _ in entries[before:])  # ...as text, not as "not cacheable"
    # Whatever the writes did, both tables hold the same rows afterwards.
    assert _rows(cw.select().order_by(cw.id)) == _rows(pw.select().order_by(pw.id))
    assert _rows(ct.select().order_by(ct.id)) == _rows(pt.select().order_by(pt.id))


UNCACHED: list[tuple[str, Callable[[Any, Any], Any]]] = [
    ("IN a list", lambda W, T: list(W.select().where(W.id.in_([1, 2, 3])))),
    ("IS NULL", lambda W, T: list(W.select().where(W.label.is_null()))),
    ("== None", lambda W, T: list(W.select().where(W.label == None))),  # noqa: E711 - peewee's IS NULL
    ("a join", lambda W, T: list(T.select(T, W).join(W).where(W.id == 2))),
    ("a function", lambda W, T: list(W.select(peewee.fn.COUNT(W.id)).tuples())),
    ("an expression value", lambda W, T: W.update(randomnumber=W.randomnumber + 1).where(W.id == 4).execute()),
    ("a model instance compared", lambda W, T: list(T.select().where(T.world == W.get_by_id(2)))),
    ("a sub-query", lambda W, T: list(W.select().where(W.id == T.select(T.world).where(T.id == 3)))),
    ("group by", lambda W, T: list(W.select(W.label).group_by(W.label).tuples())),
    ("distinct", lambda W, T: list(W.select(W.label).distinct().tuples())),
]


@pytest.mark.parametrize("name", [s[0] for s in UNCACHED])
def test_shapes_the_cache_cannot_key_exactly_go_through_peewee(pair: Any, name: str) -> None:
    cached, (cw, ct), plain, (pw, pt), c_sent, p_sent = pair
    run = next(s[1] for s in UNCACHED if s[0] == name)
    cw.get_by_id(1)  # a cached shape, for contrast
    c_sent.take()
    size = len(cached.sql_cache)
    for _ in range(2):
        got = run(cw, ct)
        expected = run(pw, pt)
        assert c_sent.take() == p_sent.take()
        assert _rows(got) == _rows(expected)
    assert len(cached.sql_cache) == size


def test_the_cache_stays_bounded_and_keeps_answering(pair: Any) -> None:
    cached, (cw, ct), plain, (pw, pt), c_sent, p_sent = pair
    cached.sql_cache.size = 4
    cached.sql_cache.clear()
    for _round in range(2):
        for name in ("id", "randomnumber", "label", "active"):
            for op in ("__eq__", "__ge__"):
                value = {"label": "w2", "active": False}.get(name, 5)
                got = list(cw.select().where(getattr(getattr(cw, name), op)(value)).order_by(cw.id))
                expected = list(pw.select().where(getattr(getattr(pw, name), op)(value)).order_by(pw.id))
                assert _rows(got) and _rows(got) == _rows(expected)
                assert c_sent.take() == p_sent.take()
                assert 0 < len(cached.sql_cache) <= 4


def test_a_model_made_anew_or_renamed_never_reuses_the_old_text(pair: Any) -> None:
    cached, (cw, ct), plain, _, c_sent, _ = pair
    assert cw.get_by_id(2).randomnumber == 2 * 7 % 13
    # A test suite that defines the model again, with another table and other fields.
    cached.execute_sql("CREATE TABLE sc2_world (id INTEGER PRIMARY KEY, note VARCHAR(20), randomnumber INTEGER)")
    try:
        class World(peewee.Model):
            note = peewee.CharField(max_length=20)
            randomnumber = peewee.IntegerField()

            class Meta:
                database = cached
                table_name = "sc2_world"
        World.insert(id=2, note="anew", randomnumber=-1).execute()
        c_sent.take()
        again = World.get_by_id(2)
        assert (again.note, again.randomnumber) == ("anew", -1)
        [(sql, _params)] = c_sent.take()
        assert "sc2_world" in sql and "note" in sql and "label" not in sql
        # The same class and the same query shape, pointed at another table.
        assert cw.select(cw.id, cw.randomnumber).where(cw.id == 2).get().randomnumber == 2 * 7 % 13
        c_sent.take()
        cw._meta.set_table_name("sc2_world")
        try:
            assert cw.select(cw.id, cw.randomnumber).where(cw.id == 2).get().randomnumber == -1
            [(sql, _params)] = c_sent.take()
            assert "sc2_world" in sql
        finally:
            cw._meta.set_table_name("sc_world")
        assert cw.get_by_id(2).randomnumber == 2 * 7 % 13
        [(sql, _params)] = c_sent.take()
        assert '"sc_world"' in sql.replace("`", '"')
    finally:
        cached.execute_sql("DROP TABLE sc2_world")


def test_a_size_of_zero_turns_the_cache_off(pair: Any) -> None:
    cached, (cw, ct), *_ = pair
    cached.sql_cache.size = 0
    assert cw.get_by_id(4).randomnumber == 4 * 7 % 13
    assert len(cached.sql_cache) == 0


def test_parameters_are_bound_never_written_into_the_text(pair: Any) -> None:
    cached, (cw, ct), plain, (pw, pt), c_sent, _ = pair
    hostile = "w1' OR '1'='1"
    for value in ("w1", hostile):
        list(cw.select().where(cw.label == value))
    [(sql1, params1), (sql2, params2)] = c_sent.take()
    assert sql1 == sql2 and hostile not in sql2 and params2 == [hostile]
    assert list(cw.select().where(cw.label == hostile)) == []
    assert fingerprint(cw.select().where(cw.label == hostile)) is not None
