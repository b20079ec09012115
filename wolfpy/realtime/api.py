"""``broadcast``, ``history`` and ``presence``: callable from anywhere.

In async code (a WebSocket or an ``async def`` handler) each returns an awaitable that
is already running: ``await broadcast(...)`` waits for it, a bare ``broadcast(...)``
sends it all the same. In code with no event loop (a sync handler, ``wolfpy shell``,
a script) each does its work before returning and returns the result itself.
"""
from __future__ import annotations

import asyncio
from typing import Any

from ..http.response import dumps
from .history import message
from .hub import Hub, check_room, group, hub_for, oneshot, resolve_app, run_sync

__all__ = ["broadcast", "history", "presence"]


def _running() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def _schedule(hub: Hub, make: Any) -> Any:
    """Run ``make(hub)`` as a task: on the hub's loop when the hub lives on another one
    (an ``async def`` handler under WSGI runs on a loop of its own)."""
    loop = asyncio.get_running_loop()
    home = hub.loop
    if hub.started and home is not None and home is not loop:
        if home.is_running():
            return asyncio.wrap_future(asyncio.run_coroutine_threadsafe(make(hub), home))
        # The hub's loop is idle in another thread (WSGI workers keep a loop per thread):
        # its Redis connections belong to it, so this call gets connections of its own.
        return asyncio.ensure_future(oneshot(hub, make))
    return asyncio.ensure_future(make(hub))


def _dumps(data: Any) -> str:
    return dumps(data).decode()  # the same JSON as ws.send_json and JSON responses


def _check_persisted(data: Any) -> None:
    if not isinstance(data, dict):
        raise TypeError("a persisted message is a dict (a JSON object): WolfPy adds its \"id\"")
    if "id" in data:
        raise ValueError("a persisted message gets its \"id\" from the history; remove the key \"id\"")


def broadcast(room: str, data: Any, persist: bool = False, *, app: Any = None) -> Any:
    """Send ``data`` (anything JSON can hold) to every socket in ``room``, in every process.

    With ``persist=True`` the message (a dict) is stored in the room's history first and
    every socket receives it with its ``"id"``. Returns the message sent (an awaitable of
    it in async code).
    """
    check_room(room)
    if persist:
        _check_persisted(data)
    hub = hub_for(resolve_app(app))
    if _running():
        return _schedule(hub, lambda h: _broadcast(h, room, data, persist))
    sent = message(hub.history.add(room, data), data) if persist else data
    text = _dumps(sent)
    loop = hub.loop
    if hub.config.backend == "redis" and not (hub.started and loop is not None and loop.is_running()):
        # No server loop in this process (a WSGI worker, a shell): one PUBLISH on the
        # shared blocking client, no event loop to start.
        from ..redis import redis_client
        from .layers.redis import channel_name
        redis_client(hub.app.settings.redis.url).publish(channel_name(hub.config.redis_prefix, room), text)
        return sent

    async def publish(h: Hub) -> None:
        await h.layer.publish(room, text)
    run_sync(hub, publish)
    return sent


async def _broadcast(hub: Hub, room: str, data: Any, persist: bool) -> Any:
    await hub.start()
    if persist:
        data = message(await hub.app.threads.run(hub.history.add, room, data), data)
    await hub.layer.publish(room, _dumps(data))
    return data


def history(room: str, limit: int = 50, since: int | None = None, *, app: Any = None) -> Any:
    """``room``'s persisted messages, oldest first, each with its ``"id"``: the last
    ``limit`` ones, or the first ``limit`` after the id ``since`` (an awaitable in async code)."""
    check_room(room)
    if since is not None and (isinstance(since, bool) or not isinstance(since, int)):
        raise TypeError(f"since is a message id (an int), not {since!r}")
    hub = hub_for(resolve_app(app))
    if _running():
        return asyncio.ensure_future(hub.app.threads.run(hub.history.read, room, limit, since))
    return hub.history.read(room, limit, since)


def presence(room: str, *, app: Any = None) -> Any:
    """The members of ``room`` in every process: ``[{"identity": ..., "metas": [...]}]``,
    one per identity with the meta of each of its connections (an awaitable in async code)."""
    check_room(room)
    hub = hub_for(resolve_app(app))
    if _running():
        return _schedule(hub, lambda h: _presence(h, room))

    async def read(h: Hub) -> list[dict[str, Any]]:
        return group(await h.layer.members(room))
    return run_sync(hub, read)


async def _presence(hub: Hub, room: str) -> list[dict[str, Any]]:
    await hub.start()
    return group(await hub.layer.members(room))
