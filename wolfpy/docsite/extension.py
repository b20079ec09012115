"""``/docs``: the docs site as a built-in extension, mounted the way a plugin would be.

On when the project has a ``docs/`` folder and ``[docs] enabled`` is true, except in
production, where it is on only if ``enabled`` is set explicitly (in ``wolfpy.toml``
or ``WOLFPY_DOCS_ENABLED``): the generated pages describe every route of the app. A
project route at ``/docs`` wins: the extension then stays out.
"""
from __future__ import annotations

from typing import Any

from ..errors import NotFound
from ..extensions import Extension
from ..http.response import HTML, JSON, Response
from . import DOCS_URL

SOURCE = "docs (built-in docs site)"
_NO_CACHE = [("cache-control", "no-cache")]


def docs_enabled(settings: Any) -> bool:
    """Whether ``/docs`` is served under ``settings`` (see the module docstring)."""
    if not settings.get("docs", "enabled", True):
        return False
    explicit = settings.sources.get(("docs", "enabled"), "default") != "default"
    return explicit or not settings.production


def docs_extension(app: Any) -> Extension | None:
    project = app.project
    if project is None or not project.docs.is_dir() or not docs_enabled(app.settings):
        return None
    if any(r.template == DOCS_URL or r.template.startswith(DOCS_URL + "/") for r in app.routes):
        return None
    from .site import Site  # Markdown and Pygments: imported only by an app that serves /docs
    site = Site(app, watch=bool(app.settings.debug))
    ext = Extension("docs", source=SOURCE)

    def html(text: str) -> Response:
        return Response(text.encode(), 200, list(_NO_CACHE), HTML)

    @ext.route(DOCS_URL, name="docs")
    def home(request: Any) -> Response:
        return page(request, [])

    @ext.route(DOCS_URL + "/{path...}", name="docs:page")
    def page(request: Any, path: list[str]) -> Response:
        if len(path) == 2 and path[0] == "_assets":
            return _asset(site, path[1])
        if path == ["search"]:
            return html(site.search_page(request.query.get("q")))
        found = site.find(path)
        if found is not None:
            return html(site.html(found))
        if "/".join(path) in site.files:
            from ..staticfiles import make_static_handler
            return make_static_handler(site.root)(request, path)  # realpath containment again
        raise NotFound()

    return ext


def _asset(site: Any, name: str) -> Response:
    from .layout import ASSET_TYPES, asset
    if name in ASSET_TYPES:
        return Response(asset(name).encode(), 200, list(_NO_CACHE), ASSET_TYPES[name])
    if name == "search-index.js":
        return Response(site.index_script().encode(), 200, list(_NO_CACHE), ASSET_TYPES["search.js"])
    if name == "search-index.json":
        return Response(site.index_json().encode(), 200, list(_NO_CACHE), JSON)
    raise NotFound()
