"""Fixtures for wolfpy.db.mongo: every test runs on mongomock and on the MongoDB wire emulator."""
from __future__ import annotations

import os
import secrets
import sys
from typing import Iterator
from urllib.parse import urlsplit, urlunsplit

import pytest

from tests.services import service_url

try:
    import mongoengine  # noqa: F401
except ImportError:  # the [mongo] extra is not installed: nothing here can run
    if os.environ.get("WOLFPY_REQUIRE_SERVICES") == "1":
        raise
    collect_ignore_glob = ["test_*.py"]


@pytest.fixture(params=["mongomock", "server"])
def mongo_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """A URL naming a brand-new database: in-process mongomock, or the server from
    WOLFPY_TEST_MONGO_URL (skipped when absent, failed under WOLFPY_REQUIRE_SERVICES=1)."""
    from wolfpy.db.mongo import disconnect_mongo
    name = f"wolfpy_t_{secrets.token_hex(4)}"
    if request.param == "mongomock":
        import mongomock  # noqa: F401  (dev extra: a missing package must fail, not skip)
        yield f"mongomock://localhost/{name}"
        disconnect_mongo()
        return
    base = urlsplit(service_url("mongo"))
    yield urlunsplit((base.scheme, base.netloc, "/" + name, base.query, ""))
    disconnect_mongo()
    import pymongo
    client = pymongo.MongoClient(urlunsplit((base.scheme, base.netloc, "/", base.query, "")),
                                 uuidRepresentation="standard", serverSelectionTimeoutMS=5000)
    try:
        client.drop_database(name)
    finally:
        client.close()


@pytest.fixture
def forget_project_modules() -> Iterator[None]:
    """Projects made by a test import ``models.*``: forget them, and the root on sys.path."""
    path = list(sys.path)
    yield
    for name in [n for n in sys.modules if n == "models" or n.startswith("models.")]:
        del sys.modules[name]
    sys.path[:] = path
