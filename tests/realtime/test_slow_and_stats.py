"""A client that does not read is dropped; statistics and who may read them; the
memory layer's warning under several workers; the [realtime] settings."""
from __future__ import annotations

import asyncio
import pytest

from wolfpy.app import App
from wolfpy.errors import ConfigError
from wolfpy.realtime import broadcast
from wolfpy.realtime.extension import memory_warning, worker_count
from wolfpy.realtime.stats import cluster_stats, local_stats
from wolfpy.testing import TestClient


def test_a_client_that_does_not_read_is_disconnected(rt_app):
    """The server's sends to this client never finish (its TCP window is full): the
    room's messages pile up in its outbox up to [realtime] max_queue, then it is closed
    with 1008 and leaves its rooms; the readers of the room are not held up."""
    app = rt_app("[realtime]\nmax_queue = 16\n")
    sent: list[dict] = []

    async def run() -> None:
        closed = asyncio.Event()
        stuck = asyncio.Event()
        inbox: asyncio.Queue = asyncio.Queue()
        await inbox.put({"type": "websocket.connect"})

        async def receive() -> dict:
            if not inbox.empty():
                return await inbox.get()
            await closed.wait()
            return {"type": "websocket.disconnect", "code": 1006}

        async def send(message: dict) -> None:
            sent.append(message)
            if message["type"] == "websocket.close":
                closed.set()
            elif message["type"] == "websocket.send":
                await stuck.wait()  # never returns: the client does not read

        scope = {"type": "websocket", "path": "/chat/flood", "raw_path": b"/chat/flood",
                 "query_string": b"name=slow", "headers": [(b"host", b"testserver")],
                 "scheme": "ws", "server": ("testserver", 80), "client": ("127.0.0.1", 5000),
                 "subprotocols": [], "asgi": {"version": "3.0"}, "root_path": ""}
        task = asyncio.ensure_future(app.asgi(scope, receive, send))
        for _ in range(100):
            await asyncio.sleep(0.01)
            if local_stats(app)["members"]:
                break
        payload = {"text": "x" * 1000}
        for _ in range(200):
            await broadcast("flood", payload, app=app)
        await asyncio.wait_for(task, 10)

    asyncio.run(run())
    closes = [m for m in sent if m["type"] == "websocket.close"]
    assert closes and closes[0]["code"] == 1008, sent[-3:]
    stats = local_stats(app)
    assert stats["slow_disconnects"] == 1
    assert stats["connections"] == 0 and stats["members"] == 0 and stats["rooms"] == 0
    # One message was being written when it stalled; nothing else was handed over.
    assert len([m for m in sent if m["type"] == "websocket.send"]) == 1


def test_local_and_cluster_stats(rt_client):
    client = rt_client()
    app = client.app
    with client.websocket_connect("/chat/s?name=ann") as ann, client.websocket_connect("/chat/s"):
        ann.receive_json()
        ann.send_json({"text": "hi", "persist": False})
        ann.receive_json()
        stats = local_stats(app)
        assert {k: stats[k] for k in ("connections", "rooms", "members")} == \
            {"connections": 2, "rooms": 1, "members": 1}
        assert stats["messages_in"] >= 1 and stats["messages_out"] >= 3 and stats["backend"] == "memory"
        import os
        assert stats["pid"] == os.getpid()
        (process,) = asyncio.run(cluster_stats(app))  # the memory layer: this process alone
        assert process["node"] == stats["node"] and process["connections"] == 2
    assert local_stats(app)["connections"] == 0


STATS_USER = """
from types import SimpleNamespace

def as_user(request, call_next):
    who = request.headers.get("x-test-user")
    request.user = None if who is None else SimpleNamespace(username=who, is_admin=who == "root")
    return call_next(request)
"""


def test_stats_url_is_for_admins_only(make_project, monkeypatch):
    monkeypatch.setenv("WOLFPY_SECRET_KEY", "k" * 40)
    root = make_project({"routes/index.py": "def get(request):\n    return 'home'\n",
                         "routes/ws.py": "async def websocket(ws):\n    await ws.accept()\n",
                         "testuser.py": STATS_USER})
    monkeypatch.syspath_prepend(str(root))
    from testuser import as_user  # type: ignore[import-not-found]
    app = App(root)
    app.load_routes()
    app.add_middleware(as_user)
    app.freeze()
    with TestClient(app) as client:
        assert client.get("/_wolfpy/stats", headers={"accept": "application/json"}).status_code == 401
        to_login = client.get("/_wolfpy/stats")
        assert to_login.status_code == 303 and to_login.headers["location"].startswith("/auth/login?next=")
        assert client.get("/_wolfpy/stats", headers={"x-test-user": "bob"}).status_code == 403
        response = client.get("/_wolfpy/stats", headers={"x-test-user": "root"})
        assert response.status_code == 200
        (process,) = response.json()["processes"]
        assert {"connections", "rooms", "members", "messages_in", "messages_out", "pid"} <= set(process)


@pytest.mark.parametrize("argv, env, expected", [
    (["uvicorn", "app:x", "--workers", "4"], {}, 4),
    (["gunicorn", "app:x", "-w", "3"], {}, 3),
    (["gunicorn", "app:x", "--workers=2"], {}, 2),
    (["gunicorn", "app:x"], {"GUNICORN_CMD_ARGS": "--bind :80 -w 5"}, 5),
    (["uvicorn", "app:x"], {"WEB_CONCURRENCY": "6"}, 6),
    (["uvicorn", "app:x"], {}, 1),
])
def test_worker_count(argv, env, expected):
    assert worker_count(env, argv) == expected


def test_memory_layer_with_several_workers_warns(rt_app):
    app = rt_app()
    assert "not shared" in memory_warning(app, workers=2)
    assert memory_warning(app, workers=1) is None
    assert memory_warning(rt_app('[realtime]\nbackend = "redis"\n'), workers=4) is None


def test_no_warning_without_websocket_routes(load_app):
    app = load_app({"routes/index.py": "def get(request):\n    return 'hi'\n"})
    assert memory_warning(app, workers=4) is None


def test_bad_realtime_settings_stop_the_start(rt_app):
    with pytest.raises(ConfigError, match=r"\[realtime\] backend"):
        rt_app('[realtime]\nbackend = "carrier-pigeon"\n')
    with pytest.raises(ConfigError, match="max_queue"):
        rt_app("[realtime]\nmax_queue = 0\n")


def test_no_stats_url_without_websocket_routes(load_app):
    app = load_app({"routes/index.py": "def get(request):\n    return 'hi'\n"})
    with TestClient(app) as client:
        assert client.get("/_wolfpy/stats").status_code == 404
