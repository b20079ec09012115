"""The dev server's side of the assets pipeline: a stylesheet that does not build is shown on the page.

The assets watcher (in the ``wolfpy serve`` process that watches files) writes the
errors of the last build to ``static/dist/.errors.json``; while that file exists, every
page of the development app is an error page naming the file, line and column, and
reloads itself once the file compiles. The last good CSS stays in place meanwhile.
Added only with debug on: a production app never looks.
"""
from __future__ import annotations

import html
import os
from pathlib import Path
from typing import Any

from ..assets.builder import DIST, ERRORS, read_errors
from ..http.response import Response
from ..middleware import Hooks

__all__ = ["AssetErrors", "error_page"]


def error_page(errors: list[str]) -> str:
    e = html.escape
    lines = "\n".join(e(line) for line in errors)
    return ('<!doctype html><html lang="en"><head><meta charset="utf-8"><title>WolfPy: assets do not '
            'build</title><style>body{margin:0;font:15px/1.5 system-ui,sans-serif}'
            "header{background:#8f1d1d;color:#fff;padding:18px 28px}h1{margin:0;font-size:20px}"
            "pre{margin:24px 28px;font:14px/1.5 ui-monospace,monospace;white-space:pre-wrap}"
            "p{margin:0 28px;color:#5b6475}</style></head><body>"
            "<header><h1>The assets could not be built</h1></header>"
            f"<pre class=\"asset-error\">{lines}</pre><p>Fix the file and save: this page reloads by itself "
            "(the last good stylesheet is still served).</p></body></html>")


class AssetErrors(Hooks):
    """Answers every request outside ``/static/`` and ``/_wolfpy/`` with the build errors, while there are any."""

    name = "asset_errors"

    def __init__(self, static: Path) -> None:
        marker = os.path.join(static, DIST, ERRORS)

        def before(request: Any) -> Response | None:
            path = request.path
            if path.startswith(("/static/", "/_wolfpy/")) or not os.path.exists(marker):
                return None
            errors = read_errors(static)
            if not errors:
                return None
            return Response(error_page(errors).encode(), 500, [("cache-control", "no-store")],
                            "text/html; charset=utf-8")
        self.before = before
