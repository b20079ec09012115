"""Mako templates: one TemplateLookup per App, HTML-escaped by default."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from .context import current_request
from .errors import WolfPyError
from .http.response import HTML, Response

BUILTIN_TEMPLATES = Path(__file__).parent / "templates"


class Templates:
    """The template lookup of one App: the project's ``templates/``, then WolfPy's built-ins."""

    def __init__(self, app: Any) -> None:
        from mako.lookup import TemplateLookup

        dirs = []
        if app.project is not None and app.project.templates.is_dir():
            dirs.append(str(app.project.templates))
        dirs.extend(str(d) for d in getattr(app, "template_dirs", ()))
        if BUILTIN_TEMPLATES.is_dir():
            dirs.append(str(BUILTIN_TEMPLATES))
        self.lookup = TemplateLookup(
            directories=dirs,
            default_filters=["h"],      # escape every ${...}; "| n" is the audited opt-out
            input_encoding="utf-8",
            filesystem_checks=bool(app.settings.debug),
            strict_undefined=True,
        )
        self.app = app

    def render(self, name: str, request: Any, /, **context: Any) -> str:
        from mako.exceptions import TopLevelLookupException

        try:
            template = self.lookup.get_template(name)
        except TopLevelLookupException:
            raise WolfPyError(f"template not found: {name}") from None
        app = self.app
        helpers = {
            "request": request,
            "url_for": app.url_for,
            "static_url": _static_url,
            "user": getattr(request, "user", None),
        }
        helpers.update(context)
        return template.render(**helpers)


def _static_url(path: str) -> str:
    from .helpers import static_url
    return static_url(path)


def render(template: str, /, status: int = 200, **context: Any) -> Response:
    """Render ``template`` from the project's ``templates/`` into an HTML response."""
    request = current_request()
    app = request.app
    templates = app.templates
    return Response(templates.render(template, request, **context).encode(), status, None, HTML)
