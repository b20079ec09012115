"""Mako templates: one TemplateLookup per App, HTML-escaped by default."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from .context import current_request
from .errors import WolfPyError
from .helpers import static_url
from .middleware.csrf import csrf_field, csrf_token
from .sessions import get_flashes
from .http.response import HTML, Response

BUILTIN_TEMPLATES = Path(__file__).parent / "templates"
_SUGGEST_SCAN_LIMIT = 5000  # template files looked at for a "did you mean" (per folder)


class TemplateNotFound(WolfPyError):
    """No template of that name in any template folder; the message lists the folders searched."""


def _make_lookup_class() -> Any:
    from mako.lookup import TemplateLookup

    class ReloadingLookup(TemplateLookup):
        """A lookup that notices every save in development.

        Mako's own check compares whole-second file times, so a template saved
        within the second of its last render stays stale; this one compares
        nanosecond mtimes of every template it hands out (layouts included).
        """

        def __init__(self, **kw: Any) -> None:
            super().__init__(filesystem_checks=False, **kw)
            self._mtimes: dict[str, int] = {}

        def get_template(self, uri: str) -> Any:
            template = super().get_template(uri)
            try:
                mtime = os.stat(template.filename).st_mtime_ns if template.filename else 0
            except OSError:
                mtime = -1
            seen = self._mtimes.get(uri)
            if seen is not None and seen != mtime:
                with self._mutex:
                    self._collection.pop(uri, None)
                template = super().get_template(uri)
            self._mtimes[uri] = mtime
            return template
    return ReloadingLookup


class Templates:
    """The template lookup of one App: the project's ``templates/``, then WolfPy's built-ins."""

    def __init__(self, app: Any) -> None:
        from mako.lookup import TemplateLookup

        lookup_class = _make_lookup_class() if app.settings.debug else TemplateLookup
        dirs = []
        if app.project is not None and app.project.templates.is_dir():
            dirs.append(str(app.project.templates))
        dirs.extend(str(d) for d in getattr(app, "template_dirs", ()))
        if BUILTIN_TEMPLATES.is_dir():
            dirs.append(str(BUILTIN_TEMPLATES))
        options: dict[str, Any] = {} if app.settings.debug else {"filesystem_checks": False}
        self.lookup = lookup_class(
            directories=dirs,
            default_filters=["h"],      # escape every ${...}; "| n" is the audited opt-out
            input_encoding="utf-8",
            strict_undefined=True,
            **options,
        )
        self.app = app

    def render(self, name: str, request: Any, /, **context: Any) -> str:
        return self.render_context(name, request, context)

    def render_context(self, name: str, request: Any, context: dict[str, Any]) -> str:
        """Render ``name`` with ``context`` (which it may extend with the helpers)."""
        from mako.exceptions import TopLevelLookupException

        try:
            template = self.lookup.get_template(name)
        except TopLevelLookupException:
            raise TemplateNotFound(self.not_found_message(name)) from None
        context.setdefault("request", request)
        context.setdefault("url_for", self.app.url_for)
        context.setdefault("static_url", static_url)
        context.setdefault("user", getattr(request, "user", None))
        context.setdefault("csrf_token", _bound(csrf_token, request))
        context.setdefault("csrf_field", _bound(csrf_field, request))
        context.setdefault("flashes", _bound(get_flashes, request))
        return template.render(**context)


    def searched(self) -> list[str]:
        """The template folders, in lookup order, as messages show them."""
        project = self.app.project
        shown = []
        if project is not None and not project.templates.is_dir():
            shown.append("templates/ (the project has no such folder)")
        for folder in self.lookup.directories:
            path = Path(folder)
            if project is not None and path.is_relative_to(project.root):
                shown.append(path.relative_to(project.root).as_posix() + "/")
            elif path == BUILTIN_TEMPLATES:
                shown.append(f"{path} (WolfPy's built-in templates)")
            else:
                shown.append(str(path))
        return shown

    def not_found_message(self, name: str) -> str:
        import difflib
        message = f"template not found: {name}; searched, in order: {', '.join(self.searched())}"
        known: list[str] = []
        for folder in self.lookup.directories:
            if Path(folder) == BUILTIN_TEMPLATES:
                continue
            for count, path in enumerate(Path(folder).rglob("*")):
                if count >= _SUGGEST_SCAN_LIMIT:
                    break
                if path.is_file():
                    known.append(path.relative_to(folder).as_posix())
        close = difflib.get_close_matches(name.lstrip("/"), known, n=1)
        return f"{message}; did you mean {close[0]!r}?" if close else message


def _bound(helper: Any, request: Any) -> Any:
    def call(*args: Any, **kwargs: Any) -> Any:
        return helper(request, *args, **kwargs)
    return call


def render(template: str, /, status: int = 200, **context: Any) -> Response:
    """Render ``template`` from the project's ``templates/`` into an HTML response."""
    request = current_request()
    return Response(request.app.templates.render_context(template, request, context).encode(), status, None, HTML)
