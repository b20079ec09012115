"""``wolfpy.cache``: a key/value cache per App, in memory or in Redis.

    from wolfpy import cache

    def get(request):
        posts = cache.get("front-page")
        if posts is None:
            posts = [p.to_dict() for p in Post.select().limit(10)]
            cache.set("front-page", posts, ttl=60)
        ...

    @cache.cached(ttl=300)
    def popular_tags(limit: int) -> list[str]: ...

Each App has its own backend, ``app.cache``: a bounded in-process LRU by default,
Redis when ``[redis] url`` is set (keys ``wolfpy:cache:<app name>:<key>``, so every
worker and host of one app shares it). The module functions use the app of the
current request; outside a request (a script, a test without a client) they use one
process-wide memory cache. ``cache_for(app)`` names the app explicitly.

Values go through JSON in both backends, so what works in development works
against Redis: dicts, lists, strings, numbers, booleans and None (tuples come
back as lists). JSON rather than pickle because a cache shared over the network
must never run code when it is read.
"""
from __future__ import annotations

import asyncio
import functools
import hashlib
import inspect
import json
import threading
import time
from collections import OrderedDict
from typing import Any, Callable, Protocol, TypeVar

# The ContextVar itself: the module functions must tell "no request" apart without
# paying for an exception on every call outside one.
from .context import request_or_none

__all__ = ["Cache", "MemoryCache", "RedisCache", "cache_for", "cached", "clear", "delete", "get", "make_cache", "set"]

F = TypeVar("F", bound=Callable[..., Any])
_MISSING: Any = object()
DEFAULT_MAX_ENTRIES = 10_000


class Cache(Protocol):
    """What a cache backend provides (both backends, and any you write)."""

    #: True when a call may wait on the network (async code runs it in a thread).
    remote: bool

    def get(self, key: str, default: Any = None) -> Any: ...
    def set(self, key: str, value: Any, ttl: float | None = None) -> None: ...
    def delete(self, key: str) -> bool: ...
    def clear(self) -> None: ...


def _encode(value: Any) -> str:
    try:
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"cache values must be JSON data (dict, list, str, int, float, bool, None): "
                        f"{exc}") from None


def _check(key: str, ttl: float | None) -> None:
    if not isinstance(key, str) or not key:
        raise TypeError(f"cache keys are non-empty strings, not {key!r}")
    if ttl is not None and not ttl > 0:
        raise ValueError(f"ttl must be a positive number of seconds or None, not {ttl!r}")


class MemoryCache:
    """A thread-safe LRU of at most ``max_entries`` keys, each with an optional expiry.

    Reading a key makes it the most recently used; adding one past the limit
    drops the least recently used. Expired keys are dropped when read.
    """

    remote = False

    def __init__(self, max_entries: int = DEFAULT_MAX_ENTRIES, *,
                 clock: Callable[[], float] = time.monotonic) -> None:
        if max_entries < 1:
            raise ValueError("max_entries must be at least 1")
        self.max_entries = max_entries
        self._clock = clock
        self._data: OrderedDict[str, tuple[float | None, str]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str, default: Any = None) -> Any:
        with self._lock:
            item = self._data.get(key)
            if item is None:
                return default
            expires, raw = item
            if expires is not None and expires <= self._clock():
                del self._data[key]
                return default
            self._data.move_to_end(key)
        return json.loads(raw)

    def set(self, key: str, value: Any, ttl: float | None = None) -> None:
        _check(key, ttl)
        raw = _encode(value)
        expires = None if ttl is None else self._clock() + ttl
        with self._lock:
            self._data[key] = (expires, raw)
            self._data.move_to_end(key)
            while len(self._data) > self.max_entries:
                self._data.popitem(last=False)

    def delete(self, key: str) -> bool:
        with self._lock:
            return self._data.pop(key, None) is not None

    def clear(self) -> None:
        with self._lock:
            self._data.clear()

    def __len__(self) -> int:
        return len(self._data)


class RedisCache:
    """The cache in Redis: JSON strings under ``prefix + key``, the TTL kept by Redis."""

    remote = True

    def __init__(self, client: Any, prefix: str) -> None:
        self.client = client
        self.prefix = prefix

    def get(self, key: str, default: Any = None) -> Any:
        raw = self.client.get(self.prefix + key)
        return default if raw is None else json.loads(raw)

    def set(self, key: str, value: Any, ttl: float | None = None) -> None:
        _check(key, ttl)
        raw = _encode(value)
        if ttl is None:
            self.client.set(self.prefix + key, raw)
        else:
            self.client.set(self.prefix + key, raw, px=max(1, int(ttl * 1000)))

    def delete(self, key: str) -> bool:
        return bool(self.client.delete(self.prefix + key))

    def clear(self) -> None:
        """Delete this app's keys only (SCAN, never FLUSHDB: the database may be shared)."""
        pattern = _glob_escape(self.prefix) + "*"
        batch: list[Any] = []
        for name in self.client.scan_iter(match=pattern, count=500):
            batch.append(name)
            if len(batch) >= 500:
                self.client.unlink(*batch)
                batch.clear()
        if batch:
            self.client.unlink(*batch)


def _glob_escape(text: str) -> str:
    return "".join("\\" + c if c in "*?[]\\" else c for c in text)


# -- one backend per App ---------------------------------------------------------------
# An App makes its cache on first use (``app.cache``) under this lock, so two threads
# of a new App never make two. It guards creation only; no cache is kept here.
CREATION_LOCK = threading.Lock()

# The cache of code that runs outside any request (a script, a shell, a test without a
# client): there is no App to ask, so the process has one, as documented. Requests never
# use it.
_process_cache = MemoryCache()


def cache_for(app: Any) -> Cache:
    """The cache of ``app`` (``app.cache``): Redis when its ``[redis] url`` is set, else its own
    memory cache.

    Raises:
        MissingExtra: ``[redis] url`` is set but the ``redis`` package is not installed.
    """
    return app.cache  # type: ignore[no-any-return]


def make_cache(settings: Any) -> Cache:
    """A new cache backend for an App with these settings (``App.cache`` calls it once)."""
    url = settings.get("redis", "url", "")
    if url:
        from .redis import redis_client
        name = settings.get("app", "name", "wolfpy") or "wolfpy"
        # Reads time out rather than hang a request on a wedged server.
        return RedisCache(redis_client(url, socket_timeout=5), f"wolfpy:cache:{name}:")
    return MemoryCache()


def current() -> Cache:
    """The cache the module functions use: the current request's app's, or the process-wide one."""
    request = request_or_none()
    if request is None:
        return _process_cache
    return request.app.cache  # type: ignore[no-any-return]


def get(key: str, default: Any = None) -> Any:
    """The value stored under ``key``, or ``default`` when it is absent or expired."""
    return current().get(key, default)


def set(key: str, value: Any, ttl: float | None = None) -> None:  # noqa: A001 - the API's name
    """Store JSON data ``value`` under ``key``, for ``ttl`` seconds (None: until evicted or deleted)."""
    current().set(key, value, ttl)


def delete(key: str) -> bool:
    """Remove ``key``; True if it was there."""
    return current().delete(key)


def clear() -> None:
    """Remove every key of this app's cache (only this app's, in a shared Redis)."""
    current().clear()


# -- @cached ---------------------------------------------------------------------------
def cached(ttl: float | None = None, *, key: Callable[..., str] | None = None) -> Callable[[F], F]:
    """Cache a function's return value per arguments, for ``ttl`` seconds.

    Works on plain and ``async`` functions. The key is the function's module and
    qualified name plus its arguments as JSON; arguments must be JSON data (a
    ``Request`` or a model instance is refused rather than silently never hit).
    Pass ``key=`` a function of the same arguments to choose the key yourself.
    The wrapper's ``uncached`` attribute is the original function and
    ``invalidate(*args, **kwargs)`` forgets one entry.
    """
    if ttl is not None and not ttl > 0:
        raise ValueError(f"ttl must be a positive number of seconds or None, not {ttl!r}")

    def decorate(func: F) -> F:
        module = func.__module__ or ""
        if module.startswith("_wolfpy_routes_"):
            # A route file's synthetic module name embeds a hash of the project's path:
            # drop it, so hosts deploying to different folders share one Redis entry.
            module = module.partition(".")[2]
        name = f"{module}.{func.__qualname__}"

        def make_key(args: tuple[Any, ...], kwargs: dict[str, Any]) -> str:
            if key is not None:
                return f"cached:{name}:{key(*args, **kwargs)}"
            return f"cached:{name}:{_arguments_key(name, args, kwargs)}"

        if inspect.iscoroutinefunction(func):
            @functools.wraps(func)
            async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
                backend, k = current(), make_key(args, kwargs)
                value = await _call(backend, backend.get, k, _MISSING)
                if value is _MISSING:
                    value = await func(*args, **kwargs)
                    await _call(backend, backend.set, k, value, ttl)
                return value
            wrapper: Any = async_wrapper
        else:
            @functools.wraps(func)
            def sync_wrapper(*args: Any, **kwargs: Any) -> Any:
                backend, k = current(), make_key(args, kwargs)
                value = backend.get(k, _MISSING)
                if value is _MISSING:
                    value = func(*args, **kwargs)
                    backend.set(k, value, ttl)
                return value
            wrapper = sync_wrapper

        wrapper.uncached = func
        wrapper.invalidate = lambda *args, **kwargs: current().delete(make_key(args, kwargs))
        return wrapper  # type: ignore[no-any-return]
    return decorate


async def _call(backend: Cache, method: Callable[..., Any], *args: Any) -> Any:
    # A Redis round trip must not stall the event loop; memory is quicker inline.
    if backend.remote:
        return await asyncio.to_thread(method, *args)
    return method(*args)


def _arguments_key(name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> str:
    try:
        text = json.dumps([args, kwargs], separators=(",", ":"), sort_keys=True, ensure_ascii=False)
    except (TypeError, ValueError):
        bad = next((a for a in (*args, *kwargs.values()) if not _is_json(a)), None)
        raise TypeError(f"@cached {name}: arguments must be JSON data to form the key, got "
                        f"{type(bad).__name__}; pass key=... to build the key yourself") from None
    if len(text) > 200:  # long keys cost memory on every read: hash them
        return "#" + hashlib.sha256(text.encode()).hexdigest()
    return text


def _is_json(value: Any) -> bool:
    try:
        json.dumps(value, allow_nan=False)
    except (TypeError, ValueError):
        return False
    return True
