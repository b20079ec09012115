"""/admin/metrics across processes through Redis, and an admin that is switched off.

Two gunicorn servers serve one project with ``[redis] url`` set: requests counted by
either show on the metrics page of both. ``WOLFPY_ADMIN_ENABLED=false`` leaves no
``/admin`` at all.
"""
from __future__ import annotations

import re
import secrets
import time
from pathlib import Path
from typing import Iterator

import pytest

from tests.services import service_url

from .admin_project import create_admin, make_admin_project
from .conftest import Server, server_env
from .test_admin_http import get, signed_in
from .test_auth_flow import Jar

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("admin-metrics")
    project = make_admin_project(root, f"adminmetrics{secrets.token_hex(3)}", {})
    create_admin(project, {})
    return project


@pytest.fixture
def two_servers(project: Path, tmp_path: Path) -> Iterator[tuple[Server, Server, str]]:
    import redis
    redis_url = service_url("redis")
    servers = [Server("gunicorn", project, tmp_path / "logs", server_env(REDIS_URL=redis_url)) for _ in range(2)]
    prefix = f"wolfpy:admin:metrics:{project.name}:"
    try:
        for server in servers:
            server.start()
        for server in servers:
            server.wait_ready()
        yield servers[0], servers[1], prefix
    finally:
        for server in servers:
            server.stop()
        client = redis.Redis.from_url(redis_url)
        keys = list(client.scan_iter(match=prefix + "*"))
        if keys:
            client.delete(*keys)
        client.close()


def test_metrics_add_up_every_process_through_redis(two_servers: tuple[Server, Server, str]) -> None:
    import redis
    a, b, prefix = two_servers
    for _ in range(7):
        assert Jar(b).request("GET", "/admin/login")[0] == 200
    for _ in range(3):
        assert Jar(a).request("GET", "/admin/login")[0] == 200
    jar, _ = signed_in(a, "boss")
    deadline = time.monotonic() + 10     # each process publishes every 2 s
    while True:
        page = get(jar, "/admin/metrics")
        row = re.search(r"<th scope=\"row\">admin:login</th>\s*<td class=\"num\">(\d+)</td>", page)
        assert row
        if int(row.group(1)) >= 7 + 3 + 2 or time.monotonic() > deadline:  # b's, a's, the sign-in (GET + POST)
            break
        time.sleep(0.5)
    assert "2 processes (Redis)" in page and int(row.group(1)) == 12
    client = redis.Redis.from_url(service_url("redis"))
    try:
        assert len(list(client.scan_iter(match=prefix + "*"))) == 2 and client.ttl(next(client.scan_iter(
            match=prefix + "*"))) > 0
    finally:
        client.close()


def test_admin_switched_off_leaves_no_route(project: Path, tmp_path: Path) -> None:
    server = Server("gunicorn", project, tmp_path / "logs", server_env(WOLFPY_ADMIN_ENABLED="false"))
    try:
        server.start().wait_ready()
        jar = Jar(server)
        assert jar.request("GET", "/admin")[0] == 404
        assert jar.request("GET", "/admin/login")[0] == 404
        assert jar.request("GET", "/static/admin/admin.css")[0] == 404
    finally:
        server.stop()
