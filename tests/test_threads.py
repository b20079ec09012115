"""The worker threads sync handlers run in under ASGI (``wolfpy.concurrency.ThreadRunner``)."""
from __future__ import annotations

import asyncio
import contextvars
import threading
import time

import pytest

from wolfpy.concurrency import ThreadRunner
from wolfpy.testing import TestClient

VAR: contextvars.ContextVar[str] = contextvars.ContextVar("VAR", default="unset")


def _workers() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("wolfpy-sync_")]


def test_jobs_run_in_threads_with_the_callers_context_and_errors_come_back():
    runner = ThreadRunner(max_workers=4)

    def job(x: int) -> tuple[str, int, bool]:
        return VAR.get(), x * 2, threading.current_thread() is threading.main_thread()

    async def main() -> None:
        VAR.set("from the request")
        assert await runner.run(job, 21) == ("from the request", 42, False)
        with pytest.raises(ZeroDivisionError):
            await runner.run(lambda: 1 / 0)
    try:
        asyncio.run(main())
    finally:
        runner.shutdown()


def test_sequential_jobs_reuse_one_warm_thread_and_shutdown_ends_it():
    before = set(_workers())
    runner = ThreadRunner(max_workers=40)
    names: list[str] = []

    async def main() -> None:
        for _ in range(50):
            names.append(await runner.run(lambda: threading.current_thread().name))
    asyncio.run(main())
    assert len(set(names)) == 1  # one after the other: the thread that finished last takes the next
    runner.shutdown()
    deadline = time.monotonic() + 5
    while set(_workers()) - before and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not set(_workers()) - before


def test_beyond_max_workers_jobs_wait_and_a_cancelled_wait_is_skipped():
    runner = ThreadRunner(max_workers=2)
    ran: list[int] = []

    def slow(i: int) -> int:
        time.sleep(0.2)
        ran.append(i)
        return i

    async def main() -> None:
        start = time.perf_counter()
        jobs = [asyncio.ensure_future(runner.run(slow, i)) for i in range(5)]
        await asyncio.sleep(0.05)
        jobs[4].cancel()  # still in the backlog: never runs
        done = await asyncio.gather(*jobs[:4])
        took = time.perf_counter() - start
        assert done == [0, 1, 2, 3]
        assert 0.35 < took < 2.0  # two at a time: two rounds of 0.2 s
        await asyncio.sleep(0.3)
        assert sorted(ran) == [0, 1, 2, 3]
    try:
        asyncio.run(main())
    finally:
        runner.shutdown()


ROUTES = {
    "routes/slow.py": "import time\ndef get(request):\n    time.sleep(0.5)\n    return 'slow'\n",
    "routes/quick.py": "async def get(request):\n    return 'quick'\n",
}


def test_a_blocking_sync_handler_does_not_stall_the_event_loop(load_app):
    app = load_app(ROUTES)
    with TestClient(app, protocol="asgi") as client:
        result: dict[str, float] = {}

        def slow() -> None:
            assert client.get("/slow").text == "slow"
            result["slow"] = time.perf_counter()
        thread = threading.Thread(target=slow)
        thread.start()
        time.sleep(0.1)
        assert client.get("/quick").text == "quick"
        quick = time.perf_counter()
        thread.join(10)
        assert quick < result["slow"]  # served while the sync handler still slept


MARKED = {
    "routes/marked.py": """
        import threading
        from wolfpy import nonblocking

        @nonblocking
        def get(request):
            return threading.current_thread().name
    """,
    "routes/plain.py": "import threading\ndef get(request):\n    return threading.current_thread().name\n",
}


@pytest.mark.parametrize("debug", [False, True])
def test_a_nonblocking_handler_runs_on_the_event_loop_and_others_in_a_worker(load_app, debug):
    app = load_app(MARKED, toml=f"[app]\ndebug = {'true' if debug else 'false'}\n")
    with TestClient(app, protocol="asgi") as client:
        loop_thread = client.get("/marked").text
        assert not loop_thread.startswith("wolfpy-sync_")
        assert client.get("/plain").text.startswith("wolfpy-sync_")
    # Under WSGI both run in the server's thread, as always.
    wsgi = TestClient(app)
    assert wsgi.get("/marked").text == wsgi.get("/plain").text == threading.current_thread().name
