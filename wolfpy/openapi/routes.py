"""The two built-in routes: ``GET /openapi.json`` and ``GET /openapi``.

Both are built on first request and then served from memory: the route table is
frozen by then, so the document cannot change.
"""
from __future__ import annotations

import json as _json
from typing import Any

from ..http.response import HTML, JSON, Response, dumps
from ..routing.patterns import STATIC, Segment
from .document import BUILTIN_SOURCE, JSON_URL, PAGE_URL, build_openapi, has_api
from .page import render_page
from ..extensions import Extension


def openapi_extension() -> Extension:
    """The built-in OpenAPI extension: ``GET /openapi.json`` and ``GET /openapi``.

    Its routes are made once the app's other routes are known, and only when
    ``[api] openapi`` is on and the app has API endpoints; a URL or route name the
    project already uses is left to the project.
    """
    ext = Extension("openapi", source=BUILTIN_SOURCE)

    @ext.on_load
    def add_routes(app: Any, ext: Extension) -> None:
        if not app.settings.get("api", "openapi", True) or not has_api(app):
            return
        cache: dict[str, bytes] = {}

        def document() -> bytes:
            body = cache.get("json")
            if body is None:
                body = cache["json"] = dumps(build_openapi(app))
            return body

        def openapi_json(request: Any) -> Response:
            return Response(document(), 200, None, JSON)

        def openapi_page(request: Any) -> Response:
            body = cache.get("html")
            if body is None:
                body = cache["html"] = render_page(_json.loads(document())).encode()
            return Response(body, 200, None, HTML)

        taken_names = {r.name for r in app.routes}
        taken_urls = {tuple(s.value.lower() if s.kind == STATIC else "" for s in r.segments) for r in app.routes}
        for name, url, handler, api in (("openapi.json", JSON_URL, openapi_json, True),
                                        ("openapi", PAGE_URL, openapi_page, False)):
            if name in taken_names or (url.lstrip("/").lower(),) in taken_urls:
                continue
            ext.route(url, ["GET"], name=name, api=api)(handler)
    return ext
