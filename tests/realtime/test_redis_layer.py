"""The Redis layer in one test process: two Apps stand for two servers (each its own
node, loop and connections), sharing one Redis under a prefix of the test's own."""
from __future__ import annotations

import time
import uuid
from typing import Any, Iterator

import pytest

from tests.realtime.conftest import is_chat, receive_until
from tests.services import service_url
from wolfpy.realtime import broadcast, presence
from wolfpy.realtime.hub import hub_for, run_sync
from wolfpy.realtime.stats import local_stats


@pytest.fixture
def redis_toml() -> Iterator[str]:
    url = service_url("redis")
    prefix = f"wolfpy-test:{uuid.uuid4().hex}:"
    yield f'[redis]\nurl = "{url}"\n[realtime]\nbackend = "redis"\npresence_ttl = 1\nredis_prefix = "{prefix}"\n'
    import redis
    client = redis.Redis.from_url(url)
    keys = list(client.scan_iter(match=prefix + "*"))
    if keys:
        client.delete(*keys)
    client.close()


def names(members: list[dict[str, Any]]) -> list[str]:
    return sorted(m["identity"] for m in members)


def test_two_processes_share_rooms_and_presence(rt_client, redis_toml):
    one, two = rt_client(redis_toml), rt_client(redis_toml)
    with one.websocket_connect("/chat/x?name=ann") as ann, two.websocket_connect("/chat/x?name=bob") as bob:
        receive_until(ann, lambda m: m.get("type") == "presence" and "bob" in names(m["joins"]))
        assert names(presence("x", app=one.app)) == names(presence("x", app=two.app)) == ["ann", "bob"]
        bob.send_json({"text": "from two"})
        assert receive_until(ann, is_chat)["text"] == "from two"
        sent = broadcast("x", {"text": "from a script"}, persist=True, app=one.app)
        assert receive_until(bob, lambda m: m.get("text") == "from a script") == sent
        stats = run_sync(hub_for(one.app), lambda hub: hub.layer.nodes_stats())
        assert sorted(s["node"] for s in stats) == sorted([hub_for(one.app).node, hub_for(two.app).node])
    # bob's socket closed: ann's process no longer lists him
    assert presence("x", app=one.app) == []


def test_a_silent_node_leaves_presence_within_the_bound(rt_client, redis_toml):
    watcher, doomed = rt_client(redis_toml), rt_client(redis_toml)
    with watcher.websocket_connect("/chat/y?name=ann") as ann, doomed.websocket_connect("/chat/y?name=zed"):
        receive_until(ann, lambda m: m.get("type") == "presence" and "zed" in names(m["joins"]))
        # The doomed process stops its heartbeats without a goodbye, as a killed one would.
        beat = hub_for(doomed.app).layer._tasks[1]
        doomed._loop.call_soon_threadsafe(beat.cancel)
        start = time.monotonic()
        left = receive_until(ann, lambda m: m.get("type") == "presence" and m["leaves"])
        assert names(left["leaves"]) == ["zed"]
        assert time.monotonic() - start < 1 * 4 / 3 + 1.5  # presence_ttl × 4/3, plus slack
        assert names(presence("y", app=watcher.app)) == ["ann"]
        assert local_stats(watcher.app)["members"] == 1


def test_inspect_realtime_and_a_shell_broadcast_reach_every_process(rt_client, redis_toml):
    import json

    from tests.cli_runner import run_cli
    one, two = rt_client(redis_toml), rt_client(redis_toml)
    root = one.app.project.root
    with one.websocket_connect("/chat/z?name=ann") as ann, two.websocket_connect("/chat/z?name=bob"):
        receive_until(ann, lambda m: m.get("type") == "presence" and "bob" in names(m["joins"]))
        deadline = time.monotonic() + 5
        while True:  # each process writes its figures to Redis at every heartbeat
            code, out, err = run_cli("inspect", "realtime", "--json", cwd=root)
            assert code == 0, err
            stats = json.loads(out)
            if [s["members"] for s in stats] == [1, 1] or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert sorted(s["pid"] for s in stats) == [stats[0]["pid"]] * 2  # two nodes of this test process
        assert [s["members"] for s in stats] == [1, 1] and all(s["rooms"] == 1 for s in stats)
        code, out, err = run_cli("inspect", "realtime", cwd=root)
        assert code == 0 and "CONNECTIONS" in out and "2 processes" in out, out + err
        code, out, err = run_cli("shell", "-c", "from wolfpy.realtime import broadcast\n"
                                 "print(broadcast('z', {'text': 'from the shell'}, persist=True)['id'])",
                                 cwd=root)
        assert code == 0, err
        message = receive_until(ann, is_chat)
        assert message == {"id": int(out.strip()), "text": "from the shell"}


def test_inspect_realtime_on_the_memory_layer_says_where_to_look(rt_client):
    from tests.cli_runner import run_cli
    code, out, _ = run_cli("inspect", "realtime", cwd=rt_client().app.project.root)
    assert code == 0 and "/_wolfpy/stats" in out


def test_inspect_realtime_with_redis_down_is_one_line(rt_client):
    from tests.cli_runner import run_cli
    toml = '[redis]\nurl = "redis://127.0.0.1:9/0"\n[realtime]\nbackend = "redis"\n'
    code, out, err = run_cli("inspect", "realtime", cwd=rt_client(toml).app.project.root)
    assert code != 0 and err.startswith("error: cannot read the realtime statistics") and "Traceback" not in err


def test_async_calls_from_loops_that_are_not_running(rt_client, rt_app, redis_toml):
    """A WSGI worker keeps one event loop per thread and runs it only during a request:
    an ``async def`` handler's broadcast works from any of them."""
    import asyncio

    listener, worker = rt_client(redis_toml), rt_app(redis_toml)

    async def handler(text):
        return await broadcast("w", {"text": text}, app=worker)

    with listener.websocket_connect("/chat/w?name=ann") as ann:
        ann.receive_json()
        first, second = asyncio.new_event_loop(), asyncio.new_event_loop()
        try:
            first.run_until_complete(handler("from the first thread's loop"))
            second.run_until_complete(handler("from the second thread's loop"))
            first.run_until_complete(handler("the first loop again"))
            got = [receive_until(ann, is_chat)["text"] for _ in range(3)]
            assert got == ["from the first thread's loop", "from the second thread's loop", "the first loop again"]
        finally:
            first.run_until_complete(hub_for(worker).stop())
            first.close()
            second.close()
