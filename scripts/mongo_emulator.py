"""Serve an in-memory MongoDB wire-protocol emulator for WolfPy's tests.

No real ``mongod`` can be installed on the project's machines, so the test
suite talks to mongoeco's wire server instead (PyPI ``mongoeco[wire]``, which
needs Python >= 3.13).  ``scripts/services.sh`` creates a separate virtualenv
for it and runs this file in the background::

    <venv>/bin/python scripts/mongo_emulator.py --port 27017

Data lives in memory only and is lost when the process stops (SIGTERM/SIGINT
shut it down cleanly).  It is an emulator: keep Mongo test fixtures small.
"""

from __future__ import annotations

import argparse
import asyncio
import signal


async def serve(host: str, port: int) -> None:
    from mongoeco.wire import AsyncMongoEcoProxyServer

    server = AsyncMongoEcoProxyServer(host=host, port=port)
    address = await server.start()
    print(f"mongoeco wire emulator listening on {address.host}:{address.port}", flush=True)

    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stopping.set)
    try:
        await stopping.wait()
    finally:
        await server.close()
        print("mongoeco wire emulator stopped", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=27017)
    args = parser.parse_args()
    asyncio.run(serve(args.host, args.port))


if __name__ == "__main__":
    main()
