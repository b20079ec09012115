"""Login throttling per account and per client address: 429 after too many failures.

Counts live in Redis when ``[redis] url`` is set (so every worker sees them), else in
this process's memory.
"""
from __future__ import annotations

import threading
import time
from collections import deque
from typing import Any

from ..errors import HTTPError


class LoginThrottle:
    def __init__(self, app: Any, max_failures: int = 5, window: int = 300, *, scope: str = "") -> None:
        self.max_failures = max_failures
        self.window = window
        url = app.settings.redis.url
        self._redis = None
        if url:
            from ..redis import redis_client
            self._redis = redis_client(url)
        self._prefix = f"wolfpy:throttle:{app.settings.app.name}:" + (f"{scope}:" if scope else "")
        self._memory: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _keys(self, request: Any, username: str) -> list[str]:
        return [f"ip:{request.client_ip}", f"user:{username.strip().lower()}"]

    def check(self, request: Any, username: str) -> None:
        """Raise 429 (with ``Retry-After``) if this address or account failed too often."""
        for key in self._keys(request, username):
            if self._count(key) >= self.max_failures:
                raise HTTPError(429, "too many failed attempts: try again later",
                                headers={"retry-after": str(self.window)})

    def failed(self, request: Any, username: str) -> None:
        for key in self._keys(request, username):
            self._add(key)

    def succeeded(self, request: Any, username: str) -> None:
        key = self._keys(request, username)[1]
        if self._redis is not None:
            self._redis.delete(self._prefix + key)
        else:
            with self._lock:
                self._memory.pop(key, None)

    def _count(self, key: str) -> int:
        if self._redis is not None:
            value = self._redis.get(self._prefix + key)
            return int(value or 0)
        now = time.monotonic()
        with self._lock:
            hits = self._memory.get(key)
            if not hits:
                return 0
            while hits and now - hits[0] > self.window:
                hits.popleft()
            return len(hits)

    def _add(self, key: str) -> None:
        if self._redis is not None:
            pipe = self._redis.pipeline()
            pipe.incr(self._prefix + key)
            pipe.expire(self._prefix + key, self.window)
            pipe.execute()
            return
        with self._lock:
            if len(self._memory) > 100_000:  # bounded: forget the oldest entries
                for old in list(self._memory)[:10_000]:
                    del self._memory[old]
            self._memory.setdefault(key, deque(maxlen=self.max_failures * 4)).append(time.monotonic())
