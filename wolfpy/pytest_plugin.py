"""pytest plugin (registered through the ``pytest11`` entry point): ``app`` and ``client`` fixtures.

In a WolfPy project, ``app`` is the project found from the current directory
and ``client`` a :class:`~wolfpy.testing.TestClient` for it. Override either
fixture in a ``conftest.py`` to change that.
"""
from __future__ import annotations

import os
import sys
from typing import Any, Iterator

import pytest


def pytest_configure(config: Any) -> None:
    # Inside a project, its root goes on sys.path, so tests import `models.post` as routes do.
    from .errors import ProjectNotFound
    from .project import Project
    try:
        project = Project.discover(os.environ.get("WOLFPY_PROJECT", os.getcwd()))
    except ProjectNotFound:
        return
    root = str(project.root)
    if root not in sys.path:
        sys.path.insert(0, root)


@pytest.fixture
def app() -> Any:
    from .app import load
    return load(os.environ.get("WOLFPY_PROJECT", os.getcwd()))


@pytest.fixture
def client(app: Any) -> Iterator[Any]:
    from .testing import TestClient
    with TestClient(app) as c:
        yield c
