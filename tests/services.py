"""Find the real backing services (PostgreSQL, MariaDB, Redis, Mongo) for tests.

``scripts/services.sh`` starts them and ``scripts/test.sh`` exports their URLs as
``WOLFPY_TEST_<NAME>_URL``. A test asks for one with::

    from tests.services import service_url

    def test_something():
        url = service_url("postgres")

If the variable is unset or nothing answers on its TCP port, the test is skipped,
unless ``WOLFPY_REQUIRE_SERVICES=1`` (as in CI), where it fails instead: a missing
service must not turn into a silently green run.
"""

from __future__ import annotations

import os
import socket
from typing import NoReturn
from urllib.parse import urlsplit

import pytest

__all__ = ["SERVICES", "service_url"]

#: Known services and the port their URL scheme implies when it names none.
SERVICES: dict[str, int] = {
    "postgres": 5432,
    "mysql": 3306,
    "redis": 6379,
    "mongo": 27017,
}

CONNECT_TIMEOUT = 1.0


def service_url(name: str) -> str:
    """Return the URL of service ``name`` once its TCP port has answered.

    Skips the calling test (or module) when the service is not configured or
    not reachable; fails it instead when ``WOLFPY_REQUIRE_SERVICES=1``.
    """
    key = name.lower()
    if key not in SERVICES:
        raise ValueError(f"unknown service {name!r}; expected one of {', '.join(SERVICES)}")
    variable = f"WOLFPY_TEST_{key.upper()}_URL"
    url = os.environ.get(variable, "").strip()
    if not url:
        _unavailable(
            f"{key}: {variable} is not set "
            "(run `bash scripts/test.sh`, or start services with scripts/services.sh)"
        )
    host, port = _address(url, SERVICES[key])
    if host is None:  # e.g. a Unix-socket URL: nothing to probe over TCP
        return url
    try:
        with socket.create_connection((host, port), timeout=CONNECT_TIMEOUT):
            pass
    except OSError as exc:
        error = exc
    else:
        return url
    # Outside the except block, so a failure shows no chained traceback.
    _unavailable(f"{key}: nothing answers at {host}:{port} from {variable} ({error})")


def _address(url: str, default_port: int) -> tuple[str | None, int]:
    """Host and port of the first host in ``url`` (Mongo URLs may list several)."""
    netloc = urlsplit(url).netloc.rpartition("@")[2]
    first = netloc.split(",")[0]
    if first.startswith("["):  # [IPv6]:port
        host, _, rest = first[1:].partition("]")
        port = rest[1:] if rest.startswith(":") else ""
    else:
        host, _, port = first.partition(":")
    return (host or None), (int(port) if port else default_port)


def _unavailable(reason: str) -> NoReturn:
    if os.environ.get("WOLFPY_REQUIRE_SERVICES") == "1":
        pytest.fail(
            f"required service unavailable: {reason} [WOLFPY_REQUIRE_SERVICES=1]",
            pytrace=False,
        )
    pytest.skip(reason, allow_module_level=True)
