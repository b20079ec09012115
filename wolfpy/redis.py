"""One Redis client per URL, shared by everything that needs Redis.

The cache, sessions, rate limits and the realtime channel layer all call
:func:`redis_client` with ``[redis] url``: a process keeps one connection pool
per URL (and per set of options) instead of one per feature. redis-py's pools
are thread-safe and notice a fork, so a client made before gunicorn forks its
workers is still safe to use in each of them.
"""
from __future__ import annotations

import importlib.util
import threading
from typing import Any
from urllib.parse import urlsplit

from .errors import ConfigError, MissingExtra

__all__ = ["close_redis_clients", "redis_client"]

_SCHEMES = ("redis", "rediss", "unix")
# Fail fast when Redis is down instead of hanging a request on connect; reads may
# block as long as they like (a pub/sub listener waits on purpose).
_DEFAULTS: dict[str, Any] = {"socket_connect_timeout": 5, "health_check_interval": 30}

# Process-wide on purpose: a connection pool belongs to a server and its options, not to
# an App, so Apps (and features) using the same URL share one pool, and Apps with
# different URLs get different clients. The keys are URLs, so nothing is shared by accident.
_clients: dict[tuple[str, tuple[tuple[str, Any], ...]], Any] = {}
_lock = threading.Lock()


def redis_client(url: str, **options: Any) -> Any:
    """The shared ``redis.Redis`` client for ``url`` (``redis://host:6379/0``, ``rediss://``, ``unix://``).

    Args:
        url: the server, usually ``app.settings.redis.url``.
        **options: extra ``redis.Redis`` arguments (``socket_timeout=2``, ...); each
            distinct set of options gets its own client.

    Raises:
        ConfigError: an empty or non-Redis URL.
        MissingExtra: the ``redis`` package is not installed.
    """
    if not url:
        raise ConfigError("[redis] url is empty (e.g. redis://127.0.0.1:6379/0)")
    scheme = urlsplit(url).scheme.lower()
    if scheme not in _SCHEMES:
        raise ConfigError(f"[redis] url: unsupported scheme {scheme + '://' if scheme else url!r} "
                          "(use redis://, rediss:// or unix://)")
    key = (url, tuple(sorted(options.items())))
    client = _clients.get(key)
    if client is None:
        with _lock:
            client = _clients.get(key)
            if client is None:
                if importlib.util.find_spec("redis") is None:
                    raise MissingExtra("redis", "redis", "Redis ([redis] url)")
                import redis
                client = _clients[key] = redis.Redis.from_url(url, **{**_DEFAULTS, **options})
    return client


def close_redis_clients() -> None:
    """Close every shared client's connections (tests, and a process shutting down)."""
    with _lock:
        clients = list(_clients.values())
        _clients.clear()
    for client in clients:
        client.close()
