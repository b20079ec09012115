"""``wolfpy.wsgi:application`` — the project in the current directory (or $WOLFPY_PROJECT) for any WSGI server."""
from __future__ import annotations

from typing import Any


def __getattr__(name: str) -> Any:
    # Loaded on first access, not at import: importing this module stays free of side effects.
    if name == "application":
        from .app import load_for_server
        app = globals()["application"] = load_for_server(asgi=False)
        return app
    raise AttributeError(name)
