"""Checks one server's answer to each test type against the TechEmpower rules.

``verify(server_url, test, database_url)`` returns ``None`` when the answer is right,
else one line saying what is wrong. The runner times only the cells that pass.
"""
from __future__ import annotations

import http.client
import json
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

import data

TESTS = ["json", "db", "queries", "fortunes", "updates", "plaintext"]
# The URL wrk drives for each test (queries and updates at 20, the rules' top level).
PATHS = {"json": "/json", "db": "/db", "queries": "/queries?queries=20", "fortunes": "/fortunes",
         "updates": "/updates?queries=20", "plaintext": "/plaintext"}
# `queries` values the rules name, and the number of rows each must give.
CLAMPS = [(None, 1), ("0", 1), ("foo", 1), ("", 1), ("-3", 1), ("1", 1), ("20", 20), ("501", 500)]


class Failed(Exception):
    pass


def get(url: str, path: str) -> tuple[int, dict[str, str], bytes]:
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        conn.request("GET", path, headers={"Accept": "*/*"})
        resp = conn.getresponse()
        body = resp.read()
        headers = {k.lower(): v for k, v in resp.getheaders()}
        return resp.status, headers, body
    finally:
        conn.close()


def fetch(url: str, path: str, ctype: str) -> tuple[dict[str, str], bytes]:
    status, headers, body = get(url, path)
    if status != 200:
        raise Failed(f"GET {path}: status {status}: {body[:120]!r}")
    got = headers.get("content-type", "")
    if not got.lower().replace(" ", "").startswith(ctype):
        raise Failed(f"GET {path}: Content-Type {got!r}, want {ctype}")
    for name in ("server", "date"):
        if not headers.get(name):
            raise Failed(f"GET {path}: no {name.title()} header")
    if "content-length" not in headers and "transfer-encoding" not in headers:
        raise Failed(f"GET {path}: neither Content-Length nor Transfer-Encoding")
    return headers, body


def _json(path: str, body: bytes) -> Any:
    try:
        return json.loads(body)
    except ValueError:
        raise Failed(f"GET {path}: not JSON: {body[:120]!r}") from None


def _world(path: str, obj: Any) -> tuple[int, int]:
    if not isinstance(obj, dict) or set(obj) != {"id", "randomNumber"}:
        raise Failed(f"GET {path}: a world must be {{\"id\", \"randomNumber\"}}, got {str(obj)[:120]}")
    i, n = obj["id"], obj["randomNumber"]
    if not (isinstance(i, int) and isinstance(n, int) and 1 <= i <= 10000 and 1 <= n <= 10000):
        raise Failed(f"GET {path}: id and randomNumber must be integers in 1..10000, got {obj}")
    return i, n


def _worlds(url: str, path: str, want: int) -> list[tuple[int, int]]:
    _, body = fetch(url, path, "application/json")
    doc = _json(path, body)
    if not isinstance(doc, list):
        raise Failed(f"GET {path}: want a JSON array, got {str(doc)[:80]}")
    if len(doc) != want:
        raise Failed(f"GET {path}: {len(doc)} rows, want {want}")
    return [_world(path, o) for o in doc]


class _Table(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self.rows:
            self.rows[-1].append("".join(self._cell))
            self._cell = None

    def handle_data(self, text: str) -> None:
        if self._cell is not None:
            self._cell.append(text)


def check_fortunes(url: str) -> None:
    headers, body = fetch(url, "/fortunes", "text/html")
    if "charset=utf-8" not in headers["content-type"].lower().replace(" ", ""):
        raise Failed(f"GET /fortunes: Content-Type {headers['content-type']!r} has no charset=utf-8")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise Failed("GET /fortunes: body is not UTF-8") from None
    for raw in ("<script>", "<b>", "<i>"):
        if raw in text:
            raise Failed(f"GET /fortunes: {raw} in the page: the template did not escape")
    if not text.lstrip().lower().startswith("<!doctype html>"):
        raise Failed("GET /fortunes: the page does not start with <!DOCTYPE html>")
    table = _Table()
    table.feed(text)
    rows = [tuple(r) for r in table.rows]
    want = sorted([(str(i), m) for i, m in enumerate(data.FORTUNES, 1)] + [("0", data.EXTRA_FORTUNE)],
                  key=lambda r: r[1])
    if not rows or rows[0] != ("id", "message"):
        raise Failed(f"GET /fortunes: first row must be the header id | message, got {rows[:1]}")
    if rows[1:] != want:
        got = rows[1:]
        diff = next((f"row {k + 1}: got {g}, want {w}" for k, (g, w) in enumerate(zip(got, want)) if g != w),
                    f"{len(got)} rows, want {len(want)}")
        raise Failed(f"GET /fortunes: {diff}")


def check_updates(url: str, database_url: str) -> None:
    for q, want in CLAMPS:
        path = "/updates" + ("" if q is None else f"?queries={q}")
        if want > 20:
            continue  # the 500-row case is checked once below
        _worlds(url, path, want)
    before = data.read_worlds(database_url, list(range(1, 10001)))
    got = _worlds(url, "/updates?queries=20", 20)
    after = data.read_worlds(database_url, [i for i, _ in got])
    wrong = [(i, n, after.get(i)) for i, n in got if after.get(i) != n]
    if wrong:
        raise Failed(f"GET /updates?queries=20: not persisted: (id, answered, in database) {wrong[:3]}")
    if all(before[i] == n for i, n in got):
        raise Failed("GET /updates?queries=20: no row changed its randomNumber")
    _worlds(url, "/updates?queries=501", 500)


def verify(url: str, test: str, database_url: str) -> str | None:
    try:
        if test == "json":
            _, body = fetch(url, "/json", "application/json")
            if _json("/json", body) != {"message": "Hello, World!"}:
                raise Failed(f"GET /json: {body[:120]!r}")
        elif test == "plaintext":
            _, body = fetch(url, "/plaintext", "text/plain")
            if body != b"Hello, World!":
                raise Failed(f"GET /plaintext: {body[:120]!r}")
        elif test == "db":
            _, body = fetch(url, "/db", "application/json")
            i, n = _world("/db", _json("/db", body))
            if data.read_worlds(database_url, [i]).get(i) != n:
                raise Failed(f"GET /db: row {i} has another randomNumber in the database than {n}")
        elif test == "queries":
            for q, want in CLAMPS:
                path = "/queries" + ("" if q is None else f"?queries={q}")
                got = _worlds(url, path, want)
                if want == 20:
                    stored = data.read_worlds(database_url, [i for i, _ in got])
                    if any(stored.get(i) != n for i, n in got):
                        raise Failed(f"GET {path}: rows differ from the database")
        elif test == "fortunes":
            check_fortunes(url)
        elif test == "updates":
            check_updates(url, database_url)
        else:
            raise Failed(f"unknown test {test!r}")
    except Failed as exc:
        return str(exc)
    except (OSError, http.client.HTTPException) as exc:
        return f"{test}: {type(exc).__name__}: {exc}"
    return None
