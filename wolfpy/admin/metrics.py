"""``/admin/metrics``: request rate, latency percentiles and error rate per route.

A :class:`Collector` is app-wide middleware, added only when the admin is on. Per
request it reads the clock twice and updates bounded per-route counters; every few
seconds a thread of the process, started with its first request when ``[redis] url`` is
set, writes this process's figures to Redis (``wolfpy:admin:metrics:<app>:<pid>``, expiring) so
the page can add up every worker and host.
"""
from __future__ import annotations

import json
import math
import os
import socket
import threading
import time
from collections import deque
from typing import Any

from ..middleware import Hooks

SAMPLES_PER_ROUTE = 500     # latencies kept per route, for the percentiles
BUCKET_SECONDS = 10         # width of one bar of the request-rate chart
BUCKETS = 30                # bars kept: the last five minutes
FLUSH_SECONDS = 2.0         # how often a process publishes its figures to Redis
TTL_SECONDS = 60            # a process that stops publishing drops out after this


def percentile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return 0.0
    index = max(0, min(len(sorted_values) - 1, math.ceil(q * len(sorted_values)) - 1))
    return sorted_values[index]


class RouteStats:
    __slots__ = ("count", "errors", "latencies")

    def __init__(self) -> None:
        self.count = 0
        self.errors = 0
        self.latencies: deque[float] = deque(maxlen=SAMPLES_PER_ROUTE)


class Collector(Hooks):
    """Request counts, latencies and 5xx per route name, for this process."""

    name = "admin_metrics"

    def __init__(self, app: Any) -> None:
        self.app = app
        self.started = time.time()
        self.routes: dict[str, RouteStats] = {}
        self.buckets: dict[int, int] = {}
        self._lock = threading.Lock()
        self._dirty = False
        self._publisher = 0  # the pid whose publishing thread runs
        self._redis: Any = None
        self._prefix = f"wolfpy:admin:metrics:{app.settings.app.name}:"
        self._me = f"{socket.gethostname()}:{os.getpid()}"
        self._publishes = bool(app.settings.redis.url)  # read once, not per request
        clock = time.perf_counter

        def before(request: Any) -> None:
            request.state["admin_metrics_t0"] = clock()
            return None

        def after(request: Any, response: Any) -> Any:
            started = request.state.get("admin_metrics_t0")
            if started is not None:
                route = request.route
                self.add(route.name if route is not None else "(no route)", response.status, clock() - started)
            return response
        self.before, self.after = before, after

    def add(self, route: str, status: int, seconds: float) -> None:
        now = time.time()
        with self._lock:
            stats = self.routes.get(route)
            if stats is None:
                stats = self.routes[route] = RouteStats()
            stats.count += 1
            if status >= 500:
                stats.errors += 1
            stats.latencies.append(seconds)
            bucket = int(now // BUCKET_SECONDS)
            self.buckets[bucket] = self.buckets.get(bucket, 0) + 1
            if len(self.buckets) > BUCKETS + 2:
                for old in sorted(self.buckets)[:-BUCKETS]:
                    del self.buckets[old]
            self._dirty = True
        if self._publishes and self._publisher != os.getpid():
            self._start_publisher()

    def _start_publisher(self) -> None:
        """A daemon thread of this process that publishes the figures every few seconds
        while they change (one per process: a forked worker starts its own)."""
        with self._lock:
            if self._publisher == os.getpid():
                return
            self._publisher = os.getpid()
            self._me = f"{socket.gethostname()}:{os.getpid()}"

        def loop() -> None:
            while True:
                if self._dirty:
                    self._dirty = False
                    self.publish()
                time.sleep(FLUSH_SECONDS)
        threading.Thread(target=loop, name="wolfpy-admin-metrics", daemon=True).start()

    # -- across processes ------------------------------------------------------
    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {"started": self.started, "buckets": {str(k): v for k, v in self.buckets.items()},
                    "routes": {name: {"count": s.count, "errors": s.errors, "latencies": list(s.latencies)}
                               for name, s in self.routes.items()}}

    def _client(self) -> Any:
        if self._redis is None:
            from ..redis import redis_client
            self._redis = redis_client(self.app.settings.redis.url, socket_timeout=1)
        return self._redis

    def publish(self) -> None:
        try:
            self._client().set(self._prefix + self._me, json.dumps(self.snapshot()), ex=TTL_SECONDS)
        except Exception:  # metrics must never fail a request
            pass

    def gather(self) -> tuple[list[dict[str, Any]], str]:
        """Every process's snapshot (from Redis when configured) and where they came from."""
        if not self.app.settings.redis.url:
            return [self.snapshot()], "this process"
        self.publish()
        try:
            client = self._client()
            keys = list(client.scan_iter(match=self._prefix + "*", count=100))[:1000]
            values = client.mget(keys) if keys else []
        except Exception as exc:
            return [self.snapshot()], f"this process (Redis unavailable: {type(exc).__name__})"
        out = []
        for raw in values:
            try:
                out.append(json.loads(raw))
            except (TypeError, ValueError):
                continue
        return out or [self.snapshot()], f"{len(out)} process{'es' if len(out) != 1 else ''} (Redis)"


def summarize(snapshots: list[dict[str, Any]], now: float | None = None) -> dict[str, Any]:
    """Per-route rows (count, rate, p50/p95/p99 in ms, error rate) and the chart's bars."""
    now = time.time() if now is None else now
    routes: dict[str, dict[str, Any]] = {}
    buckets: dict[int, int] = {}
    started = min((s.get("started", now) for s in snapshots), default=now)
    for snap in snapshots:
        for key, count in snap.get("buckets", {}).items():
            buckets[int(key)] = buckets.get(int(key), 0) + int(count)
        for name, r in snap.get("routes", {}).items():
            row = routes.setdefault(name, {"count": 0, "errors": 0, "latencies": []})
            row["count"] += int(r.get("count", 0))
            row["errors"] += int(r.get("errors", 0))
            row["latencies"].extend(float(x) for x in r.get("latencies", []))
    uptime = max(1.0, now - started)
    rows = []
    for name, r in sorted(routes.items(), key=lambda item: -item[1]["count"]):
        lat = sorted(r["latencies"])
        rows.append({"route": name, "count": r["count"], "rate": r["count"] / uptime,
                     "p50": percentile(lat, 0.50) * 1000, "p95": percentile(lat, 0.95) * 1000,
                     "p99": percentile(lat, 0.99) * 1000,
                     "error_rate": (r["errors"] / r["count"]) if r["count"] else 0.0, "errors": r["errors"]})
    current = int(now // BUCKET_SECONDS)
    bars = [(current - i, buckets.get(current - i, 0)) for i in range(BUCKETS - 1, -1, -1)]
    return {"rows": rows, "bars": bars, "uptime": uptime, "total": sum(r["count"] for r in rows)}


def svg_chart(bars: list[tuple[int, int]], width: int = 600, height: int = 120) -> str:
    """Requests per bucket as an SVG bar chart (plain markup: no script, no CDN)."""
    peak = max((count for _, count in bars), default=0) or 1
    step = width / max(1, len(bars))
    parts = [f'<svg class="chart" viewBox="0 0 {width} {height + 20}" role="img" '
             f'aria-label="Requests per {BUCKET_SECONDS} seconds over the last '
             f'{BUCKETS * BUCKET_SECONDS // 60} minutes" xmlns="http://www.w3.org/2000/svg">']
    for i, (_, count) in enumerate(bars):
        h = round(height * count / peak, 1)
        x = round(i * step + 1, 1)
        parts.append(f'<rect x="{x}" y="{round(height - h, 1)}" width="{round(step - 2, 1)}" height="{h}">'
                     f'<title>{count} requests</title></rect>')
    parts.append(f'<line x1="0" y1="{height}" x2="{width}" y2="{height}" class="axis"/>')
    parts.append(f'<text x="0" y="{height + 15}">-{BUCKETS * BUCKET_SECONDS // 60} min</text>')
    parts.append(f'<text x="{width}" y="{height + 15}" text-anchor="end">now · peak {peak}</text></svg>')
    return "".join(parts)


def realtime_connections(app: Any) -> str:
    """This process's open realtime connections, as text for the page."""
    from ..realtime.stats import local_stats
    try:
        return str(local_stats(app).get("connections", 0))
    except Exception as exc:  # the page still shows everything else
        return f"unavailable ({type(exc).__name__})"
