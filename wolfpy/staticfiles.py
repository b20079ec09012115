"""Serving ``static/`` at ``/static/``: safe path resolution, caching, conditional and range requests."""
from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from .errors import NotFound
from .helpers import send_file
from .routing.patterns import windows_name_problem

# "app.3f2a9c1b.css": a content hash in the name means the file never changes.
_FINGERPRINT = re.compile(r"\.[0-9a-f]{8,64}\.[A-Za-z0-9]+$")
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"


def safe_join(root: str, segments: list[str]) -> str | None:
    """``root``/``segments`` as a real path inside ``root``, or None.

    Refuses empty, ``.`` and ``..`` segments, NUL, backslashes, slashes inside a
    segment (a decoded ``%2F``), drive letters, Windows device names, dotfiles,
    and symlinks that lead outside ``root`` (realpath + commonpath, never a
    string prefix test).
    """
    for seg in segments:
        if (not seg or seg in (".", "..") or seg.startswith(".") or "\0" in seg or "\\" in seg
                or "/" in seg or ":" in seg or windows_name_problem(seg)):
            return None
    real_root = os.path.realpath(root)
    candidate = os.path.realpath(os.path.join(real_root, *segments))
    try:
        if os.path.commonpath([real_root, candidate]) != real_root:
            return None
    except ValueError:  # different drives
        return None
    return candidate if os.path.isfile(candidate) else None


def make_static_handler(root: Path) -> Any:
    root_str = str(root)

    def get(request: Any, path: list[str]) -> Any:
        full = safe_join(root_str, path)
        if full is None:
            raise NotFound()
        response = send_file(full, request=request)
        response.headers["Cache-Control"] = IMMUTABLE if _FINGERPRINT.search(path[-1]) else REVALIDATE
        return response
    return get
