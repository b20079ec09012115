"""Rebuild ``assets/`` on every change (``wolfpy assets watch``, and ``wolfpy serve`` in development)."""
from __future__ import annotations

import sys
import threading
import time
from typing import Any, Callable

from .builder import Builder, BuildReport

__all__ = ["describe", "watch", "start_in_thread"]


def describe(report: BuildReport, seconds: float) -> list[str]:
    """The lines a build prints: one per error, else one summary."""
    if report.errors:
        return [f"error: {line}" for line in report.errors]
    if not report.built and not report.removed:
        return []
    parts = [f"built {len(report.built)} file{'s' if len(report.built) != 1 else ''}"]
    if report.removed:
        parts.append(f"removed {len(report.removed)}")
    return [f"assets: {', '.join(parts)} in {seconds * 1000:.0f} ms"]


def _print(lines: list[str]) -> None:
    for line in lines:
        print(line, file=sys.stderr if line.startswith("error:") else sys.stdout, flush=True)


def watch(project: Any, *, stop: threading.Event | None = None,
          report: Callable[[list[str]], None] = _print, builder: Builder | None = None) -> None:
    """Build once, then rebuild what each change affects until ``stop`` is set.

    One compiler process serves every rebuild. A file that does not compile is
    reported, one line, and its last good output stays in place.
    """
    from watchfiles import watch as watch_changes
    own = builder is None
    builder = builder or Builder(project)
    try:
        started = time.perf_counter()
        report(describe(builder.build(), time.perf_counter() - started))
        if not project.assets.is_dir():
            return
        for changes in watch_changes(project.assets, debounce=50, step=50, stop_event=stop,
                                     raise_interrupt=False, yield_on_timeout=False):
            started = time.perf_counter()
            result = builder.rebuild(path for _kind, path in changes)
            report(describe(result, time.perf_counter() - started))
    finally:
        if own:
            builder.close()


def start_in_thread(project: Any, stop: threading.Event) -> threading.Thread | None:
    """:func:`watch` in a daemon thread (the dev server); None when the project has no
    ``assets/`` or the assets extra is missing (one line says so)."""
    if not project.assets.is_dir():
        return None
    from ..errors import MissingExtra
    from .builder import minifier
    from .sass import load_protocol
    try:
        load_protocol()
        minifier("css")
        minifier("js")
    except MissingExtra as exc:
        print(f"warning: assets/ is not built: {exc}", file=sys.stderr, flush=True)
        return None

    def run() -> None:
        try:
            watch(project, stop=stop)
        except Exception as exc:  # the server goes on; the page keeps the last good build
            print(f"error: the assets watcher stopped: {exc}", file=sys.stderr, flush=True)
    thread = threading.Thread(target=run, name="wolfpy-assets", daemon=True)
    thread.start()
    return thread
