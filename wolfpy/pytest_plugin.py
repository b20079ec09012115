"""pytest plugin (registered through the ``pytest11`` entry point): ``app`` and ``client`` fixtures.

In a WolfPy project, ``app`` is the project found from the current directory
and ``client`` a :class:`~wolfpy.testing.TestClient` for it. Override either
fixture in a ``conftest.py`` to change that.
"""
from __future__ import annotations

import os
from typing import Any, Iterator

import pytest


@pytest.fixture
def app() -> Any:
    from .app import load
    return load(os.environ.get("WOLFPY_PROJECT", os.getcwd()))


@pytest.fixture
def client(app: Any) -> Iterator[Any]:
    from .testing import TestClient
    with TestClient(app) as c:
        yield c
