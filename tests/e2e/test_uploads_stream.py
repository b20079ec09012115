"""A large upload streams to disk: the server's memory stays flat while it is received,
parsed and stored, under gunicorn and uvicorn.

The bound is 50 MB of RSS growth per GiB uploaded. The suite sends 256 MiB (so 12.5 MB);
``UPLOAD_TEST_BYTES=1073741824`` sends 1 GiB with the same bound (about 25 s for both servers here).
"""
from __future__ import annotations

import os
import threading
import time
from pathlib import Path
from typing import Callable

import pytest

from .conftest import Server
from .upload_project import make_upload_project, rss_kib, stored_files, stream_upload, upload

pytestmark = pytest.mark.e2e

SIZE = int(os.environ.get("UPLOAD_TEST_BYTES", 256 * 1024 * 1024))
GROWTH_PER_GIB = 50 * 1000 * 1000  # bytes


@pytest.mark.parametrize("kind", ["gunicorn", "uvicorn"])
def test_a_large_upload_keeps_memory_flat(kind: str, tmp_path: Path,
                                          run_server: Callable[..., Server]) -> None:
    project = make_upload_project(tmp_path / "site", body_limit=SIZE + 2**20, max_size=SIZE + 2**20)
    server = run_server(kind, project).wait_ready()
    assert server.proc is not None
    # A first small upload loads everything a request needs, so it is not counted as growth.
    assert upload(server.port, "/docs", b"warm up", filename="w.txt", ctype="text/plain")[0] == 201
    base = rss_kib(server.proc.pid)
    peak = [base]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], rss_kib(server.proc.pid))  # type: ignore[union-attr]
            time.sleep(0.02)

    sampler = threading.Thread(target=sample)
    sampler.start()
    try:
        status, body = stream_upload(server.port, "/docs", SIZE)
    finally:
        done.set()
        sampler.join()
    assert status == 201, body[:300]
    growth = (peak[0] - base) * 1024
    print(f"{kind}: {SIZE} bytes uploaded, RSS grew by {growth} bytes")
    assert growth < GROWTH_PER_GIB * SIZE / 2**30, f"RSS grew by {growth} bytes"
    stored = [n for n in stored_files(project) if (project / "media" / n).stat().st_size == SIZE]
    assert len(stored) == 1
