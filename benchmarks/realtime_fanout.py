"""Fan-out of one broadcast to many WebSockets: WolfPy's realtime vs python-socketio.

    python benchmarks/realtime_fanout.py [--sockets 1000] [--broadcasts 50] [--rounds 3]
                                         [--interval MS] [--redis redis://127.0.0.1:6379/0] [--only wolfpy]

For each peer, two set-ups on 127.0.0.1 (uvicorn processes this script starts):

- one process: WolfPy's memory layer; python-socketio with no client manager;
- two processes sharing Redis: WolfPy's Redis layer; python-socketio's
  ``AsyncRedisManager`` (half of the sockets on each process).

One client process (asyncio, the ``websockets`` client for both peers, so both pay the
same client cost) opens ``--sockets`` connections that join one room, then a sender
socket on the first process sends ``--broadcasts`` messages back to back (or one every
``--interval`` milliseconds: then the latency is that of one fan-out, not of a queue);
each is broadcast by the server to the room. Every receipt's latency is measured from the
send (same process, same clock). Reported per set-up: deliveries per second (all
receipts ÷ the time from the first send to the last receipt) and p50/p99 latency, the
median over ``--rounds``; then WolfPy ÷ python-socketio ratios.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
import urllib.request
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
ROOM = "bench"

WOLFPY_ROUTE = '''
from wolfpy.realtime import broadcast


async def websocket(ws):
    await ws.accept()
    if ws.query.get("role") == "sender":
        async for message in ws.iter_json():
            await broadcast("bench", message)
        return
    await ws.join("bench")
    async for _ in ws.iter_text():
        pass
'''

SOCKETIO_APP = '''
import os

import socketio

url = os.environ.get("SIO_REDIS", "")
manager = socketio.AsyncRedisManager(url, channel=os.environ["SIO_CHANNEL"]) if url else None
sio = socketio.AsyncServer(async_mode="asgi", client_manager=manager, cors_allowed_origins="*",
                           max_http_buffer_size=1_000_000)


@sio.event
async def connect(sid, environ, auth=None):
    if "role=sender" not in environ.get("QUERY_STRING", ""):
        await sio.enter_room(sid, "bench")


@sio.on("fire")
async def fire(sid, data):
    await sio.emit("msg", data, room="bench")


app = socketio.ASGIApp(sio)
'''


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def wait_port(port: int, proc: subprocess.Popen[bytes], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server on port {port} exited with {proc.returncode}")
        try:
            with socket.create_connection((HOST, port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"no server on port {port} after {timeout}s")


class Servers:
    """``count`` uvicorn processes of one peer, stopped on exit."""

    def __init__(self, peer: str, count: int, redis_url: str, workdir: Path) -> None:
        self.peer, self.count, self.redis_url, self.workdir = peer, count, redis_url, workdir
        self.ports: list[int] = []
        self.procs: list[subprocess.Popen[bytes]] = []
        self.tag = uuid.uuid4().hex[:8]

    def __enter__(self) -> "Servers":
        env = {k: v for k, v in os.environ.items() if not k.startswith("WOLFPY_")}
        env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")])
        if self.peer == "wolfpy":
            project = self.workdir / "wolfpy_project"
            (project / "routes").mkdir(parents=True, exist_ok=True)
            (project / "wolfpy.toml").write_text('[app]\nname = "fanout"\n[middleware]\nbuiltin = []\n')
            (project / "routes" / "fan.py").write_text(textwrap.dedent(WOLFPY_ROUTE))
            env.update(WOLFPY_SECRET_KEY="b" * 48, WOLFPY_APP_ALLOWED_HOSTS=HOST, WOLFPY_PROJECT=str(project),
                       WOLFPY_REALTIME_BACKEND="redis" if self.count > 1 else "memory",
                       WOLFPY_REALTIME_REDIS_PREFIX=f"wolfpy-bench:{self.tag}:", REDIS_URL=self.redis_url,
                       WOLFPY_REALTIME_MAX_QUEUE="1024", WOLFPY_SECURITY_WEBSOCKET_MAX_MESSAGES_PER_SECOND="0")
            target, cwd = "wolfpy.asgi:application", project
        else:
            (self.workdir / "sio_bench_app.py").write_text(SOCKETIO_APP)
            env.update(SIO_REDIS=self.redis_url if self.count > 1 else "", SIO_CHANNEL=f"sio-bench-{self.tag}")
            target, cwd = "sio_bench_app:app", self.workdir
        for _ in range(self.count):
            port = free_port()
            proc = subprocess.Popen([sys.executable, "-m", "uvicorn", target, "--host", HOST, "--port", str(port),
                                     "--log-level", "warning", "--lifespan", "on"],
                                    cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            self.ports.append(port)
            self.procs.append(proc)
        for port, proc in zip(self.ports, self.procs):
            wait_port(port, proc)
        return self

    def __exit__(self, *exc: Any) -> None:
        for proc in self.procs:
            proc.terminate()
        for proc in self.procs:
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
        if self.count > 1:
            try:
                import redis
                client = redis.Redis.from_url(self.redis_url)
                keys = list(client.scan_iter(match=f"wolfpy-bench:{self.tag}:*"))
                if keys:
                    client.delete(*keys)
                client.close()
            except Exception:
                pass

    def url(self, i: int, role: str) -> str:
        port = self.ports[i % self.count]
        if self.peer == "wolfpy":
            return f"ws://{HOST}:{port}/fan?role={role}"
        return f"ws://{HOST}:{port}/socket.io/?EIO=4&transport=websocket&role={role}"


async def open_socket(peer: str, url: str) -> Any:
    from websockets.asyncio.client import connect
    ws = await connect(url, origin=None, max_size=2**20, open_timeout=30, ping_interval=None)
    if peer == "socketio":
        assert (await ws.recv()).startswith("0")  # engine.io open
        await ws.send("40")                        # connect to the default namespace
        assert (await ws.recv()).startswith("40")
    return ws


async def run_round(servers: Servers, sockets: int, broadcasts: int,
                    interval: float = 0) -> tuple[float, float, float, int]:
    peer = servers.peer
    sem = asyncio.Semaphore(100)

    async def opened(i: int) -> Any:
        async with sem:
            return await open_socket(peer, servers.url(i, "member"))
    members = await asyncio.gather(*(opened(i) for i in range(sockets)))
    sender = await open_socket(peer, servers.url(0, "sender"))
    await asyncio.sleep(1.0)  # joins and subscriptions settle
    latencies: list[float] = []
    last = [0.0]
    expected = sockets * broadcasts
    done = asyncio.Event()

    async def reader(ws: Any) -> None:
        got = 0
        while got < broadcasts:
            raw = await ws.recv()
            now = time.perf_counter()
            if peer == "socketio":
                if raw == "2":
                    await ws.send("3")
                    continue
                if not raw.startswith("42"):
                    continue
                data = json.loads(raw[2:])[1]
            else:
                data = json.loads(raw)
            latencies.append(now - data["t"])
            last[0] = now
            got += 1
        if len(latencies) >= expected:
            done.set()

    tasks = [asyncio.ensure_future(reader(ws)) for ws in members]
    start = time.perf_counter()
    for seq in range(broadcasts):
        payload = {"t": time.perf_counter(), "seq": seq, "text": "hello everyone"}
        if peer == "socketio":
            await sender.send("42" + json.dumps(["fire", payload]))
        else:
            await sender.send(json.dumps(payload))
        if interval:
            await asyncio.sleep(interval / 1000)
    try:
        await asyncio.wait_for(done.wait(), timeout=120)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*(ws.close() for ws in [*members, sender]), return_exceptions=True)
    latencies.sort()
    rate = len(latencies) / (last[0] - start)
    p50 = latencies[len(latencies) // 2] * 1000
    p99 = latencies[int(len(latencies) * 0.99) - 1] * 1000
    return rate, p50, p99, len(latencies)


def measure(peer: str, count: int, args: argparse.Namespace, workdir: Path) -> dict[str, float]:
    rounds = []
    with Servers(peer, count, args.redis, workdir) as servers:
        for _ in range(args.rounds):
            rounds.append(asyncio.run(run_round(servers, args.sockets, args.broadcasts, args.interval)))
    return {"rate": statistics.median(r[0] for r in rounds), "p50": statistics.median(r[1] for r in rounds),
            "p99": statistics.median(r[2] for r in rounds)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sockets", type=int, default=1000)
    parser.add_argument("--broadcasts", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--interval", type=float, default=0, help="milliseconds between broadcasts (0: back to back)")
    parser.add_argument("--redis", default=os.environ.get("REDIS_URL") or os.environ.get("WOLFPY_TEST_REDIS_URL")
                        or "redis://127.0.0.1:6379/0")
    parser.add_argument("--only", choices=["wolfpy", "socketio"], default=None)
    parser.add_argument("--processes", default="1,2", help="1, 2 or 1,2 (two processes need Redis)")
    args = parser.parse_args(argv)
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(soft, 4 * args.sockets + 256)), hard))
    peers = [args.only] if args.only else ["wolfpy", "socketio"]
    if "socketio" in peers:
        try:
            import socketio  # noqa: F401
        except ImportError:
            print("python-socketio is not installed (pip install -e '.[bench]'): measuring WolfPy alone")
            peers = ["wolfpy"]
    counts = [int(c) for c in args.processes.split(",")]
    results: dict[tuple[str, int], dict[str, float]] = {}
    workdir = Path(tempfile.mkdtemp(prefix="wolfpy-fanout-"))
    try:
        for count in counts:
            for peer in peers:
                results[(peer, count)] = r = measure(peer, count, args, workdir)
                print(f"{peer:9} {count} process{'es' if count > 1 else '  '}: {r['rate']:>10,.0f} deliveries/s  "
                      f"p50 {r['p50']:7.1f} ms  p99 {r['p99']:7.1f} ms", flush=True)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    if len(peers) == 2:
        pace = f"one every {args.interval:g} ms" if args.interval else "back to back"
        print(f"\n{args.sockets} sockets, {args.broadcasts} broadcasts {pace}, median of {args.rounds} rounds")
        print("| set-up | deliveries/s ratio (WolfPy ÷ python-socketio) | p99 ratio (WolfPy ÷ python-socketio; below 1 is better) |")
        print("|---|---:|---:|")
        for count in counts:
            w, s = results[("wolfpy", count)], results[("socketio", count)]
            label = "one process" if count == 1 else "two processes, Redis"
            print(f"| {label} | {w['rate'] / s['rate']:.2f}× | {w['p99'] / s['p99']:.2f}× |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
