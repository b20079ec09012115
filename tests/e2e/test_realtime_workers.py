"""uvicorn with two workers and the memory layer: the server says, at startup, that
rooms are not shared between its workers (each worker keeps its server's command line)."""
from __future__ import annotations

from pathlib import Path
from typing import Callable

import pytest

from .conftest import Server, write_project

pytestmark = pytest.mark.e2e

ROUTE = """
    async def websocket(ws):
        await ws.accept()
"""


def test_memory_layer_under_two_uvicorn_workers_warns(tmp_path: Path, run_server: Callable[..., Server]) -> None:
    project = write_project(tmp_path / "p", {"routes/ws.py": ROUTE, "routes/index.py": "def get(r):\n    return 'ok'\n"},
                            '[app]\nname = "workers"\n')
    server = run_server("uvicorn", project, args=("--workers", "2")).wait_ready()
    import time
    deadline = time.monotonic() + 15
    while server.stderr().count("[realtime] backend is \"memory\" with 2 workers") < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert server.stderr().count("warning: [realtime] backend is \"memory\" with 2 workers") == 2, server.output()
