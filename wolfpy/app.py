"""The App: loads a project's routes and extensions, freezes them, and serves them (WSGI and ASGI)."""
from __future__ import annotations

import gc
import os
import sys
import threading
from pathlib import Path
from typing import Any, Callable, Iterable

from . import context
from .concurrency import ThreadRunner, run_blocking
from .config import Settings
from .dispatch import Dispatcher
from .error_responses import ErrorResponses, wants_json
from .error_responses import warn_in_debug, warn_unapplied_migrations as warn_unapplied_migrations  # its old home
from .errors import ConfigError, HTTPError, RouteLoadError, WolfPyError
from .extensions import Extension, ExtensionMiddleware, load_plugins
from .adapters.wsgi import serve_wsgi
from .logs import AppLogging
from .handlers import Endpoint, convert_params, is_async_callable, module_endpoints
from .http.response import Response
from .middleware.builtin import build_builtins
from .project import Project
from .routing.loader import ModuleLoader, middleware_of, scan
from .routing.patterns import parse_path
from .routing.route import Route, allow_header
from .routing.router import Router


class App:
    """A WolfPy application: a WSGI callable, with ``app.asgi`` as its ASGI 3 twin.

    Args:
        project: the project folder (a :class:`Project` or a path); None for a
            single-file app that only uses :meth:`route`.
        settings: explicit settings; by default read from the project.
        debug, secret_key: shortcuts overriding ``[app] debug`` / ``secret_key``.
    """

    def __init__(self, project: Project | str | os.PathLike[str] | None = None,
                 settings: Settings | None = None, *, debug: bool | None = None,
                 secret_key: str | None = None) -> None:
        if project is not None and not isinstance(project, Project):
            project = Project(project)
        self.project: Project | None = project
        if settings is None:
            settings = Settings.load(project) if project is not None else Settings.load(None)
        overrides: dict[str, Any] = {}
        if debug is not None:
            overrides["debug"] = debug
        if secret_key is not None:
            overrides["secret_key"] = secret_key
        if overrides:
            settings = settings.override(app=overrides)
        self.settings = settings
        self.router = Router()
        self.routes: list[Route] = []
        self.middleware: list[Any] = []
        self.on_startup: list[Callable[[], Any]] = []
        self.on_shutdown: list[Callable[[], Any]] = []
        self.threads = ThreadRunner()
        self.route_loader = ModuleLoader(project.root) if project is not None else None  # its route modules
        self._frozen = False
        self._freeze_lock = threading.RLock()
        self._started = False
        self._sync_404: Any = None
        self._async_404: Any = None
        self._asgi: Any = None
        self.request_config: Any = None  # built from the settings by the adapters (adapters/common.py)
        self._templates: Any = None
        self._database: Any = None
        self._cache: Any = None
        self.logging = AppLogging(self)  # its handlers and level (wolfpy/logs.py)
        self.models: list[Any] = []
        self._errors = ErrorResponses(self)
        self._dispatch: Dispatcher | None = None
        self._prepared: set[str] = set()
        self._global_mw: list[Any] = []  # the app-wide layers, outermost first (fixed by freeze)
        self.template_dirs: list[Path] = []
        self.extensions: list[Extension] = []
        self._prefix_mw: list[ExtensionMiddleware] = []
        self._extensions_applied = False
        for plugin in load_plugins(self.settings.get("plugins", "enabled", None) or ()):
            self.extend(plugin)

    # -- building ------------------------------------------------------------
    def load_routes(self, errors: list[str] | None = None) -> "App":
        """Import every file under ``routes/`` and register its endpoints.

        With ``errors`` given, every problem is collected there (``wolfpy check``);
        otherwise the first one raises.
        """
        if self.project is None:
            raise WolfPyError("load_routes() needs a project folder")
        self.project.use_imports()
        assert self.route_loader is not None
        mw_cache: dict[str, list[Any]] = {}
        # Loading allocates many long-lived objects and no garbage: cyclic GC passes
        # during it would only re-scan what was just created.
        gc_was_on = gc.isenabled()
        gc.disable()
        try:
            for rf in scan(self.project.routes, errors):
                try:
                    self._load_file(rf, mw_cache)
                except ConfigError as exc:
                    if errors is None:
                        raise
                    errors.append(str(exc))
        finally:
            if gc_was_on:
                gc.enable()
        return self

    def unload_route_modules(self) -> None:
        """Forget the route modules this app imported (``wolfpy check`` lets a project go)."""
        if self.route_loader is not None:
            self.route_loader.unload_all()

    def _load_file(self, rf: Any, mw_cache: dict[str, list[Any]]) -> None:
        assert self.route_loader is not None and self.project is not None
        module = self.route_loader.load(rf.path)
        endpoints = module_endpoints(module, rf.segments, rf.rel)
        websocket = getattr(module, "websocket", None)
        if not endpoints and websocket is None:
            raise RouteLoadError(
                f"{rf.rel}: defines no handler (get, post, put, patch, delete or websocket); "
                "name helper modules with a leading underscore")
        middleware: list[Any] = []
        for mw_path in rf.middleware_files:
            if mw_path not in mw_cache:
                rel = Path(self.project.root.name, Path(mw_path).relative_to(self.project.root)).as_posix()
                mw_cache[mw_path] = middleware_of(self.route_loader.load(mw_path), rel)
            middleware.extend(mw_cache[mw_path])
        self._add(Route(rf.name, rf.segments, rf.rel, endpoints, websocket, middleware,
                        api=bool(getattr(module, "api", False))))

    def _add(self, route: Route) -> None:
        if self._frozen:
            raise WolfPyError("routes cannot be added after the app has started serving")
        if route.websocket is not None and not is_async_callable(route.websocket):
            raise RouteLoadError(f"{route.source}: websocket() must be an async function")
        self.routes.append(route)
        self.router.add(route.segments, route, route.source, route.name)

    def route(self, path: str, methods: Iterable[str] | None = None, *, name: str | None = None,
              api: bool = False, status: int | None = None) -> Callable[[Any], Any]:
        """Register a handler for ``path`` (``/hello/{name}``, ``/items/{id:int}``)."""
        def decorator(func: Callable[..., Any]) -> Callable[..., Any]:
            source = f"app.route({path!r}) {getattr(func, '__module__', '?')}.{func.__qualname__}"
            self._add_function(path, methods, func, name=name, api=api, status=status, source=source,
                               merge_prefix="app.route(")
            return func
        return decorator

    def _add_function(self, path: str, methods: Iterable[str] | None, func: Callable[..., Any], *,
                      name: str | None, api: bool, status: int | None, source: str,
                      merge_prefix: str) -> None:
        """Add a handler made in code (``App.route`` or an extension's route).

        Handlers for other methods of a path already added from the same place join
        that route; the same method twice is an error naming both.
        """
        try:
            segments = parse_path(path)
        except ValueError as exc:
            raise RouteLoadError(str(exc)) from None
        wanted = [m.upper() for m in (methods or ["GET"])]
        endpoints = {m: Endpoint(func, m, segments, source, api=api, status=status)
                     for m in wanted if m != "WEBSOCKET"}
        websocket = func if "WEBSOCKET" in wanted else None
        existing = next((r for r in self.routes
                         if r.segments == segments and r.source.startswith(merge_prefix)), None)
        if existing is not None and not self._frozen:
            clash = set(existing.endpoints) & set(endpoints)
            if clash:
                raise RouteLoadError(f"{existing.source} and {source} both handle "
                                     f"{', '.join(sorted(clash))} {path}")
            existing.endpoints.update(endpoints)
            if websocket is not None:
                existing.websocket = websocket
            existing.allow = allow_header(existing.endpoints)
        else:
            self._add(Route(name or path, segments, source, endpoints, websocket, api=api))

    def api_route(self, path: str, methods: Iterable[str] | None = None, *, status: int = 200,
                  name: str | None = None) -> Callable[[Any], Any]:
        """Like :meth:`route`, for a JSON API handler: return values and errors are JSON."""
        return self.route(path, methods, name=name, api=True, status=status)

    def websocket_route(self, path: str, *, name: str | None = None) -> Callable[[Any], Any]:
        return self.route(path, ["WEBSOCKET"], name=name)

    def extend(self, extension: Extension) -> Extension:
        """Add what ``extension`` contributes (see :mod:`wolfpy.extensions`), before serving: its
        settings are merged and validated now; its routes, static folder and middleware join
        the app when it freezes, after the project's own routes."""
        if self._frozen:
            raise WolfPyError("extensions cannot be added after the app has started serving")
        if any(e.name == extension.name for e in self.extensions):
            raise ConfigError(f"the extension {extension.name!r} is added twice")
        if extension.settings_defaults or extension.validate is not None:
            self.settings = self.settings.with_section(extension.section, extension.settings_defaults,
                                                       extension.validate)
        if extension.templates is not None:
            self.template_dirs.append(extension.templates)
        self.on_startup.extend(extension.startup)
        self.on_shutdown.extend(extension.shutdown)
        self.extensions.append(extension)
        return extension

    def add_middleware(self, middleware: Any) -> None:
        """Add app-wide middleware (after the built-ins, before folder middleware)."""
        if self._frozen:
            raise WolfPyError("middleware cannot be added after the app has started serving")
        self.middleware.append(middleware)

    # -- freezing ----------------------------------------------------------------
    def freeze(self) -> "App":
        """Compile the router and settle every route's middleware; done once, before serving.

        The dispatch tables themselves are built per protocol on first use
        (:meth:`prepare`): a WSGI server never pays for the ASGI chains, nor the reverse.
        """
        if self._frozen:
            return self
        with self._freeze_lock:
            if self._frozen:
                return self
            self.settings.ensure_secret_key()
            self.apply_extensions()
            self.router.compile()
            layers = build_builtins(self, list(self.settings.middleware.builtin)) + self.middleware
            if self.bind_models():
                from .db.connection import DatabaseConnection
                layers.append(DatabaseConnection(self.database))
            self._global_mw = layers
            self._dispatch = Dispatcher(layers, self._prefix_mw, self.routes, self.router, self._errors,
                                        self.threads, self.settings.debug)
            self._errors.settle()
            self._frozen = True
        return self

    def prepare(self, kind: str) -> None:
        """Build every dispatch table for ``kind`` ("sync" for WSGI, "async" for ASGI)."""
        self.freeze()
        with self._freeze_lock:
            if kind in self._prepared:
                return
            assert self._dispatch is not None
            no_route = self._dispatch.prepare(kind)
            if kind == "sync":
                self._sync_404 = no_route
            else:
                self._async_404 = no_route
            self._prepared.add(kind)

    def apply_extensions(self) -> None:
        """Extend the app with the built-in extensions, as with a plugin, then add every
        extension's routes, static folder and middleware (the plugins' first). Done once, by
        :meth:`freeze` and by tools that list routes without serving (``wolfpy routes``)."""
        if self._extensions_applied:
            return
        self._extensions_applied = True
        from .builtin_extensions import builtin_extensions
        for builtin in builtin_extensions(self):
            self.extend(builtin)
        for extension in self.extensions:
            self._apply(extension)

    def _apply(self, extension: Extension) -> None:
        """Put an extension's routes, static folder and middleware into the app (at freeze)."""
        for load in extension.loaders:
            load(self, extension)
        for r in extension.routes:
            self._add_function(r.path, r.methods, r.func, name=r.name, api=r.api, status=r.status,
                               source=extension.source, merge_prefix=extension.source)
        if extension.static is not None and extension.static.is_dir():
            from .staticfiles import make_static_handler
            self._add_function(extension.static_url + "/{path...}", ["GET"],
                               make_static_handler(extension.static), name=f"{extension.name}:static",
                               api=False, status=None, source=f"{extension.source} static files",
                               merge_prefix=f"{extension.source} static files")
        for m in extension.middleware:
            if m.prefix is None:
                self.middleware.append(m.middleware)
            else:
                self._prefix_mw.append(m)

    # -- dispatch ----------------------------------------------------------------
    def handle(self, request: Any) -> Response:
        """Dispatch a request synchronously (the WSGI path). Never raises."""
        token = context.set_request(request)
        try:
            found = self.router.match(request.raw_path)
            if found is None:
                return self._sync_404(request)
            entry, request.params = found
            route = request.route = entry.target
            return (route.sync_table.get(request.method) or route.sync_405)(request)
        except HTTPError as exc:  # the router refused the URL (not valid UTF-8), or an `after` step raised
            return self.early_error(request, exc)
        except Exception as exc:  # an `after` step failed: no layer is left to answer it
            return self._refuse(request, self._errors.server_error(request, exc))
        finally:
            context.reset_request(token)

    async def handle_async(self, request: Any) -> Response:
        """Dispatch a request on the event loop (the ASGI path). Never raises."""
        token = context.set_request(request)
        try:
            found = self.router.match(request.raw_path)
            if found is None:
                return await self._async_404(request)
            entry, request.params = found
            route = request.route = entry.target
            return await (route.async_table.get(request.method) or route.async_405)(request)
        except HTTPError as exc:  # the router refused the URL (not valid UTF-8), or an `after` step raised
            return self.early_error(request, exc)
        except Exception as exc:  # an `after` step failed: no layer is left to answer it
            return self._refuse(request, self._errors.server_error(request, exc))
        finally:
            context.reset_request(token)

    def early_error(self, request: Any, exc: HTTPError) -> Response:
        """The response to a request refused before it is dispatched (a body or header
        fields over a limit, a body that cannot be read): the error response, given the
        ``after`` step of every app-wide ``Hooks`` layer (the built-ins and ``Hooks``
        objects given to :meth:`add_middleware`), so it carries the same headers as any
        other response. For the adapters; never raises."""
        if self._dispatch is None:
            self.freeze()
        assert self._dispatch is not None
        return self._dispatch.early_error(request, exc)

    def _refuse(self, request: Any, response: Response) -> Response:
        assert self._dispatch is not None
        return self._dispatch.refuse(request, response)

    def match_websocket(self, request: Any) -> tuple[Route, dict[str, Any]] | None:
        """The WebSocket route for ``request`` with converted params, or None."""
        found = self.router.match(request.raw_path)
        if found is None or found[0].target.websocket is None:
            return None
        route = request.route = found[0].target
        request.params = found[1]
        params = convert_params(request, route.ws_converters)
        return None if params is None else (route, params)

    # -- errors ------------------------------------------------------------------
    def wants_json(self, request: Any) -> bool:
        """Does this request get its errors as JSON? (an API route, or a client preferring JSON)"""
        return wants_json(request)

    def error_response(self, request: Any, exc: HTTPError) -> Response:
        """The response for an HTTP error: JSON for API callers, an HTML page otherwise.

        The page is the project's ``templates/errors/<status>.html`` when it has one,
        else WolfPy's built-in page.
        """
        return self._errors.error_response(request, exc)

    def server_error(self, request: Any, exc: BaseException) -> Response:
        """The 500 for an exception nobody caught (logged; the debug page in debug)."""
        return self._errors.server_error(request, exc)

    # -- helpers -----------------------------------------------------------------
    def url_for(self, name: str, /, **params: Any) -> str:
        """The URL of the route ``name`` (``"posts/[id]"``) with ``params`` filled in."""
        if not self.router.compiled:
            self.router.compile()
        return self.router.url_for(name, params)

    @property
    def database(self) -> Any:
        """The project's peewee database, from ``[database] url`` (created on first use)."""
        if self._database is None:
            from .db.database import database_from_url
            root = self.project.root if self.project is not None else None
            self._database = database_from_url(self.settings.database.url, root)
        return self._database

    @property
    def cache(self) -> Any:
        """This app's cache (``wolfpy.cache``): in memory, or in Redis when ``[redis] url`` is set."""
        if self._cache is None:
            from .cache import CREATION_LOCK, make_cache
            with CREATION_LOCK:
                if self._cache is None:
                    self._cache = make_cache(self.settings)
        return self._cache

    def bind_models(self) -> list[Any]:
        """Import the project's ``models/`` and point ``wolfpy.db.Model`` at this app's database.

        Returns the models found (none: nothing is bound and no database is opened).
        """
        extra = [m for ext in self.extensions for m in ext.models]
        if (self.project is None or not self.project.models.is_dir()) and not extra:
            return []
        from .db.database import DATABASE
        from .db.models import discover_models
        found = discover_models(self.project) if self.project is not None and self.project.models.is_dir() else []
        self.models = found + [m for m in extra if m not in found]
        if self.models:
            DATABASE.initialize(self.database)
        return self.models

    @property
    def templates(self) -> Any:
        """The App's Mako template lookup (created on first use)."""
        if self._templates is None:
            from .templating import Templates
            self._templates = Templates(self)
        return self._templates

    # -- lifecycle ---------------------------------------------------------------
    async def startup(self) -> None:
        self.prepare("async")
        if self._started:
            return
        self._started = True
        for hook in self.on_startup:
            result = hook()
            if hasattr(result, "__await__"):
                await result

    async def shutdown(self) -> None:
        for hook in self.on_shutdown:
            result = hook()
            if hasattr(result, "__await__"):
                await result
        self.threads.shutdown()

    # -- server interfaces ---------------------------------------------------------
    def __call__(self, environ: Any, start_response: Any) -> Any:
        if "sync" not in self._prepared:
            self.prepare("sync")
            if not self._started and self.on_startup:
                self._started = True
                for hook in self.on_startup:
                    result = hook()
                    if hasattr(result, "__await__"):
                        run_blocking(result)
        return serve_wsgi(self, environ, start_response)

    @property
    def asgi(self) -> Any:
        """This app as an ASGI 3 application (http, websocket, lifespan)."""
        if self._asgi is None:
            from .adapters.asgi import ASGIAdapter
            self._asgi = ASGIAdapter(self)
        return self._asgi

    def __repr__(self) -> str:
        where = self.project.root if self.project else "single-file"
        return f"<App {where} routes={len(self.routes)}>"


def load_for_server(asgi: bool) -> Any:
    """The project named by ``$WOLFPY_PROJECT`` (default: the current folder) for a server.

    A server is production: debug off, no ``.env``, a real secret key (see
    :mod:`wolfpy.config`). A configuration error is printed as one line and ends the
    process with exit code 3, which gunicorn reads as "worker failed to boot" and stops on.
    """
    try:
        app = load(os.environ.get("WOLFPY_PROJECT", "."), mode="production")
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr, flush=True)
        raise SystemExit(3) from None
    warn_unapplied_migrations(app)
    return app.asgi if asgi else app


def load(path: str | os.PathLike[str] = ".", *, settings: Settings | None = None,
         mode: str | None = None) -> App:
    """Load the project containing ``path`` and return its frozen :class:`App`.

    ``mode="production"`` loads it as a production server does (debug off unless
    ``WOLFPY_APP_DEBUG`` says otherwise, no ``.env``, a real secret key required);
    ``mode="development"`` as ``wolfpy serve`` does. See :mod:`wolfpy.config`.

    Raises:
        ConfigError: no project, bad settings, a missing secret key in
            production, or a route conflict (the message is one line).
    """
    project = Project.discover(path)
    if settings is None:
        settings = Settings.load(project, mode=mode)
    app = App(project, settings)
    app.load_routes()
    app.freeze()
    return warn_in_debug(app)


__all__ = ["App", "Route", "load", "ConfigError"]
