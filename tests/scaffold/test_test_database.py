"""`WOLFPY_TEST_DATABASE_URL` naming a PostgreSQL or MySQL database that does not exist yet:
`wolfpy test` creates it, or stops with one line saying why."""
from __future__ import annotations

import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import peewee
import pytest

from tests.scaffold.conftest import project_pytest, wolfpy
from tests.services import service_url


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, "", ""))


def admin(url: str) -> peewee.Database:
    parts = urlsplit(url)
    params = {"host": parts.hostname, "port": parts.port, "user": parts.username, "password": parts.password}
    if parts.scheme.startswith("postgres"):
        return peewee.PostgresqlDatabase("postgres", **params)
    return peewee.MySQLDatabase("information_schema", **params)


def databases(url: str) -> set[str]:
    db = admin(url)
    try:
        sql = ("SELECT datname FROM pg_database" if isinstance(db, peewee.PostgresqlDatabase)
               else "SHOW DATABASES")
        return {row[0] for row in db.execute_sql(sql).fetchall()}
    finally:
        db.close()


@pytest.mark.parametrize("service", ["postgres", "mysql"])
def test_a_missing_test_database_is_created(project: Path, service: str) -> None:
    base = service_url(service)
    name = f"wolfpy_scaffold_{uuid.uuid4().hex[:10]}"
    url = with_database(base, name)
    assert name not in databases(base)
    assert wolfpy(project, "generate", "auth")[0] == 0
    assert wolfpy(project, "generate", "scaffold", "Post", "title", "body:text", "author:fk:User:cascade")[0] == 0
    try:
        result = project_pytest(project, {"WOLFPY_TEST_DATABASE_URL": url})
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
        assert "14 passed" in result.stdout, result.stdout[-500:]   # 3 home page, 10 scaffold, 1 model
        assert name in databases(base)
    finally:
        db = admin(base)
        quoted = f'"{name}"' if isinstance(db, peewee.PostgresqlDatabase) else f"`{name}`"
        db.execute_sql(f"DROP DATABASE IF EXISTS {quoted}")
        db.close()


def test_a_database_that_cannot_be_made_is_one_line(project: Path) -> None:
    base = service_url("postgres")
    parts = urlsplit(base)
    wrong = urlunsplit((parts.scheme, f"{parts.username}:not-the-password@{parts.hostname}:{parts.port}",
                        "/wolfpy_scaffold_never", "", ""))
    result = project_pytest(project, {"WOLFPY_TEST_DATABASE_URL": wrong})
    assert result.returncode == 1
    lines = [line for line in (result.stdout + result.stderr).splitlines() if "WOLFPY_TEST_DATABASE_URL" in line]
    assert len(lines) == 1, result.stdout + result.stderr
    assert "cannot use or create that database" in lines[0] and "not-the-password" not in lines[0]
    assert "Traceback" not in result.stdout + result.stderr
