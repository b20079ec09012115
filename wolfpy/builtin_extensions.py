"""The extensions every App gets: the project's ``static/`` folder, ``/media/``, the admin,
OpenAPI, ``/_wolfpy/health``, the docs site and realtime.

They enter through the same :class:`~wolfpy.extensions.Extension` API as plugins,
after the project's routes and the plugins' (OpenAPI documents those too).
"""
from __future__ import annotations

from typing import Any

from .extensions import Extension

STATIC_SOURCE = "static/ (built-in static files)"


def static_extension(app: Any) -> Extension | None:
    """``/static/{path...}`` → the project's ``static/`` folder, when it exists and the
    project has no route named ``static`` of its own."""
    project = app.project
    if project is None or not project.static.is_dir():
        return None
    if any(r.name == "static" for r in app.routes):
        return None
    from .staticfiles import make_static_handler
    ext = Extension("static", source=STATIC_SOURCE)
    ext.route("/static/{path...}", name="static")(make_static_handler(project.static))
    return ext


def builtin_extensions(app: Any) -> list[Extension]:
    """The built-in extensions ``app`` should get, in the order they are applied."""
    from .admin import admin_extension
    from .openapi.routes import openapi_extension
    from .docsite.extension import docs_extension
    from .realtime.extension import realtime_extension
    from .shipping.health import health_extension
    from .mail_extension import mail_extension
    from .storage.media import media_extension
    found = [static_extension(app), media_extension(app), admin_extension(app), openapi_extension(),
             health_extension(), docs_extension(app), realtime_extension(app), mail_extension(app)]
    return [ext for ext in found if ext is not None]
