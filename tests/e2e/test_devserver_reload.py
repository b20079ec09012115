"""End to end: what ``wolfpy serve`` reloads in its serving process and what restarts it.

One reloading ``wolfpy serve`` on a ``wolfpy new`` project, driven over HTTP. A route
answers with ``os.getpid()``, so each test can tell whether the serving process stayed
the same (an in-process reload) or was replaced (a restart):

- a route edit, a new route file, a renamed folder of routes, a deleted route and a
  template edit are served by the same process; so is the fix of a route with a syntax
  error, after the error page;
- an open live-reload stream is told to reload after an in-process reload;
- requests made while routes are reloaded never see a half-built route table, and the
  modules of the routes that did not change are not run again;
- a model edit, a helper module (``routes/_*.py``) and a route file that another route
  imports by name restart it.
"""
from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

from .test_devserver import (EDIT_BUDGET, CliServer, EventStream, get, new_project, next_whole_second, poll,
                             report, without_livereload)

pytestmark = pytest.mark.e2e

RELOAD_BUDGET = 3.0   # generous: an in-process reload takes about 0.1 s here


@pytest.fixture(scope="module")
def dev(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CliServer]:
    base = tmp_path_factory.mktemp("hotreload")
    project = new_project(base)
    (project / "routes/pid.py").write_text(
        "import os\n\n\ndef get(request):\n    return {\"pid\": os.getpid()}\n")
    # For the restart test: a helper, and a route that imports it and another route by name.
    (project / "routes/_words.py").write_text('WORD = "alpha"\n')
    (project / "routes/quote.py").write_text('def get(request):\n    return "quote one"\n')
    (project / "routes/shout.py").write_text(
        "from routes._words import WORD\nfrom routes.quote import get as quote\n\n\n"
        "def get(request):\n    return WORD + ' ' + quote(request)\n")
    server = CliServer(project, base / "logs")
    try:
        server.start().wait_ready()
        server.wait_for_stdout(rf"http://127\.0\.0\.1:{server.port}")
        yield server
    finally:
        server.stop()


def pid(server: CliServer) -> int:
    reply, _ = poll(server.port, "/pid", lambda r: r.status == 200, server=server)
    return int(json.loads(reply.text)["pid"])


def text_is(expected: str) -> Callable[[Any], bool]:
    return lambda r: r.status == 200 and without_livereload(r.text) == expected


def restarts(server: CliServer) -> int:
    return server.stderr().count("restarting")


def test_route_edit_is_served_by_the_same_process(
        dev: CliServer, record_property: Callable[[str, Any], None]) -> None:
    route = dev.project / "routes/hello.py"
    route.write_text('def get(request):\n    return "first"\n')
    poll(dev.port, "/hello", text_is("first"), server=dev)
    before, restarted = pid(dev), restarts(dev)

    for n in range(3):
        route.write_text(f'def get(request):\n    return "edit {n}"\n')
        _, took = poll(dev.port, "/hello", text_is(f"edit {n}"), server=dev)
        report(record_property, f"route edit {n} served", took)
        assert took < RELOAD_BUDGET, f"a route edit took {took:.2f}s to be served"

    assert pid(dev) == before, "a route edit restarted the serving process"
    assert restarts(dev) == restarted, dev.stderr()
    assert "hello.py: reloaded in" in dev.stderr()


def test_added_renamed_and_deleted_routes(dev: CliServer) -> None:
    before, restarted = pid(dev), restarts(dev)
    page = dev.project / "routes/docs_extra" / "[slug].py"
    page.parent.mkdir()
    page.write_text('def get(request, slug: str):\n    return f"page {slug}"\n')
    poll(dev.port, "/docs_extra/intro", text_is("page intro"), timeout=RELOAD_BUDGET, server=dev)

    moved = page.parent.rename(dev.project / "routes/docs_moved")   # a folder renamed: its files move
    poll(dev.port, "/docs_moved/intro", text_is("page intro"), timeout=RELOAD_BUDGET, server=dev)
    assert get(dev.port, "/docs_extra/intro").status == 404

    (moved / "[slug].py").unlink()
    poll(dev.port, "/docs_moved/intro", lambda r: r.status == 404, timeout=RELOAD_BUDGET, server=dev)
    assert pid(dev) == before and restarts(dev) == restarted, dev.stderr()
    assert get(dev.port, "/").status == 200


def test_syntax_error_page_then_the_fix_recovers_without_a_restart(dev: CliServer) -> None:
    before, restarted = pid(dev), restarts(dev)
    broken = dev.project / "routes/broken.py"
    try:
        broken.write_text("def get(request):\n    return )\n")
        reply, _ = poll(dev.port, "/", lambda r: r.status == 500, server=dev)
        assert "routes/broken.py:2" in reply.text, reply.text
        assert "/_wolfpy/livereload" in reply.text
        assert "Traceback" not in reply.text

        broken.write_text('def get(request):\n    return "fixed"\n')
        poll(dev.port, "/broken", text_is("fixed"), timeout=RELOAD_BUDGET, server=dev)
        assert "Welcome to demo" in get(dev.port, "/").text
    finally:
        broken.unlink(missing_ok=True)
    poll(dev.port, "/broken", lambda r: r.status == 404, server=dev)
    assert pid(dev) == before and restarts(dev) == restarted, dev.stderr()


def test_livereload_stream_is_told_after_an_in_process_reload(dev: CliServer) -> None:
    route = dev.project / "routes/live.py"
    route.write_text('def get(request):\n    return "one"\n')
    poll(dev.port, "/live", text_is("one"), server=dev)
    stream = EventStream(dev.port)
    try:
        assert stream.read_until(b"\n\n", 5.0), stream.buffer
        route.write_text('def get(request):\n    return "two"\n')
        assert stream.read_until(b"event: reload", RELOAD_BUDGET), stream.buffer
    finally:
        stream.close()
    assert without_livereload(get(dev.port, "/live").text) == "two"


def test_template_edit_is_served_by_the_same_process(dev: CliServer) -> None:
    template = dev.project / "templates/note.html"
    route = dev.project / "routes/note.py"
    template.write_text("<p>note one</p>\n")
    route.write_text('from wolfpy import render\n\n\ndef get(request):\n    return render("note.html")\n')
    poll(dev.port, "/note", lambda r: "note one" in r.text, server=dev)
    before = pid(dev)
    next_whole_second()
    template.write_text("<p>note two</p>\n")
    poll(dev.port, "/note", lambda r: "note two" in r.text, timeout=EDIT_BUDGET, server=dev)
    assert pid(dev) == before


def changed_pid(server: CliServer, before: int) -> int:
    deadline = time.monotonic() + 15
    while True:
        now = pid(server)
        if now != before:
            return now
        assert time.monotonic() < deadline, f"still served by {before}:\n{server.stderr()}"
        time.sleep(0.05)


def test_model_edit_restarts_the_process(dev: CliServer) -> None:
    before = pid(dev)
    (dev.project / "models/tag.py").write_text(
        "from wolfpy.db import CharField, Model\n\n\nclass Tag(Model):\n    name = CharField()\n")
    changed_pid(dev, before)
    assert "tag.py: restarting" in dev.stderr()


def test_helper_and_imported_route_restart_the_process(dev: CliServer) -> None:
    helper, quote = dev.project / "routes/_words.py", dev.project / "routes/quote.py"
    poll(dev.port, "/shout", text_is("alpha quote one"), server=dev)

    before = pid(dev)
    helper.write_text('WORD = "beta"\n')
    poll(dev.port, "/shout", text_is("beta quote one"), server=dev)
    after_helper = changed_pid(dev, before)

    quote.write_text('def get(request):\n    return "quote two"\n')
    poll(dev.port, "/shout", text_is("beta quote two"), server=dev)
    changed_pid(dev, after_helper)
    assert "quote.py: imported as the module routes.quote, restarting" in dev.stderr()


def test_requests_during_reloads_see_a_whole_route_table(dev: CliServer) -> None:
    """While route files come and go, a route that stays is always served (never a 404 or
    500 from a table half built), and the edited one answers with some saved version."""
    import threading
    route = dev.project / "routes/churn.py"
    route.write_text('def get(request):\n    return "v0"\n')
    poll(dev.port, "/churn", text_is("v0"), server=dev)
    before = pid(dev)
    seen: list[tuple[str, int, str]] = []
    stop = threading.Event()

    def hammer(path: str) -> None:
        while not stop.is_set():
            reply = get(dev.port, path)
            seen.append((path, reply.status, without_livereload(reply.text)))

    threads = [threading.Thread(target=hammer, args=(p,)) for p in ("/pid", "/churn")]
    for thread in threads:
        thread.start()
    try:
        for n in range(1, 8):
            extra = dev.project / f"routes/churn_extra{n}.py"
            extra.write_text('def get(request):\n    return "extra"\n')
            route.write_text(f'def get(request):\n    return "v{n}"\n')
            poll(dev.port, "/churn", text_is(f"v{n}"), timeout=RELOAD_BUDGET, server=dev)
            extra.unlink()
    finally:
        stop.set()
        for thread in threads:
            thread.join(10)
    assert sum(1 for path, _, _ in seen if path == "/pid") > 20, len(seen)
    assert all(status == 200 for _, status, _ in seen), [s for s in seen if s[1] != 200][:5]
    assert {text for path, _, text in seen if path == "/churn"} <= {f"v{n}" for n in range(8)}
    assert pid(dev) == before


def test_only_the_changed_route_module_runs_again(dev: CliServer) -> None:
    """Module-level state of the routes that did not change (a cache, a token) survives a reload."""
    stamp = dev.project / "routes/stamp.py"
    other = dev.project / "routes/other.py"
    stamp.write_text("import uuid\n\nTOKEN = uuid.uuid4().hex\n\n\ndef get(request):\n    return {\"token\": TOKEN}\n")
    other.write_text('def get(request):\n    return "other 0"\n')
    poll(dev.port, "/other", text_is("other 0"), server=dev)
    token = json.loads(poll(dev.port, "/stamp", lambda r: r.status == 200, server=dev)[0].text)["token"]

    other.write_text('def get(request):\n    return "other 1"\n')
    poll(dev.port, "/other", text_is("other 1"), timeout=RELOAD_BUDGET, server=dev)
    assert json.loads(get(dev.port, "/stamp").text)["token"] == token

    stamp.write_text(stamp.read_text() + "\n# edited\n")
    poll(dev.port, "/stamp", lambda r: r.status == 200 and json.loads(r.text)["token"] != token,
         timeout=RELOAD_BUDGET, server=dev)


def test_handlers_still_read_the_terminal(tmp_path: Path) -> None:
    """The reload requests have a pipe of their own: what is typed into ``wolfpy serve``'s
    terminal still reaches a handler (``breakpoint()`` in a route reads it)."""
    import subprocess
    from .test_devserver import wolfpy_cmd
    project = new_project(tmp_path)
    (project / "routes/typed.py").write_text(
        "import sys\n\n\ndef get(request):\n    return {\"line\": sys.stdin.readline()}\n")
    server = CliServer(project, tmp_path / "logs")
    server._out, server._err = open(server.out_path, "wb"), open(server.err_path, "wb")
    server.proc = subprocess.Popen([*wolfpy_cmd(), "serve", "--port", str(server.port)], cwd=project,
                                   env=server.env, stdin=subprocess.PIPE, stdout=server._out,
                                   stderr=server._err, start_new_session=True)
    try:
        assert server.proc.stdin is not None
        server.proc.stdin.write(b"typed at the terminal\n")
        server.proc.stdin.flush()
        server.wait_ready()
        reply, _ = poll(server.port, "/typed", lambda r: r.status == 200, server=server)
        assert json.loads(reply.text) == {"line": "typed at the terminal\n"}
    finally:
        server.stop()
        server.proc.stdin.close()
