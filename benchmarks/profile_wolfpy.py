#!/usr/bin/env python3
"""cProfile of WolfPy's request path for one benchmark case, with the same harness as run.py.

    python benchmarks/profile_wolfpy.py                        # plaintext, WSGI and ASGI, 200k requests
    python benchmarks/profile_wolfpy.py --case 404 --proto asgi -n 50000 --top 25
    python benchmarks/profile_wolfpy.py --case form --sort cumulative

Prints the unprofiled rate first (profiling slows everything ~2-3x, unevenly: many small
calls are penalised most), then the top functions by the chosen sort key.
"""
from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import pstats
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run  # noqa: E402  (also puts this checkout's wolfpy on sys.path)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--case", default="plaintext", choices=[c.key for c in run.CASES])
    ap.add_argument("--proto", default="both", choices=["wsgi", "asgi", "both"])
    ap.add_argument("-n", type=int, default=200_000, help="requests to profile (default 200000)")
    ap.add_argument("--top", type=int, default=15)
    ap.add_argument("--sort", default="tottime", help="pstats sort key (tottime, cumulative, ncalls)")
    args = ap.parse_args(argv)

    ws = run.apps.Workspace()
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        run._selected_cases.add(args.case)
        run.build_frameworks({"wolfpy-wsgi", "wolfpy-asgi"}, ws, print)
        case = run.CASE_BY_KEY[args.case]
        protos = ["wsgi", "asgi"] if args.proto == "both" else [args.proto]
        for proto in protos:
            fw = run.FW_BY_KEY[f"wolfpy-{proto}"]
            app = fw.apps.get(case.key)
            if app is None:
                print(f"WolfPy {proto}: no app for case {case.key}")
                continue
            runner = run.Runner(fw, case, app, loop)
            error = case.verify(*runner.once())
            if error:
                print(f"WolfPy {proto} / {case.key}: check failed: {error}")
                return 1
            runner.run(1000)
            plain = min(runner.run(args.n // 4) for _ in range(3)) / (args.n // 4)
            prof = cProfile.Profile()
            prof.enable()
            elapsed = runner.run(args.n)
            prof.disable()
            out = io.StringIO()
            stats = pstats.Stats(prof, stream=out)
            stats.strip_dirs().sort_stats(args.sort).print_stats(args.top)
            print(f"## WolfPy {proto.upper()} / {case.key}: {args.n:,} requests")
            print(f"unprofiled: {1 / plain:,.0f} calls/s ({plain * 1e6:.2f} µs/call); "
                  f"profiled: {args.n / elapsed:,.0f} calls/s; "
                  f"{stats.total_calls / args.n:.1f} profiled calls/request")  # type: ignore[attr-defined]
            text = out.getvalue()
            print(text[text.index("   ncalls"):] if "   ncalls" in text else text)
    finally:
        loop.close()
        ws.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
