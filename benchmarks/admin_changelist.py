"""The admin's change list on a 100,000-row table against a 100-row table (SQLite).

    python benchmarks/admin_changelist.py [--rows 100000] [--small 100] [--repeat 30]

Builds a throw-away project (a User model, two tables of the same shape, the second
ordered by an indexed ``created`` column), signs in as an admin through the admin's
own sign-in page, then times ``GET /admin/bench/<table>`` (page 1, a filtered page
and a late page) in process. The answer is a ratio of medians: big ÷ small. The
change list costs one ``COUNT(*)`` plus one ``LIMIT/OFFSET`` query on the ordering
column's index, so the ratio stays small as the table grows.
"""
from __future__ import annotations

import argparse
import datetime
import re
import statistics
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

MODELS = '''
import datetime
from wolfpy.db import BooleanField, CharField, DateTimeField, IntegerField, Model


class User(Model):
    username = CharField(max_length=150, unique=True)
    email = CharField(max_length=254, default="")
    password_hash = CharField(max_length=255)
    is_admin = BooleanField(default=False)
    is_active = BooleanField(default=True)


class Big(Model):
    title = CharField(max_length=200)
    published = BooleanField(default=False)
    views = IntegerField(default=0)
    created = DateTimeField(index=True)

    class Admin:
        list_display = ["id", "title", "published", "views", "created"]
        search_fields = ["title"]
        list_filter = ["published"]
        ordering = ["-created"]


class Small(Big):
    class Admin(Big.Admin):
        pass
'''

TOML = '''
[app]
name = "adminbench"
[database]
url = "sqlite:///bench.sqlite3"
[middleware]
builtin = ["sessions", "csrf", "auth"]
[logging]
file = false
console = false
'''


def build(folder: Path, rows: int, small: int) -> None:
    (folder / "models").mkdir()
    (folder / "routes").mkdir()
    (folder / "models/bench.py").write_text(textwrap.dedent(MODELS))
    (folder / "wolfpy.toml").write_text(textwrap.dedent(TOML))
    import sqlite3
    from wolfpy.auth import hash_password
    conn = sqlite3.connect(folder / "bench.sqlite3")
    conn.executescript('''
        CREATE TABLE user (id INTEGER PRIMARY KEY, username VARCHAR(150) UNIQUE NOT NULL, email VARCHAR(254) NOT NULL,
                           password_hash VARCHAR(255) NOT NULL, is_admin INTEGER NOT NULL, is_active INTEGER NOT NULL);
        CREATE TABLE big (id INTEGER PRIMARY KEY, title VARCHAR(200) NOT NULL, published INTEGER NOT NULL,
                          views INTEGER NOT NULL, created DATETIME NOT NULL);
        CREATE INDEX big_created ON big (created);
        CREATE TABLE small (id INTEGER PRIMARY KEY, title VARCHAR(200) NOT NULL, published INTEGER NOT NULL,
                            views INTEGER NOT NULL, created DATETIME NOT NULL);
        CREATE INDEX small_created ON small (created);
    ''')
    conn.execute("INSERT INTO user VALUES (1, 'bench', '', ?, 1, 1)", (hash_password("bench-password-1"),))
    start = datetime.datetime(2020, 1, 1)
    for table, count in (("big", rows), ("small", small)):
        conn.executemany(f"INSERT INTO {table} (title, published, views, created) VALUES (?, ?, ?, ?)",
                         ((f"row {i}", i % 2, i, (start + datetime.timedelta(minutes=i)).isoformat(" "))
                          for i in range(count)))
    conn.commit()
    conn.close()


def measure(client: object, url: str, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        response = client.get(url)  # type: ignore[attr-defined]
        times.append(time.perf_counter() - t0)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--small", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    import wolfpy
    from wolfpy.testing import TestClient
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        build(folder, args.rows, args.small)
        app = wolfpy.load(folder)
        client = TestClient(app)
        page = client.get("/admin/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
        signed = client.post("/admin/login", data={"username": "bench", "password": "bench-password-1",
                                                   "csrf_token": token}, headers={"origin": "http://testserver"})
        assert signed.status_code == 303, signed.status_code
        results = []
        for label, query in (("page 1", ""), ("filtered, page 1", "?published=1"), ("page 2", "?p=2"),
                             ("sorted by views", "?o=-views")):
            big = measure(client, f"/admin/bench/big{query}", args.repeat)
            small = measure(client, f"/admin/bench/small{query}", args.repeat)
            results.append((label, big, small))
    print(f"| change list | {args.rows:,} rows ÷ {args.small:,} rows |")
    print("|---|---:|")
    for label, big, small in results:
        print(f"| {label} | {big / small:.2f}× |")


if __name__ == "__main__":
    main()
