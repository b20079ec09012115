"""Startup checks with ids and hints, run by ``wolfpy check`` and the dev server."""
from __future__ import annotations

from typing import Any

from .checkmessage import ERROR, WARNING, CheckMessage
from .errors import ConfigError

__all__ = ["ERROR", "WARNING", "CheckMessage", "deploy_checks", "extension_checks", "run_checks"]


def run_checks(project: Any, environ: dict[str, str] | None = None) -> list[CheckMessage]:
    """Every problem found in ``project`` without serving it (never raises ConfigError).

    Everything the server loads at startup is loaded here too, by the same functions:
    the settings, the built-in middleware, ``models/`` (and the database URL when there
    are models), every route file and ``_middleware.py``, the router; and every template
    is compiled. Each failure is reported with its file and line.
    """
    from .app import App
    from .middleware.builtin import REGISTRY

    out: list[CheckMessage] = []
    try:
        settings = _load_settings(project, environ)
    except ConfigError as exc:
        return [CheckMessage(ERROR, "config.E001", str(exc), "fix wolfpy.toml or the environment")]
    out += _unknown_settings(project, settings)
    if not settings.debug:
        try:
            settings.override().ensure_secret_key()
        except ConfigError as exc:
            out.append(CheckMessage(ERROR, "config.E002", str(exc)))
    unknown_mw = False
    for name in settings.middleware.builtin:
        if name not in REGISTRY:
            unknown_mw = True
            out.append(CheckMessage(ERROR, "config.E003", f"[middleware] builtin: unknown middleware {name!r}",
                                    f"available: {', '.join(sorted(REGISTRY))}"))
    try:
        app = App(project, settings.override(app={"secret_key": "x" * 32}))
    except ConfigError as exc:  # a plugin that cannot be loaded, or refuses its settings
        out.append(CheckMessage(ERROR, "plugins.E001", str(exc), "fix [plugins] enabled or the plugin's settings"))
        return out
    if not unknown_mw:
        out += _middleware(app)
    models = _models(app)
    out += models or _migrations(app)
    if project.routes.is_dir():
        out += _routes(app)
    else:
        out.append(CheckMessage(WARNING, "routes.W001", f"no routes/ folder in {project.root}",
                                "create routes/index.py to serve /"))
    out += _templates(app)
    out += extension_checks(app)
    return out


def extension_checks(app: Any, deploy: bool = False) -> list[CheckMessage]:
    """The checks the app's extensions registered (``Extension.check``): the plain ones, or
    with ``deploy`` those marked ``deploy=True`` (``wolfpy check --deploy`` runs both).
    A check that raises is an error itself."""
    out: list[CheckMessage] = []
    for ext in app.extensions:
        for check in ext.checks:
            if check.deploy != deploy:
                continue
            try:
                out.extend(check.func(app) or ())
            except Exception as exc:
                out.append(CheckMessage(ERROR, check.id, f"the check of {ext.name!r} failed: "
                                                         f"{type(exc).__name__}: {exc}"))
    return out


def _load_settings(project: Any, environ: dict[str, str] | None) -> Any:
    from .config import Settings
    return Settings.load(project, environ, quiet=True)  # unknown keys: reported below, not printed


def _unknown_settings(project: Any, settings: Any) -> list[CheckMessage]:
    """``config.W001`` for each key of wolfpy.toml that is not a setting (``[session] lifetme``)."""
    out = []
    for section, key, suggestion in getattr(settings, "unknown_keys", None) or ():
        where = _toml_line(project, section, key)
        if key is None:
            message = f"{where}: [{section}] is not a known section"
            hint = f"did you mean [{suggestion}]?" if suggestion else None
        else:
            message = f"{where}: [{section}] {key} is not a known setting"
            hint = f"did you mean {suggestion!r}?" if suggestion else None
        out.append(CheckMessage(WARNING, "config.W001", message, hint))
    return out


def _toml_line(project: Any, section: str, key: str | None) -> str:
    """``wolfpy.toml:7``: where ``[section]`` (or its ``key``) is written; the file name if unknown."""
    import re
    name = project.config_file.name
    try:
        lines = project.config_file.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return name
    header = re.compile(r"\s*\[\s*" + re.escape(section) + r"\s*\]\s*(#.*)?$")
    assignment = re.compile(r"\s*" + re.escape(key or "") + r"\s*=") if key else None
    inside = False
    for number, line in enumerate(lines, 1):
        if line.lstrip().startswith("["):
            inside = bool(header.match(line))
            if inside and assignment is None:
                return f"{name}:{number}"
        elif inside and assignment is not None and assignment.match(line):
            return f"{name}:{number}"
    return name


def _middleware(app: Any) -> list[CheckMessage]:
    """Build the built-in middleware as the server does (access_log aside: it opens log files)."""
    from .errors import WolfPyError
    from .middleware.builtin import build_builtins
    names = [n for n in app.settings.middleware.builtin if n != "access_log"]
    try:
        build_builtins(app, names)
    except WolfPyError as exc:
        return [CheckMessage(ERROR, "config.E004", str(exc))]
    return []


def _models(app: Any) -> list[CheckMessage]:
    """Import ``models/`` as the server does; with models, open (not connect) the database."""
    from .db.models import discover_models
    from .errors import WolfPyError
    from .routing.loader import describe_exception, failure_location
    project = app.project
    if not project.models.is_dir():
        return []
    try:
        models = discover_models(project)
    except Exception as exc:  # a typo in a model file: the server would not start
        cause = exc.__cause__ if exc.__cause__ is not None else exc
        where = failure_location(cause, project.root) or str(exc).split(": ", 1)[0]
        return [CheckMessage(ERROR, "models.E001", f"{where}: importing failed: {describe_exception(cause)}")]
    if models:
        try:
            app.database  # noqa: B018 - parses [database] url, finds the driver; no connection
        except WolfPyError as exc:
            return [CheckMessage(ERROR, "config.E005", str(exc))]
    return []


def _migrations(app: Any) -> list[CheckMessage]:
    """The database behind the migrations, or the migrations behind the models: a warning."""
    from .error_responses import migrations_hint_for
    hint = migrations_hint_for(app)
    if not hint:
        return []
    message, _, fix = hint.partition(": run ")
    return [CheckMessage(WARNING, "db.W001", message, f"run {fix}")]


def _routes(app: Any) -> list[CheckMessage]:
    """Import every route and ``_middleware.py`` file, and compile the router."""
    from .handlers import bind_params
    out = []
    load_errors: list[str] = []
    app.load_routes(load_errors)
    for message in load_errors:
        out.append(CheckMessage(ERROR, "routes.E001", message))
    for route in app.routes:
        if route.websocket is not None:
            try:
                bind_params(route.websocket, route.segments, route.source)
            except ConfigError as exc:
                out.append(CheckMessage(ERROR, "routes.E001", str(exc)))
    conflicts: list[str] = []
    try:
        app.apply_extensions()
    except ConfigError as exc:
        conflicts.append(str(exc))
    app.router.compile(conflicts)
    for message in conflicts:
        out.append(CheckMessage(ERROR, "routes.E002", message))
    app.unload_route_modules()
    return out


TEMPLATE_SUFFIXES = (".html", ".htm", ".mako", ".xml", ".txt")


def _templates(app: Any) -> list[CheckMessage]:
    """Is there a templates/ folder, and does every template in it compile?"""
    from mako.exceptions import MakoException
    project = app.project
    if not project.templates.is_dir():
        return [CheckMessage(WARNING, "templates.W001", f"no templates/ folder in {project.root}: "
                             "render() finds only WolfPy's built-in templates",
                             "create templates/ (wolfpy new writes templates/layout.html)")]
    out = []
    lookup = app.templates.lookup
    for path in sorted(project.templates.rglob("*")):
        if not path.is_file() or path.suffix not in TEMPLATE_SUFFIXES:
            continue
        rel = path.relative_to(project.templates).as_posix()
        if any(part.startswith(".") for part in rel.split("/")):
            continue
        try:
            lookup.get_template(rel)
        except MakoException as exc:
            line = getattr(exc, "lineno", None)
            text = str(exc).split(" in file '", 1)[0].split(" at line: ", 1)[0]
            where = f"templates/{rel}" + (f":{line}" if line else "")
            out.append(CheckMessage(ERROR, "templates.E001", f"{where}: {' '.join(text.split())}"))
        except (UnicodeDecodeError, OSError) as exc:
            out.append(CheckMessage(ERROR, "templates.E001", f"templates/{rel}: cannot be read: {exc}"))
    return out


def deploy_checks(project: Any, environ: dict[str, str] | None = None) -> list[CheckMessage]:
    """Settings that are fine in development but weaken a production deployment."""
    from .config import Settings
    try:
        settings = Settings.load(project, environ, mode="production", quiet=True)  # as a server loads it
    except ConfigError as exc:
        return [CheckMessage(ERROR, "config.E001", str(exc))]
    out: list[CheckMessage] = []
    if settings.debug:
        out.append(CheckMessage(ERROR, "security.E001", "[app] debug is on: tracebacks and settings "
                                "would be shown to visitors", "set WOLFPY_APP_DEBUG=false in production"))
    else:
        try:
            settings.override().ensure_secret_key()
        except ConfigError as exc:
            out.append(CheckMessage(ERROR, "security.E002", str(exc)))
    builtin = list(settings.middleware.builtin)
    if not settings.app.allowed_hosts:
        out.append(CheckMessage(WARNING, "security.W001", "[app] allowed_hosts is empty",
                                "list the host names this site answers to"))
    elif "allowed_hosts" not in builtin:
        out.append(CheckMessage(WARNING, "security.W002", "[app] allowed_hosts is set but the "
                                "allowed_hosts middleware is off", "add \"allowed_hosts\" to [middleware] builtin"))
    for name, why in (("security_headers", "nosniff, frame and referrer headers"),
                      ("csrf", "CSRF protection for forms"),
                      ("sessions", "sessions")):
        if name not in builtin:
            out.append(CheckMessage(WARNING, "security.W003", f"the {name} middleware is off ({why})",
                                    f"add \"{name}\" to [middleware] builtin"))
    if "csrf" in builtin and "sessions" in builtin and builtin.index("csrf") < builtin.index("sessions"):
        out.append(CheckMessage(ERROR, "security.E003", "csrf comes before sessions in [middleware] builtin",
                                "put \"sessions\" first"))
    if settings.session.backend == "cookie" and int(settings.session.lifetime) > 30 * 24 * 3600:
        out.append(CheckMessage(WARNING, "security.W004", "[session] lifetime is over 30 days"))
    return out + _extension_deploy_checks(project, settings)


def _extension_deploy_checks(project: Any, settings: Any) -> list[CheckMessage]:
    """The extensions' ``deploy=True`` checks, on the app as a production server loads it
    (nothing when it does not load: ``wolfpy check`` reports why)."""
    from .app import App
    try:
        app = App(project, settings.override(app={"secret_key": "x" * 32}))
        if project.routes.is_dir():
            app.load_routes([])
        app.apply_extensions()
    except Exception:
        return []
    return extension_checks(app, deploy=True)
