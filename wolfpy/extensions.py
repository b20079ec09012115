"""The one door into an App for everything that is not a route file of the project.

A feature that ships with WolfPy (static files, OpenAPI, the dev server's live
reload) and a third-party plugin contribute to an app the same way: they describe
what they add in an :class:`Extension`, and :meth:`App.extend` takes it. An
extension can add

- routes, named, under a URL prefix (``ext.route``, ``ext.api_route``,
  ``ext.websocket_route``), and routes made only once the project's own routes are
  known (``ext.on_load``: OpenAPI documents the routes it finds there);
- a templates folder, searched after the project's ``templates/`` and before
  WolfPy's built-in templates;
- a static folder, served under its own URL (``/static/<name>/`` by default);
- middleware, for the whole app or for the URLs under a prefix;
- a settings section with defaults and a validation function (``[name]`` in
  ``wolfpy.toml``, ``WOLFPY_<NAME>_<KEY>`` in the environment);
- peewee models, bound to the app's database and seen by ``wolfpy db migrate``;
- CLI command groups, named by import path and imported only when used;
- checks with ids, run by ``wolfpy check``;
- startup and shutdown hooks.

Plugins are found through the ``wolfpy.plugins`` entry-point group and switched on
by name in ``[plugins] enabled`` (:func:`load_plugins`).
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Mapping

from .errors import ConfigError
from .plugins import PLUGIN_GROUP, PluginError, check_compatible, mount_routes

if TYPE_CHECKING:  # pragma: no cover
    from .app import App

__all__ = ["Extension", "ExtensionRoute", "ExtensionMiddleware", "load_plugins", "PLUGIN_GROUP"]


@dataclass
class ExtensionRoute:
    """A route an extension adds: the full path (prefix included) and its handler."""

    path: str
    methods: list[str]
    func: Callable[..., Any]
    name: str
    api: bool = False
    status: int | None = None


@dataclass
class ExtensionMiddleware:
    """Middleware an extension adds: app-wide (``prefix`` None) or for URLs under ``prefix``."""

    middleware: Any
    prefix: str | None = None

    def applies_to(self, template: str) -> bool:
        """True when a route whose URL template is ``template`` lies under the prefix."""
        prefix = self.prefix
        if prefix is None or prefix == "/":
            return True
        return template == prefix or template.startswith(prefix + "/")


@dataclass
class _Check:
    id: str
    func: Callable[["App"], Iterable[Any]]
    deploy: bool = False


def _clean_prefix(prefix: str) -> str:
    if not prefix:
        return ""
    if not prefix.startswith("/") or "{" in prefix or "}" in prefix:
        raise ValueError(f"an extension prefix is a plain URL path starting with '/': {prefix!r}")
    return "/" + prefix.strip("/") if prefix.strip("/") else ""


class Extension:
    """What a built-in feature or a plugin adds to an App.

    Args:
        name: a short identifier (``"openapi"``, ``"hello"``); route names default to
            ``"<name>:<path>"`` and the settings section to ``[<name>]``.
        prefix: a URL prefix put before every route path of this extension.
        templates: a folder of Mako templates.
        static: a folder of static files, served at ``static_url``.
        static_url: where ``static`` is served (default ``/static/<name>``).
        settings: the defaults of the extension's settings section; a value in
            ``wolfpy.toml`` or the environment is converted to the default's type.
        validate: called with the merged section (a dict); raise ``ValueError`` with a
            message for a bad value. The message becomes a one-line startup error.
        section: the settings section's name (default: ``name``).
        models: peewee model classes (subclasses of ``wolfpy.db.Model``).
        commands: CLI command groups, ``{"name": "package.module:typer_app"}``.
        source: how ``wolfpy routes`` names the origin of this extension's routes.
        version: the plugin's version, shown by ``wolfpy plugin list`` and in errors.
        requires: the WolfPy versions the plugin supports, ``"wolfpy>=0.1,<0.3"``; an app
            whose WolfPy is outside them refuses to start, in one line.
        routes_dir: a folder of route files (named as in a project's ``routes/``),
            mounted under ``prefix``.
        migrations: the folder of the migrations that create and change the tables of
            ``models``; ``wolfpy db migrate`` applies them before the project's own.
        depends: the names of other extensions whose migrations must be applied first.
    """

    def __init__(self, name: str, *, prefix: str = "", templates: str | os.PathLike[str] | None = None,
                 static: str | os.PathLike[str] | None = None, static_url: str | None = None,
                 settings: Mapping[str, Any] | None = None,
                 validate: Callable[[dict[str, Any]], None] | None = None, section: str | None = None,
                 models: Iterable[Any] = (), commands: Mapping[str, str] | None = None,
                 source: str | None = None, version: str | None = None, requires: str | None = None,
                 routes_dir: str | os.PathLike[str] | None = None,
                 migrations: str | os.PathLike[str] | None = None, depends: Iterable[str] = ()) -> None:
        if not name or not name.replace("_", "").replace("-", "").isalnum():
            raise ValueError(f"an extension name is letters, digits, '-' and '_': {name!r}")
        self.name = name
        self.prefix = _clean_prefix(prefix)
        self.templates = Path(templates) if templates is not None else None
        self.static = Path(static) if static is not None else None
        self.static_url = _clean_prefix(static_url) if static_url else f"/static/{name}"
        self.settings_defaults: dict[str, Any] = dict(settings or {})
        self.validate = validate
        self.section = section or name
        self.models: list[Any] = list(models)
        self.commands: dict[str, str] = dict(commands or {})
        self.source = source or f"{name} (extension)"
        self.routes: list[ExtensionRoute] = []
        self.middleware: list[ExtensionMiddleware] = []
        self.checks: list[_Check] = []
        self.startup: list[Callable[[], Any]] = []
        self.shutdown: list[Callable[[], Any]] = []
        self.loaders: list[Callable[["App", "Extension"], None]] = []
        self.version = version
        self.requires = requires
        self.migrations = Path(migrations) if migrations is not None else None
        self.depends: list[str] = list(depends)
        self.routes_dir = Path(routes_dir) if routes_dir is not None else None
        if self.routes_dir is not None:
            mount_routes(self, self.routes_dir)

    # -- routes ------------------------------------------------------------
    def route(self, path: str, methods: Iterable[str] | None = None, *, name: str | None = None,
              api: bool = False, status: int | None = None) -> Callable[[Any], Any]:
        """Add a handler at ``prefix + path`` (``/items/{id:int}``, ``/files/{path...}``)."""
        full = self.prefix + path if path != "/" or not self.prefix else self.prefix
        wanted = [m.upper() for m in (methods or ["GET"])]

        def decorator(func: Callable[..., Any]) -> Callable[..., Any]:
            self.routes.append(ExtensionRoute(full, wanted, func, name or f"{self.name}:{full}", api, status))
            return func
        return decorator

    def api_route(self, path: str, methods: Iterable[str] | None = None, *, status: int = 200,
                  name: str | None = None) -> Callable[[Any], Any]:
        """Like :meth:`route`, for a JSON API handler."""
        return self.route(path, methods, name=name, api=True, status=status)

    def websocket_route(self, path: str, *, name: str | None = None) -> Callable[[Any], Any]:
        return self.route(path, ["WEBSOCKET"], name=name)

    def on_load(self, func: Callable[["App", "Extension"], None]) -> Callable[["App", "Extension"], None]:
        """Run ``func(app, extension)`` once the project's routes are loaded, before the
        router is compiled: it may read ``app.routes`` and add routes to the extension."""
        self.loaders.append(func)
        return func

    # -- middleware, checks, lifecycle ---------------------------------------
    def add_middleware(self, middleware: Any, *, prefix: str | None = None) -> None:
        """Middleware for the whole app, or only for URLs under ``prefix`` (``/admin``)."""
        self.middleware.append(ExtensionMiddleware(middleware, _clean_prefix(prefix) or None
                                                   if prefix is not None else None))

    def check(self, id: str, *, deploy: bool = False) -> Callable[[Any], Any]:
        """Register ``func(app)`` as a check; it yields ``wolfpy.checks.CheckMessage`` objects.

        ``deploy=True`` runs it only under ``wolfpy check --deploy``.
        """
        def decorator(func: Callable[["App"], Iterable[Any]]) -> Callable[["App"], Iterable[Any]]:
            self.checks.append(_Check(id, func, deploy))
            return func
        return decorator

    def on_startup(self, func: Callable[[], Any]) -> Callable[[], Any]:
        self.startup.append(func)
        return func

    def on_shutdown(self, func: Callable[[], Any]) -> Callable[[], Any]:
        self.shutdown.append(func)
        return func

    def __repr__(self) -> str:
        return f"<Extension {self.name!r} routes={len(self.routes)}>"


def load_plugins(names: Iterable[str], *, check: bool = True) -> list[Extension]:
    """The extensions of the plugins named in ``[plugins] enabled``.

    A name is an entry point of the ``wolfpy.plugins`` group, or ``package.module:attribute``
    for a plugin that is not installed as a distribution. The object found is an
    :class:`Extension` or a function that returns one. ``check=False`` skips the WolfPy
    version check (``wolfpy plugin info`` describes an incompatible plugin too).

    Raises:
        ConfigError: an unknown plugin, one that fails to import (the plugin's own
            exception is chained: ``wolfpy --debug`` shows its traceback), one that is not
            an Extension, or one made for other WolfPy versions (one line each, naming
            the plugin).
    """
    names = list(names)
    if not names:
        return []  # no scan of the installed distributions' entry points
    from importlib import import_module
    from importlib.metadata import entry_points

    found = {ep.name: ep for ep in entry_points(group=PLUGIN_GROUP)}
    out: list[Extension] = []
    for name in names:
        try:
            if name in found:
                obj = found[name].load()
            elif ":" in name:
                module, _, attr = name.partition(":")
                obj = import_module(module)
                for part in attr.split("."):
                    obj = getattr(obj, part)
            else:
                known = ", ".join(sorted(found)) or "none installed"
                raise PluginError(f"[plugins] enabled: no plugin named {name!r} (entry points in "
                                  f"{PLUGIN_GROUP!r}: {known}); install it with `wolfpy plugin install`")
            if not isinstance(obj, Extension) and callable(obj):
                obj = obj()
        except ConfigError:
            raise
        except Exception as exc:
            raise PluginError(f"[plugins] enabled: plugin {name!r} cannot be loaded: "
                              f"{type(exc).__name__}: {' '.join(str(exc).split())} "
                              "(`wolfpy --debug routes` shows its traceback)") from exc
        if not isinstance(obj, Extension):
            raise PluginError(f"[plugins] enabled: plugin {name!r} is not a wolfpy.Extension "
                              f"(got {type(obj).__name__})")
        if check:
            check_compatible(name, obj)
        out.append(obj)
    return out
