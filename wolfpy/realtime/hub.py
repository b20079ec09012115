"""The realtime state of one App in one process: its rooms, counters and channel layer.

Every App that serves WebSockets gets one :class:`Hub`, made on first use. It holds
the sockets of this process by room, hands messages to them, and talks to the channel
layer (``[realtime] backend``) for everything other processes must see.
"""
from __future__ import annotations

import asyncio
import logging
import os
import secrets
import socket
import threading
import time
import weakref
from dataclasses import dataclass
from typing import Any, Callable, Coroutine, TypeVar

from ..errors import ConfigError
from ..http.response import dumps
from .layers import make_layer

T = TypeVar("T")
log = logging.getLogger("wolfpy.realtime")

# The hub of each App (an App has no slot for it, and must not be kept alive by it).
_hubs: "weakref.WeakKeyDictionary[Any, Hub]" = weakref.WeakKeyDictionary()
_hubs_lock = threading.Lock()
# The App whose realtime was set up last in this process: ``broadcast()`` outside a
# request (``wolfpy shell``, a script) uses it. Process-wide on purpose, weakly held.
_default_app: "weakref.ref[Any] | None" = None

MAX_ROOM = 200


@dataclass(frozen=True)
class RealtimeConfig:
    """``[realtime]`` read and checked once."""

    backend: str
    max_queue: int
    history_max: int
    history_retention: float
    presence_ttl: float
    redis_prefix: str

    @classmethod
    def from_settings(cls, settings: Any) -> "RealtimeConfig":
        get = settings.get
        config = cls(str(get("realtime", "backend", "memory")), int(get("realtime", "max_queue", 256)),
                     int(get("realtime", "history_max", 1000)),
                     float(get("realtime", "history_retention", 0)),
                     float(get("realtime", "presence_ttl", 10)),
                     str(get("realtime", "redis_prefix", "wolfpy:rt:")))
        if config.backend not in ("memory", "redis"):
            raise ConfigError(f"[realtime] backend must be \"memory\" or \"redis\", not {config.backend!r}")
        if config.max_queue < 1:
            raise ConfigError("[realtime] max_queue must be at least 1")
        if config.presence_ttl < 1:
            raise ConfigError("[realtime] presence_ttl must be at least 1 (seconds)")
        return config


def _control(c: str) -> bool:
    return ord(c) < 32 or 0x7F <= ord(c) <= 0x9F or c in "\u2028\u2029"   # C0, DEL, C1, line breaks


def check_room(room: Any) -> str:
    """A room name: a non-empty string of at most 200 characters, no control characters."""
    if not isinstance(room, str) or not room or len(room) > MAX_ROOM or any(_control(c) for c in room):
        raise ValueError(f"a room is a name of 1 to {MAX_ROOM} printable characters, not {room!r}")
    return room


class Hub:
    """Rooms, presence and counters of one App in this process."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.config = RealtimeConfig.from_settings(app.settings)
        self.node = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"
        self.rooms: dict[str, dict[str, Any]] = {}  # room -> connection id -> WebSocket
        self.connections = 0
        self.messages_in = 0
        self.messages_out = 0
        self.slow_disconnects = 0
        self.created = time.time()
        self.layer: Any = None
        self.loop: asyncio.AbstractEventLoop | None = None
        self.started = False
        self._start_lock: asyncio.Lock | None = None
        self._counter = 0
        self._history: Any = None
        self._sample: tuple[float, int, int] | None = None

    # -- lifecycle -----------------------------------------------------------------
    async def start(self) -> None:
        """Start the channel layer on the running loop (once; later calls return at once)."""
        if self.started:
            return
        if self._start_lock is None:
            self._start_lock = asyncio.Lock()
        async with self._start_lock:
            if self.started:
                return
            layer = make_layer(self)
            await layer.start()
            self.layer, self.loop, self.started = layer, asyncio.get_running_loop(), True

    async def stop(self) -> None:
        if self.started and self.layer is not None:
            self.started = False
            await self.layer.stop()
            self.layer = None

    def new_connection_id(self) -> str:
        self._counter += 1
        return f"{self.node}:{self._counter}"

    @property
    def history(self) -> Any:
        if self._history is None:
            from .history import History
            self._history = History(self.app.database, self.config.history_max,
                                    self.config.history_retention)
        return self._history

    def snapshot(self) -> dict[str, Any]:
        """This process's figures (see :func:`wolfpy.realtime.stats.local_stats`)."""
        now = time.time()
        previous = self._sample or (self.created, 0, 0)
        elapsed = max(now - previous[0], 1e-6)
        rate_in = (self.messages_in - previous[1]) / elapsed
        rate_out = (self.messages_out - previous[2]) / elapsed
        if now - previous[0] >= 1:
            self._sample = (now, self.messages_in, self.messages_out)
        return {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "node": self.node,
            "backend": self.config.backend,
            "connections": self.connections,
            "rooms": len(self.rooms),
            "members": sum(1 for members in self.rooms.values() for ws in members.values()
                           if ws.identity is not None),
            "messages_in": self.messages_in,
            "messages_out": self.messages_out,
            "messages_in_per_second": round(rate_in, 2),
            "messages_out_per_second": round(rate_out, 2),
            "slow_disconnects": self.slow_disconnects,
            "uptime": round(now - self.created, 1),
        }

    # -- local delivery -----------------------------------------------------------
    def deliver_local(self, room: str, text: str) -> None:
        """Hand ``text`` to every socket of this process in ``room`` (on the hub's loop)."""
        members = self.rooms.get(room)
        if not members:
            return
        loop = self.loop
        if loop is not None and _running_loop() is not loop:
            loop.call_soon_threadsafe(self.deliver_local, room, text)
            return
        for ws in list(members.values()):
            ws.enqueue(text)

    def local_entries(self, room: str) -> list[dict[str, Any]]:
        return [ws.presence_entry(room) for ws in self.rooms.get(room, {}).values()
                if ws.identity is not None]

    @staticmethod
    def presence_event(joins: list[dict[str, Any]], leaves: list[dict[str, Any]]) -> str:
        return dumps({"type": "presence", "joins": group(joins), "leaves": group(leaves)}).decode()

    # -- joining and leaving ---------------------------------------------------------
    async def add(self, room: str, ws: Any) -> None:
        await self.start()
        members = self.rooms.setdefault(room, {})
        first = not members
        members[ws.connection_id] = ws
        if first:
            await self.layer.room_opened(room)
        if ws.identity is None:
            return
        entry = ws.presence_entry(room)
        await self.layer.track(room, ws.connection_id, entry)
        # The newcomer learns every member (itself included), then everyone learns of it.
        ws.enqueue(self.presence_event(await self.layer.members(room), []))
        announce = self.presence_event([entry], [])
        ws.skip_once = announce  # its own arrival is in the list it just got
        await self.layer.publish(room, announce)

    async def remove(self, room: str, ws: Any) -> None:
        members = self.rooms.get(room)
        if members is None or members.pop(ws.connection_id, None) is None:
            return
        if not members:
            del self.rooms[room]
        if self.layer is None:  # stopped (the app shut down): its leaves were announced then
            return
        try:
            if ws.identity is not None:
                gone = await self.layer.untrack(room, [ws.connection_id])
                if gone:
                    await self.layer.publish(room, self.presence_event([], [ws.presence_entry(room)]))
            if not members and room not in self.rooms:
                await self.layer.room_closed(room)
        except Exception:  # the layer is down: heartbeats remove this member later
            log.warning("realtime: could not announce a leave of %r", room)


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


def group(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Connection entries → members: one per identity, with the metas of its connections."""
    members: dict[str, dict[str, Any]] = {}
    for entry in entries:
        key = dumps(entry["identity"]).decode()
        members.setdefault(key, {"identity": entry["identity"], "metas": []})["metas"].append(entry["meta"])
    return list(members.values())


def hub_for(app: Any) -> Hub:
    """``app``'s hub, made on first use."""
    global _default_app
    hub = _hubs.get(app)
    if hub is None:
        with _hubs_lock:
            hub = _hubs.get(app)
            if hub is None:
                hub = _hubs[app] = Hub(app)
                _default_app = weakref.ref(app)
    return hub


def existing_hub(app: Any) -> Hub | None:
    return _hubs.get(app)


def register_default(app: Any) -> None:
    """Make ``app`` the one ``broadcast()`` uses outside a request (the last one set up)."""
    global _default_app
    _default_app = weakref.ref(app)


def resolve_app(app: Any = None) -> Any:
    """The App to act for: ``app``, the current request's, or the last one set up here."""
    if app is not None:
        return app
    from ..context import request_or_none
    request = request_or_none()
    if request is not None:
        return request.app
    found = _default_app() if _default_app is not None else None
    if found is None:
        raise RuntimeError("no WolfPy app in this process: pass app=, or call this from a handler, "
                           "`wolfpy shell` or a script that loaded the project (wolfpy.load())")
    return found


async def oneshot(hub: Hub, make: Callable[[Hub], Coroutine[Any, Any, T]]) -> T:
    """Run ``make`` on the running loop with a one-off layer (no subscriptions, no
    heartbeat): for a loop that is not the hub's (a shell, a WSGI worker thread)."""
    temp = Hub.__new__(Hub)
    temp.__dict__.update(hub.__dict__)
    if temp.config.backend == "redis":
        from .layers.redis import RedisLayer
        temp.layer = RedisLayer(temp, light=True)
    else:
        from .layers.memory import MemoryLayer
        temp.layer = MemoryLayer(temp)
    await temp.layer.start()
    temp.started, temp.loop, temp.rooms = True, asyncio.get_running_loop(), {}
    try:
        return await make(temp)
    finally:
        await temp.layer.stop()


def run_sync(hub: Hub, make: Callable[[Hub], Coroutine[Any, Any, T]]) -> T:
    """Run ``make(hub)`` from code with no event loop: on the hub's loop when a server
    runs it in another thread, else in a loop of its own with a one-off layer."""
    loop = hub.loop
    if hub.started and loop is not None and loop.is_running():
        return asyncio.run_coroutine_threadsafe(make(hub), loop).result(timeout=30)
    return asyncio.run(oneshot(hub, make))
