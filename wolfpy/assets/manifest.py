"""``static_url("css/app.css")`` → ``/static/dist/css/app.3f2a9c1b.css``, through ``static/dist/manifest.json``.

A name the manifest does not have (no build yet, or a file that lives in ``static/``
itself) is the plain ``/static/<name>``. With debug on the manifest is read again
whenever it changes, so a page made after a rebuild links the new file; otherwise it is
read once per process (a deploy restarts the workers).
"""
from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import Any

__all__ = ["resolve", "manifest_for"]

_FILE = os.path.join("dist", "manifest.json")
# Process-wide on purpose: one cache entry per manifest file, shared by the Apps of a
# process that serve the same project (each entry knows its own file).
_cache: dict[str, tuple[int, dict[str, str]]] = {}
_lock = threading.Lock()


def manifest_for(static: Path) -> dict[str, str]:
    """The manifest of the ``static/`` folder ``static`` ({} without one)."""
    path = os.path.join(static, _FILE)
    cached = _cache.get(path)
    try:
        mtime = os.stat(path).st_mtime_ns
    except OSError:
        mtime = -1
    if cached is not None and cached[0] == mtime:
        return cached[1]
    mapping: dict[str, str] = {}
    if mtime >= 0:
        try:
            data = json.loads(Path(path).read_text("utf-8"))
        except (OSError, ValueError):
            data = {}
        if isinstance(data, dict):
            mapping = {str(k): str(v) for k, v in data.items() if isinstance(v, str)}
    with _lock:
        _cache[path] = (mtime, mapping)
    return mapping


def resolve(app: Any, path: str) -> str:
    """The URL of ``path`` (``css/app.css``) for ``app``: the built file when the manifest
    names it, else the plain file under ``/static/``.

    With debug off each answer is kept on the App (at most :data:`KEPT` of them), so a
    page's ``static_url`` calls cost a dict lookup: no ``stat`` of the manifest per call.
    """
    if app.settings.debug:
        return _resolve(app, path)
    kept = app.__dict__.setdefault(_KEPT, {})
    url = kept.get(path)
    if url is None:
        url = _resolve(app, path)
        if len(kept) < KEPT:
            kept[path] = url
    return url


#: Answers of :func:`resolve` kept per App with debug off (names beyond it are resolved each time).
KEPT = 1024
_KEPT = "_wolfpy_static_urls"


def _resolve(app: Any, path: str) -> str:
    path = path.lstrip("/")
    project = getattr(app, "project", None)
    if project is not None:
        built = manifest_for(project.static).get(path)
        if built is not None:
            return "/static/dist/" + built
    return "/static/" + path
