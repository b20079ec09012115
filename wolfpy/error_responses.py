"""An app's error responses: JSON for API callers, the project's error page or the built-in one
otherwise, the 500 (the debug page in debug), and the hint about unapplied migrations."""
from __future__ import annotations

import logging
import os
import sys
import traceback
from typing import Any

from .diagnostics import builtin_error_page, debug_page
from .errors import HTTPError
from .http.response import HTML, JSON, Response, dumps

log = logging.getLogger("wolfpy")

NOT_FOUND = HTTPError(404)  # never raised, only rendered: one shared instance
_PAGE_CACHE_SIZE = 256


def wants_json(request: Any) -> bool:
    """Does this request get its errors as JSON? (an API route, or a client preferring JSON)"""
    route = request.route
    if route is not None:
        ep = route.endpoints.get(request.method)
        if (ep is not None and ep.api) or route.api:
            return True
    return request.prefers_json()


class ErrorResponses:
    """The error responses of one app.

    The pages it builds are kept: a built-in page per (status, message), up to 256 of
    them, and whether the project has ``templates/errors/<status>.html`` (checked once,
    or on every error in debug). ``plain_404`` is the usual 404 (built-in page, HTML
    wanted, debug off): the same bytes every time, set by :meth:`settle`.
    """

    def __init__(self, app: Any) -> None:
        self.app = app
        self.plain_404: bytes | None = None
        self._pages: dict[tuple[int, str], bytes] = {}
        self._templates: dict[int, bool] = {}

    def settle(self) -> None:
        """Done once the app is frozen: prebuild the usual 404 page when nothing overrides it."""
        project, settings = self.app.project, self.app.settings
        if project is None or not (project.templates / "errors/404.html").is_file():
            if not settings.debug:
                self.plain_404 = builtin_error_page(404, NOT_FOUND.message).encode()

    def error_response(self, request: Any, exc: HTTPError) -> Response:
        """The response for an HTTP error: JSON for API callers, an HTML page otherwise.

        The page is the project's ``templates/errors/<status>.html`` when it has one,
        else WolfPy's built-in page.
        """
        status, message = exc.status, exc.message
        headers = list(exc.headers.items())
        if wants_json(request):
            payload: dict[str, Any] = {"status": status, "message": message}
            if exc.fields:
                payload["fields"] = exc.fields
            return Response(dumps({"error": payload}), status, headers, JSON)
        page = self._custom_page(request, status, message)
        if page is None:
            key = (status, message)
            page = self._pages.get(key)
            if page is None:
                page = builtin_error_page(status, message).encode()
                if len(self._pages) < _PAGE_CACHE_SIZE:
                    self._pages[key] = page
        return Response(page, status, headers, HTML)

    def not_found(self, request: Any) -> Response:
        """The 404 (a path parameter that does not convert, or no route at all)."""
        page = self.plain_404
        if page is not None and not wants_json(request):
            return Response(page, 404, None, HTML)
        return self.error_response(request, NOT_FOUND)

    def _custom_page(self, request: Any, status: int, message: str) -> bytes | None:
        app = self.app
        if app.project is None:
            return None
        name = f"errors/{status}.html"
        exists = self._templates.get(status)
        if exists is None or app.settings.debug:
            exists = (app.project.templates / name).is_file()
            self._templates[status] = exists
        if not exists:
            return None
        try:
            return app.templates.render(name, request, status=status, message=message).encode()
        except Exception:
            log.exception("error page template %s failed; using the built-in page", name)
            return None

    def server_error(self, request: Any, exc: BaseException) -> Response:
        """The 500 for an exception nobody caught: logged; the debug page (or JSON) in debug."""
        log.error("unhandled exception in %s %s", request.method, request.raw_path, exc_info=exc)
        app = self.app
        if app.settings.debug:
            hint = migrations_hint_for(app)  # read now: `wolfpy db migrate` may have run since
            if wants_json(request):
                trace = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
                error: dict[str, Any] = {"status": 500, "message": f"{type(exc).__name__}: {exc}",
                                         "traceback": trace}
                if hint:
                    error["hint"] = hint
                return Response(dumps({"error": error}), 500, None, JSON)
            return Response(debug_page(exc, request, hint=hint).encode(), 500, None, HTML)
        return self.error_response(request, HTTPError(500))


def unapplied_migrations(app: Any) -> list[str]:
    """The project's migrations that its database has not applied, oldest first.

    Empty when there is nothing to say or it cannot be told (no migrations folder,
    a database that does not answer, a migration file that does not import).
    """
    project = app.project
    from .db.migrations.plugins import unapplied as plugins_unapplied  # "greeter:0001_initial"
    later = plugins_unapplied(app)
    if project is None or not project.migrations.is_dir():
        return later
    try:
        from .db.database import backend_name, database_from_url
        from .db.migrations.loader import MigrationLoader
        from .db.migrations.recorder import MigrationRecorder
        from .db.migrations.schema import editor_for
        names = MigrationLoader(project.migrations, project.root).names
        if not names:
            return later
        db = database_from_url(str(app.settings.database.url), project.root, pooled=False)
        if backend_name(db) == "sqlite" and db.database != ":memory:" and not os.path.exists(db.database):
            return list(names)   # no database file yet (and none made by asking)
        try:
            applied = MigrationRecorder(db, editor_for(db)).applied()
        finally:
            if not db.is_closed():
                db.close()
    except Exception:  # a hint must never stop the server
        log.debug("could not tell which migrations are applied", exc_info=True)
        return later
    return [name for name in names if name not in applied] + later


def models_differ(app: Any) -> bool:
    """Whether the models describe a schema the migrations do not produce (a change that
    ``wolfpy db migrate`` would write a migration for). False when it cannot be told, and
    in a project without migrations yet (one that does not use them, or not so far)."""
    project = app.project
    if project is None or not project.migrations.is_dir():
        return False
    try:
        from .db.migrations.loader import MigrationLoader
        from .db.migrations.state import equal, models_state
        loader = MigrationLoader(project.migrations, project.root)
        if not loader.names:
            return False
        models = app.models or app.bind_models()
        return bool(models) and not equal(models_state(models), loader.state())
    except Exception:  # a hint must never stop the server
        log.debug("could not compare the models with the migrations", exc_info=True)
        return False


def migrations_hint(pending: list[str]) -> str:
    """One line naming the unapplied migrations and the command that applies them."""
    shown = ", ".join(pending[:3]) + (f" and {len(pending) - 3} more" if len(pending) > 3 else "")
    count = f"{len(pending)} migration{'s' if len(pending) != 1 else ''}"
    return f"the database has {count} not applied yet ({shown}): run `wolfpy db migrate`"


DRIFT_HINT = ("the models have changes that no migration has yet: run `wolfpy db migrate` to write "
              "and apply one")


def migrations_hint_for(app: Any) -> str | None:
    """What to say about the database and the migrations, or None when they agree."""
    pending = unapplied_migrations(app)
    if pending:
        return migrations_hint(pending)
    return DRIFT_HINT if models_differ(app) else None


def warn_unapplied_migrations(app: Any) -> None:
    """At a server's start: say so when the database is behind the migrations, or the
    migrations behind the models."""
    hint = migrations_hint_for(app)
    if hint:
        print(f"warning: {hint}", file=sys.stderr, flush=True)


def warn_in_debug(app: Any) -> Any:
    """``wolfpy.load()`` with debug on says what :func:`warn_unapplied_migrations` says
    (not under pytest: the test fixtures make their tables without migrations)."""
    if app.settings.debug and "PYTEST_CURRENT_TEST" not in os.environ:
        warn_unapplied_migrations(app)
    return app
