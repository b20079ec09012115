"""The benchmark database: its URL, the `world` and `fortune` tables, filled when missing.

Every app reads the same PostgreSQL database, named by ``DATABASE_URL`` in its environment.
The runner derives it from ``WOLFPY_TEST_POSTGRES_URL`` (or ``--database-url``): the same
server, a database of its own (``wolfpy_tfb``), created when the role may, else the
tables ``world``/``fortune`` must not clash, so the runner then stops with one line.
"""
from __future__ import annotations

import random
from urllib.parse import urlsplit, urlunsplit

DB_NAME = "wolfpy_tfb"
WORLD_ROWS = 10000
EXTRA_FORTUNE = "Additional fortune added at request time."

# Twelve fortunes of this project's own, chosen to test what the fortunes page must get
# right: markup that must be escaped, quotes and ampersands, non-ASCII text (Japanese,
# accents, an emoji) that must survive as UTF-8, and an order that byte-wise sorting of
# the UTF-8 text and code-point sorting agree on.
FORTUNES = [
    "A tested migration is worth two untested backups.",
    "<script>alert(\"the fortunes page forgot to escape\");</script>",
    "Tom & Jerry's \"quoted\" & 'single-quoted' remarks",
    "Every request deserves a Date header.",
    "早起きは三文の徳",
    "Caching is easy; invalidation is a career.",
    "Ünïcödé ïs nöt öptïönäl — ✓",
    "<b>bold claims</b> need <i>escaped</i> evidence",
    "Premature optimisation: the root of 97% of evil, measured.",
    "フレームワークのベンチマーク",
    "If it is not in the results file, it did not happen.",
    "Slow queries hide in loops & in lazy loading",
]


def database_url(server_url: str, name: str = DB_NAME) -> str:
    """``server_url`` with its database name replaced by ``name``."""
    parts = urlsplit(server_url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


def connect(url: str):  # type: ignore[no-untyped-def]
    import psycopg2
    return psycopg2.connect(url)


def ensure_database(server_url: str, name: str = DB_NAME) -> str:
    """Create database ``name`` on ``server_url``'s server when missing and fill its tables
    when they are missing or incomplete. Returns the database's URL."""
    url = database_url(server_url, name)
    admin = connect(server_url)
    admin.autocommit = True
    try:
        with admin.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
            if cur.fetchone() is None:
                cur.execute(f'CREATE DATABASE "{name}" ENCODING \'UTF8\' TEMPLATE template0')
    finally:
        admin.close()
    conn = connect(url)
    try:
        with conn, conn.cursor() as cur:
            cur.execute("CREATE TABLE IF NOT EXISTS world (id integer PRIMARY KEY, "
                        "randomnumber integer NOT NULL DEFAULT 0)")
            cur.execute("CREATE TABLE IF NOT EXISTS fortune (id integer PRIMARY KEY, message text NOT NULL)")
            cur.execute("SELECT count(*) FROM world")
            if cur.fetchone()[0] != WORLD_ROWS:
                cur.execute("DELETE FROM world")
                rng = random.Random(1)
                cur.executemany("INSERT INTO world (id, randomnumber) VALUES (%s, %s)",
                                [(i, rng.randint(1, 10000)) for i in range(1, WORLD_ROWS + 1)])
            cur.execute("SELECT id, message FROM fortune ORDER BY id")
            if cur.fetchall() != list(enumerate(FORTUNES, 1)):
                cur.execute("DELETE FROM fortune")
                cur.executemany("INSERT INTO fortune (id, message) VALUES (%s, %s)",
                                list(enumerate(FORTUNES, 1)))
        with conn.cursor() as cur:
            conn.autocommit = True
            cur.execute("VACUUM ANALYZE world")
            cur.execute("VACUUM ANALYZE fortune")
    finally:
        conn.close()
    return url


def read_worlds(url: str, ids: list[int]) -> dict[int, int]:
    """``{id: randomnumber}`` for ``ids``, read straight from the database."""
    conn = connect(url)
    try:
        with conn, conn.cursor() as cur:
            cur.execute("SELECT id, randomnumber FROM world WHERE id = ANY(%s)", (list(ids),))
            return dict(cur.fetchall())
    finally:
        conn.close()
