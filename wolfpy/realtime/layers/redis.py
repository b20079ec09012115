"""The Redis layer: pub/sub fan-out between processes, presence with heartbeats.

Every process (a *node*) subscribes to the channels of the rooms it has sockets in,
and a broadcast is one ``PUBLISH``. Presence is a hash per room (connection id →
identity and meta) plus a sorted set of nodes scored by their last heartbeat, in
Redis's own clock. Every ``presence_ttl / 3`` seconds each node refreshes its score
and removes the connections of nodes silent for longer than ``presence_ttl``,
announcing their leaves (``HDEL``'s answer decides which node announces, so a leave
is announced once). A node killed without a goodbye is gone from presence within
``presence_ttl × 4/3`` seconds; readers skip its entries at once after ``presence_ttl``.
All keys and channels start with ``[realtime] redis_prefix``.
"""
from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from typing import Any

from ...errors import ConfigError, MissingExtra
from ...http.response import dumps

log = logging.getLogger("wolfpy.realtime")


def channel_name(prefix: str, room: str) -> str:
    """The pub/sub channel of ``room``."""
    return f"{prefix}room:{room}"


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


class RedisLayer:
    shared = True

    def __init__(self, hub: Any, *, light: bool = False) -> None:
        self.hub = hub
        self.light = light  # a one-off client (a shell's broadcast): no subscriptions, no heartbeat
        config = hub.config
        url = hub.app.settings.redis.url
        if not url:
            raise ConfigError("[realtime] backend = \"redis\" needs [redis] url (or REDIS_URL)")
        self.url = url
        self.prefix = config.redis_prefix
        self.ttl = float(config.presence_ttl)
        self.client: Any = None
        self.pubsub: Any = None
        self._tasks: list[asyncio.Task[Any]] = []
        self._rooms: set[str] = set()
        self._confirm: dict[str, asyncio.Future[None]] = {}  # channel -> its SUBSCRIBE's answer

    # -- keys --------------------------------------------------------------------
    def channel(self, room: str) -> str:
        return channel_name(self.prefix, room)

    def _presence(self, room: str) -> str:
        return f"{self.prefix}presence:{room}"

    def _conns(self, node: str) -> str:
        return f"{self.prefix}conns:{node}"

    @property
    def _nodes(self) -> str:
        return f"{self.prefix}nodes"

    @property
    def _stats(self) -> str:
        return f"{self.prefix}stats"

    # -- lifecycle -----------------------------------------------------------------
    async def start(self) -> None:
        try:
            import redis.asyncio as aioredis
        except ImportError:  # pragma: no cover - redis is a dependency of the redis extra
            raise MissingExtra("redis", "redis", "the realtime Redis layer") from None
        self.client = aioredis.from_url(self.url, socket_connect_timeout=5, health_check_interval=30)
        if self.light:
            return
        self.pubsub = self.client.pubsub()
        # A channel of its own keeps the subscription alive while the node has no room.
        await self.pubsub.subscribe(f"{self.prefix}node:{self.hub.node}")
        await self.heartbeat()
        self._tasks = [asyncio.ensure_future(self._read()), asyncio.ensure_future(self._beat())]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(BaseException):
                await task
        self._tasks = []
        client = self.client
        if client is None:
            return
        try:
            if not self.light:
                await self._forget(self.hub.node)
            if self.pubsub is not None:
                await self.pubsub.aclose()
        except Exception:  # Redis gone: the node's entries expire by themselves
            log.warning("realtime: could not remove this process from Redis at shutdown")
        finally:
            await client.aclose()
            self.client = self.pubsub = None

    async def _read(self) -> None:
        assert self.pubsub is not None
        start = len(self.prefix) + len("room:")
        while True:
            try:
                async for message in self.pubsub.listen():
                    kind = message.get("type")
                    channel = _text(message["channel"])
                    if kind == "subscribe":
                        waiter = self._confirm.pop(channel, None)
                        if waiter is not None and not waiter.done():
                            waiter.set_result(None)
                    elif kind == "message" and channel.startswith(f"{self.prefix}room:"):
                        self.hub.deliver_local(channel[start:], _text(message["data"]))
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("realtime: Redis subscription lost (%s); retrying", exc)
                await asyncio.sleep(1)

    async def _beat(self) -> None:
        interval = max(self.ttl / 3, 0.2)
        while True:
            await asyncio.sleep(interval)
            try:
                await self.heartbeat()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("realtime: heartbeat to Redis failed (%s)", exc)

    async def _now(self) -> float:
        seconds, micros = await self.client.time()
        return seconds + micros / 1e6

    async def heartbeat(self) -> None:
        """Say this node is alive, publish its statistics, remove the dead nodes' members."""
        now = await self._now()
        node = self.hub.node
        async with self.client.pipeline(transaction=False) as pipe:
            pipe.zadd(self._nodes, {node: now})
            pipe.hset(self._stats, node, dumps(self.hub.snapshot()).decode())
            pipe.zrangebyscore(self._nodes, "-inf", now - self.ttl)
            dead = (await pipe.execute())[2]
        for gone in dead:
            await self._forget(_text(gone))

    async def _forget(self, node: str) -> None:
        """Remove ``node``'s members from presence (announcing each leave once) and the node."""
        members = [_text(m) for m in await self.client.smembers(self._conns(node))]
        pairs = [m.split("\x00", 1) for m in members if "\x00" in m]
        if pairs:
            async with self.client.pipeline(transaction=False) as pipe:
                for room, conn in pairs:
                    pipe.hget(self._presence(room), conn)
                    pipe.hdel(self._presence(room), conn)
                results = await pipe.execute()
            leaves: dict[str, list[dict[str, Any]]] = {}
            for (room, _conn), raw, deleted in zip(pairs, results[0::2], results[1::2]):
                if deleted and raw:
                    leaves.setdefault(room, []).append(json.loads(raw))
            for room, entries in leaves.items():
                await self.publish(room, self.hub.presence_event([], entries))
        async with self.client.pipeline(transaction=False) as pipe:
            pipe.delete(self._conns(node))
            pipe.zrem(self._nodes, node)
            pipe.hdel(self._stats, node)
            await pipe.execute()

    # -- rooms -------------------------------------------------------------------
    async def room_opened(self, room: str) -> None:
        """Subscribe to ``room``'s channel and wait until Redis has done it: a member
        announced after that reaches this process, one announced before is already in
        the presence hash that the newcomer reads next."""
        if self.pubsub is not None and room not in self._rooms:
            self._rooms.add(room)
            channel = self.channel(room)
            waiter = self._confirm[channel] = asyncio.get_running_loop().create_future()
            await self.pubsub.subscribe(channel)
            try:
                await asyncio.wait_for(waiter, 5)
            except asyncio.TimeoutError:
                log.warning("realtime: Redis did not confirm the subscription to %r in 5 s", room)

    async def room_closed(self, room: str) -> None:
        if self.pubsub is not None and room in self._rooms:
            self._rooms.discard(room)
            await self.pubsub.unsubscribe(self.channel(room))

    async def publish(self, room: str, text: str) -> None:
        await self.client.publish(self.channel(room), text)

    # -- presence ------------------------------------------------------------------
    async def track(self, room: str, conn: str, entry: dict[str, Any]) -> None:
        async with self.client.pipeline(transaction=False) as pipe:
            pipe.hset(self._presence(room), conn, dumps({**entry, "node": self.hub.node}).decode())
            pipe.sadd(self._conns(self.hub.node), f"{room}\x00{conn}")
            await pipe.execute()

    async def untrack(self, room: str, conns: list[str]) -> list[str]:
        """Remove ``conns`` from ``room``'s presence; the ones that were there."""
        if not conns:
            return []
        async with self.client.pipeline(transaction=False) as pipe:
            for conn in conns:
                pipe.hdel(self._presence(room), conn)
            pipe.srem(self._conns(self.hub.node), *[f"{room}\x00{c}" for c in conns])
            results = await pipe.execute()
        return [conn for conn, deleted in zip(conns, results) if deleted]

    async def _alive(self, nodes: set[str], now: float) -> set[str]:
        if not nodes:
            return set()
        ordered = sorted(nodes)
        scores = await self.client.zmscore(self._nodes, ordered)
        return {n for n, score in zip(ordered, scores) if score is not None and score >= now - self.ttl}

    async def members(self, room: str) -> list[dict[str, Any]]:
        raw = await self.client.hgetall(self._presence(room))
        entries = [json.loads(value) for value in raw.values()]
        alive = await self._alive({e.get("node", "") for e in entries}, await self._now())
        return [e for e in entries if e.get("node") in alive]

    async def nodes_stats(self) -> list[dict[str, Any]]:
        raw = await self.client.hgetall(self._stats)
        alive = await self._alive({_text(k) for k in raw}, await self._now())
        own = self.hub.node
        out = [json.loads(v) for k, v in raw.items() if _text(k) in alive and _text(k) != own]
        if self.hub.started and not self.light:  # a command asking is not a server process
            out.append(self.hub.snapshot())
        return sorted(out, key=lambda s: (s.get("host", ""), s.get("pid", 0)))
