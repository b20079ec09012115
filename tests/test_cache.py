"""wolfpy.cache (memory LRU with TTL, Redis), @cached, and wolfpy.redis's shared clients."""
from __future__ import annotations

import asyncio
import secrets
import threading
from typing import Any, Iterator

import pytest

from tests.services import service_url
from wolfpy import App, Settings, cache
from wolfpy.cache import MemoryCache, RedisCache, cache_for, cached
from wolfpy.errors import ConfigError, MissingExtra
from wolfpy.redis import close_redis_clients, redis_client


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """A fake clock behind the process-wide cache (the one used outside requests)."""
    fake = Clock()
    monkeypatch.setattr("wolfpy.cache._process_cache", MemoryCache(clock=fake))
    return fake


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    url = service_url("redis")
    yield url
    close_redis_clients()


def redis_app(url: str) -> App:
    """An app with its own cache namespace in the shared Redis."""
    return App(settings=Settings({"app": {"name": f"t-{secrets.token_hex(4)}"}, "redis": {"url": url}}))


# -- the memory backend -----------------------------------------------------------------
def test_memory_get_set_delete_clear() -> None:
    c = MemoryCache()
    assert c.get("a") is None and c.get("a", 5) == 5
    c.set("a", {"n": [1, 2]})
    c.set("none", None)
    assert c.get("a") == {"n": [1, 2]}
    assert c.get("none", "missing") is None  # a stored None is not a miss
    assert c.delete("a") is True and c.delete("a") is False
    c.clear()
    assert len(c) == 0 and c.get("none", "missing") == "missing"


def test_memory_ttl_expires(clock: Clock) -> None:
    c = MemoryCache(clock=clock)
    c.set("k", "v", ttl=10)
    c.set("forever", 1)
    clock.now += 9.9
    assert c.get("k") == "v"
    clock.now += 0.1
    assert c.get("k") is None and len(c) == 1
    clock.now += 10**6
    assert c.get("forever") == 1


def test_memory_is_a_bounded_lru() -> None:
    c = MemoryCache(max_entries=3)
    for key in "abc":
        c.set(key, key)
    assert c.get("a") == "a"  # a is now the most recently used
    c.set("d", "d")
    assert c.get("b") is None and [c.get(k) for k in "acd"] == ["a", "c", "d"]
    c.set("c", "C")  # rewriting refreshes too
    c.set("e", "e")
    assert c.get("a") is None and c.get("c") == "C" and len(c) == 3


def test_values_go_through_json() -> None:
    c = MemoryCache()
    c.set("t", (1, "x"))
    assert c.get("t") == [1, "x"]  # as Redis would give it back
    stored = c.get("t")
    stored.append("mutated")
    assert c.get("t") == [1, "x"]  # the cache never hands out its own objects
    with pytest.raises(TypeError, match="JSON data"):
        c.set("obj", object())
    with pytest.raises(TypeError, match="JSON data"):
        c.set("nan", float("nan"))


def test_bad_keys_and_ttls_are_refused() -> None:
    c = MemoryCache()
    with pytest.raises(TypeError):
        c.set("", 1)
    with pytest.raises(ValueError, match="ttl"):
        c.set("k", 1, ttl=0)
    with pytest.raises(ValueError, match="ttl"):
        cached(ttl=-1)
    with pytest.raises(ValueError):
        MemoryCache(max_entries=0)


def test_memory_cache_under_threads() -> None:
    c = MemoryCache(max_entries=50)
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            for i in range(500):
                c.set(f"{n}-{i % 80}", i)
                c.get(f"{(n + 1) % 8}-{i % 80}")
                if i % 7 == 0:
                    c.delete(f"{n}-{i % 80}")
        except BaseException as exc:  # pragma: no cover - what the test is for
            errors.append(exc)
    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and len(c) <= 50


# -- module functions and per-app backends ------------------------------------------------
def test_module_functions_outside_a_request_use_the_process_cache(clock: Clock) -> None:
    cache.set("k", [1], ttl=5)
    assert cache.get("k") == [1]
    clock.now += 5
    assert cache.get("k", "gone") == "gone"
    cache.set("k", 2)
    assert cache.delete("k") and not cache.delete("k")
    cache.set("x", 1)
    cache.clear()
    assert cache.get("x") is None


def test_each_app_has_its_own_memory_cache() -> None:
    a, b = App(), App()
    assert isinstance(cache_for(a), MemoryCache)
    assert cache_for(a) is cache_for(a) and cache_for(a) is not cache_for(b)
    cache_for(a).set("k", "a")
    assert cache_for(b).get("k") is None


# -- @cached ------------------------------------------------------------------------------
def test_cached_sync(clock: Clock) -> None:
    calls: list[tuple[Any, ...]] = []

    @cached(ttl=60)
    def square(n: int, *, plus: int = 0) -> int:
        calls.append((n, plus))
        return n * n + plus

    assert [square(3), square(3), square(4), square(3, plus=1), square(3, plus=1)] == [9, 9, 16, 10, 10]
    assert calls == [(3, 0), (4, 0), (3, 1)]
    clock.now += 60
    assert square(3) == 9 and len(calls) == 4
    square.invalidate(4)  # type: ignore[attr-defined]
    assert square(4) == 16 and len(calls) == 5
    assert square.uncached(2) == 4 and square.__name__ == "square"  # type: ignore[attr-defined]


def test_cached_remembers_none_and_takes_a_key_function(clock: Clock) -> None:
    calls = []

    @cached(key=lambda user, page=1: f"{user['id']}:{page}")
    def lookup(user: dict, page: int = 1) -> None:
        calls.append(page)
        return None

    assert lookup({"id": 1, "big": "x" * 10}) is None
    assert lookup({"id": 1, "big": "other"}) is None
    assert calls == [1]
    assert cache.get(f"cached:{__name__}.test_cached_remembers_none_and_takes_a_key_function.<locals>.lookup:1:1",
                     "miss") is None


def test_cached_refuses_arguments_that_are_not_json(clock: Clock) -> None:
    @cached(ttl=5)
    def f(obj: object) -> int:
        return 1

    with pytest.raises(TypeError, match="arguments must be JSON data.*object.*key="):
        f(object())


def test_cached_hashes_long_argument_lists(clock: Clock) -> None:
    @cached()
    def size(text: str) -> int:
        return len(text)

    assert size("y" * 1000) == 1000
    keys = list(cache.current()._data)  # type: ignore[attr-defined]
    assert len(keys) == 1 and "#" in keys[0] and len(keys[0]) < 200


def test_cached_async(clock: Clock) -> None:
    calls = []

    @cached(ttl=30)
    async def fetch(n: int) -> dict:
        calls.append(n)
        await asyncio.sleep(0)
        return {"n": n}

    async def main() -> list[dict]:
        return [await fetch(1), await fetch(1), await fetch(2)]

    assert asyncio.run(main()) == [{"n": 1}, {"n": 1}, {"n": 2}]
    assert calls == [1, 2]


# -- Redis --------------------------------------------------------------------------------
def test_redis_backend(redis_url: str) -> None:
    app, other = redis_app(redis_url), redis_app(redis_url)
    c = cache_for(app)
    assert isinstance(c, RedisCache) and c.prefix == f"wolfpy:cache:{app.settings.app.name}:"
    try:
        c.set("k", {"a": (1, 2)})
        c.set("short", 1, ttl=30)
        c.set("none", None)
        cache_for(other).set("k", "other app")
        assert c.get("k") == {"a": [1, 2]} and c.get("none", "miss") is None and c.get("nope", 7) == 7
        assert c.client.get(c.prefix + "k") == b'{"a":[1,2]}'  # JSON, never pickle
        assert 0 < c.client.pttl(c.prefix + "short") <= 30_000 and c.client.pttl(c.prefix + "k") == -1
        assert c.delete("k") is True and c.delete("k") is False
        c.clear()
        assert c.get("short") is None and c.get("none", "miss") == "miss"
        assert cache_for(other).get("k") == "other app"  # clear() is per app
        with pytest.raises(TypeError):
            c.set("bad", {1, 2})
    finally:
        c.clear()
        cache_for(other).clear()


def test_redis_expiry_is_kept_by_redis(redis_url: str) -> None:
    c = cache_for(redis_app(redis_url))
    try:
        c.set("k", "v", ttl=0.001)  # 1 ms: Redis has dropped it by the next round trips
        for _ in range(50):
            if c.get("k") is None:
                break
        assert c.get("k") is None
    finally:
        c.clear()


def test_redis_cached_async_runs_off_the_event_loop(redis_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    app = redis_app(redis_url)
    backend = cache_for(app)
    monkeypatch.setattr("wolfpy.cache.current", lambda: backend)
    loop_threads: set[int] = set()
    original_get = backend.get

    def spy(*args: Any) -> Any:
        loop_threads.add(threading.get_ident())
        return original_get(*args)
    monkeypatch.setattr(backend, "get", spy)
    calls = []

    @cached(ttl=30)
    async def fetch(n: int) -> int:
        calls.append(n)
        return n + 1

    async def main() -> list[int]:
        return [await fetch(1), await fetch(1)], threading.get_ident()  # type: ignore[return-value]

    try:
        results, loop_thread = asyncio.run(main())  # type: ignore[misc]
        assert results == [2, 2] and calls == [1]
        assert loop_threads and loop_thread not in loop_threads
    finally:
        backend.clear()


def test_redis_client_is_shared_per_url(redis_url: str) -> None:
    assert redis_client(redis_url) is redis_client(redis_url)
    assert redis_client(redis_url, socket_timeout=3) is not redis_client(redis_url)
    assert redis_client(redis_url).ping() is True


def test_redis_client_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ConfigError, match="empty"):
        redis_client("")
    with pytest.raises(ConfigError, match="unsupported scheme 'http://'"):
        redis_client("http://localhost:6379")
    real = __import__("importlib.util").util.find_spec
    monkeypatch.setattr("importlib.util.find_spec", lambda name, *a: None if name == "redis" else real(name, *a))
    with pytest.raises(MissingExtra, match=r"pip install 'wolfpy\[redis\]'"):
        redis_client("redis://127.0.0.1:1/15")


# -- over HTTP, under WSGI and ASGI ------------------------------------------------------------
ROUTES = {
    "routes/hits.py": """
        from wolfpy import cache

        def get(request):
            hits = cache.get("hits", 0) + 1
            cache.set("hits", hits, ttl=60)
            return {"hits": hits}
    """,
    "routes/square/[n].py": """
        from wolfpy import cache

        calls = []

        @cache.cached(ttl=60)
        async def square(n):
            calls.append(n)
            return n * n

        async def get(request, n: int):
            return {"square": await square(n), "calls": len(calls)}
    """,
}


@pytest.mark.parametrize("backend", ["memory", "redis"])
def test_cache_in_requests(backend: str, client_for: Any, clock: Clock) -> None:
    toml = "[app]\ndebug = false\n"
    if backend == "redis":
        toml += f'name = "t-{secrets.token_hex(4)}"\n[redis]\nurl = "{service_url("redis")}"\n'
    client = client_for(ROUTES, toml)
    app_cache = cache_for(client.app)
    assert isinstance(app_cache, MemoryCache if backend == "memory" else RedisCache)
    try:
        assert [client.get("/hits").json()["hits"] for _ in range(3)] == [1, 2, 3]
        assert client.get("/square/4").json() == {"square": 16, "calls": 1}
        assert client.get("/square/4").json() == {"square": 16, "calls": 1}
        assert client.get("/square/5").json() == {"square": 25, "calls": 2}
        assert app_cache.get("hits") == 3
        if backend == "memory":  # a route file's key leaves out the hash of the project's path
            assert any(k.startswith("cached:routes_square__n__") for k in app_cache._data)  # type: ignore[attr-defined]
        assert cache.get("hits") is None  # outside a request: the process cache, not the app's
    finally:
        app_cache.clear()


def test_two_apps_in_one_process_keep_their_own_caches(make_project: Any, make_client: Any,
                                                       monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    monkeypatch.setenv("WOLFPY_SECRET_KEY", "c" * 40)
    clients = []
    for name in ("one", "two"):
        app = App(make_project(ROUTES, "[app]\ndebug = false\n", root=tmp_path / name))
        app.load_routes()
        app.freeze()
        clients.append(make_client(app))
    one, two = clients
    assert [c.get("/hits").json()["hits"] for c in (one, one, two, one, two)] == [1, 2, 1, 3, 2]
    assert one.app.cache is cache_for(one.app) and one.app.cache.get("hits") == 3
    assert two.app.cache.get("hits") == 2
