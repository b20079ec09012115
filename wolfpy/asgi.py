"""``wolfpy.asgi:application`` — the project in the current directory (or $WOLFPY_PROJECT) for any ASGI server."""
from __future__ import annotations

import os
import sys
from typing import Any


def __getattr__(name: str) -> Any:
    # Loaded on first access, not at import: importing this module stays free of side effects.
    if name == "application":
        from .app import load
        from .errors import ConfigError
        try:
            app = load(os.environ.get("WOLFPY_PROJECT", ".")).asgi
        except ConfigError as exc:
            # One clear line for the server's log instead of a traceback, then stop.
            print(f"error: {exc}", file=sys.stderr, flush=True)
            raise SystemExit(3) from None  # 3: "worker failed to boot" to gunicorn, which then stops
        globals()["application"] = app
        return app
    raise AttributeError(name)
