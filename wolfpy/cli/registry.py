"""Which commands ``wolfpy`` has, where each one lives, and how it is imported on first use.

Every top-level command is a :class:`CommandSpec`: a name, a ``"module:attribute"``
target and, when known, the first line of its help. The built-in commands, the ones
added with :func:`register_command` and those of the ``wolfpy.commands`` entry-point
group all go through this one table, so ``wolfpy --help`` and ``wolfpy version`` import
no command module they do not run.

A target is a ``typer.Typer`` (a command group), a click command, or a plain function
(a command whose options Typer reads from its signature).

Nothing here imports Typer: an extension registering a command costs a web process
nothing.
"""
from __future__ import annotations

import pkgutil
import re
from dataclasses import dataclass
from typing import Any

__all__ = ["ENTRY_POINT_GROUP", "CommandSpec", "builtin", "entry_point_specs", "find", "load", "plugin_specs", "register_command",
           "registered"]

ENTRY_POINT_GROUP = "wolfpy.commands"
_NAME = re.compile(r"[a-z0-9][a-z0-9_-]*")
_TARGET = re.compile(r"[A-Za-z_][\w.]*:[A-Za-z_][\w.]*")


@dataclass(frozen=True)
class CommandSpec:
    """A top-level command of ``wolfpy``, before it is imported."""

    name: str
    target: str             #: ``"package.module:attribute"``
    help: str | None = None  #: the first paragraph of its help; None: import it to list it
    plugin: bool = True     #: from outside WolfPy: failing to import it is a warning, not a crash


def _builtin(name: str, target: str, help: str) -> CommandSpec:
    return CommandSpec(name, f"wolfpy.cli.commands.{target}", help, plugin=False)


# The order of `wolfpy --help`. Each help is the first paragraph of the command's own
# help, so the list shows without importing anything (a test keeps the two equal).
_BUILTIN = (
    _builtin("new", "project:new", "Create a new WolfPy project in the folder NAME."),
    _builtin("test", "project:test_command",
             "Run the project's tests with pytest (extra arguments go to pytest)."),
    _builtin("serve", "serve:serve", "Serve the project: http://HOST:PORT."),
    _builtin("version", "info:version",
             "Print WolfPy's version (and Python's); the same as ``wolfpy --version``."),
    _builtin("routes", "info:routes", "List the routes: method, URL, file and name."),
    _builtin("check", "info:check",
             "Check routes and settings without starting a server; exit 1 on any error."),
    _builtin("shell", "tools:shell",
             "A Python prompt with the project loaded: ``app``, ``db`` and every model by name."),
    _builtin("clean", "tools:clean",
             "Remove caches and build output (__pycache__, .pytest_cache, site/, static/dist/)."),
    _builtin("config", "info:config_app", "Show or edit the project's configuration."),
    _builtin("log", "log:log_app", "Read the project's log (logs/app.log)."),
    _builtin("db", "db:db_app", "Create the database, write and apply migrations."),
    _builtin("generate", "generate:generate_app", "Create models, routes and their tests from templates."),
    _builtin("destroy", "destroy:destroy",
             "Remove the files a ``wolfpy generate route|model|scaffold NAME`` wrote."),
    _builtin("inspect", "inspect:inspect_app",
             "Show the app's routes, models, configuration, middleware, plugins and realtime statistics."),
    _builtin("create", "users:create_app", "Add records to the project database (users)."),
    _builtin("assets", "assets:assets_app", "Build the project's assets/ (SCSS, CSS, JS) into static/dist/."),
    _builtin("dockerize", "ship:dockerize",
             "Write a Dockerfile, .dockerignore and gunicorn.conf.py, and build the image if Docker runs here."),
    _builtin("build", "ship:build", "Build the app into dist/: files, built assets, migrations, a requirements "
             "lock, WolfPy's wheel if needed."),
    _builtin("release", "ship:release",
             "Release the app: bump its version in wolfpy.toml, build, commit and tag vX.Y.Z in git."),
    _builtin("deploy", "ship:deploy", "Ship a build to the deploy target: unpack into releases/VERSION, install, "
             "migrate, switch current, restart."),
    _builtin("install", "ship:install",
             "Install requirements.txt with pip, keeping the installed WolfPy when it satisfies the pin."),
    _builtin("upgrade", "ship:upgrade",
             "Upgrade WolfPy and the app's requirements (within requirements.txt), then run wolfpy check."),
    _builtin("docs", "docs:docs_app", "Build, serve and publish the project's docs site (site/)."),
    _builtin("plugin", "plugin:plugin_app", "List, inspect, install and remove plugins (wolfpy.plugins entry points)."),
    _builtin("mail", "mail:mail_app", "Send a test message through the project's mail settings (wolfpy.toml, section mail)."),
)
_BY_NAME = {spec.name: spec for spec in _BUILTIN}

# Commands added by register_command(). Process-wide on purpose: there is one command
# line per process, and it must know its commands before any App exists.
_registered: dict[str, CommandSpec] = {}


def register_command(name: str, target: str, *, help: str | None = None) -> None:
    """Add the command (or command group) ``target`` to ``wolfpy`` as ``name``.

    ``target`` is imported only when the command runs, or when ``wolfpy --help`` lists
    it without a ``help`` given here. Registering the same name and target again does
    nothing.

    Args:
        name: the command's name, e.g. ``"admin"`` for ``wolfpy admin ...``.
        target: ``"package.module:attribute"``, naming a ``typer.Typer``, a click
            command or a function.
        help: one line for ``wolfpy --help``.

    Raises:
        ValueError: a malformed name or target, a built-in command's name, or a name
            registered already with another target.
    """
    if not _NAME.fullmatch(name):
        raise ValueError(f"invalid command name {name!r}: use lowercase letters, digits, - and _")
    if not _TARGET.fullmatch(target):
        raise ValueError(f"invalid command target {target!r}: write it as 'package.module:attribute'")
    if name in _BY_NAME:
        raise ValueError(f"'wolfpy {name}' is a built-in command")
    known = _registered.get(name)
    if known is not None:
        if known.target != target:
            raise ValueError(f"'wolfpy {name}' is registered already, for {known.target}")
        return
    _registered[name] = CommandSpec(name, target, " ".join(help.split()) if help else None)


def builtin() -> tuple[CommandSpec, ...]:
    """WolfPy's own commands, in the order ``wolfpy --help`` lists them."""
    return _BUILTIN


def registered() -> list[CommandSpec]:
    """The commands added with :func:`register_command`, in the order they came."""
    return list(_registered.values())


def entry_point_specs() -> list[CommandSpec]:
    """The commands installed packages declare in the ``wolfpy.commands`` entry-point group."""
    from importlib.metadata import entry_points

    found: dict[str, CommandSpec] = {}
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        found.setdefault(ep.name, CommandSpec(ep.name, f"{ep.module}:{ep.attr}" if ep.attr else ep.module))
    return list(found.values())


def plugin_specs() -> list[CommandSpec]:
    """The commands of the plugins that the project around the current folder enables
    (``Extension(commands=...)`` of each name in ``[plugins] enabled``).

    Nothing outside a project; a plugin that cannot be loaded gives a one-line warning
    (the app itself refuses to start over it, with the full message).
    """
    names = _enabled_plugins()
    if not names:
        return []
    from ..errors import WolfPyError
    from ..extensions import load_plugins
    try:
        extensions = load_plugins(names)
    except WolfPyError as exc:
        import sys
        print(f"warning: {exc}", file=sys.stderr)
        return []
    return [CommandSpec(name, target) for ext in extensions for name, target in ext.commands.items()
            if _NAME.fullmatch(name) and _TARGET.fullmatch(target) and name not in _BY_NAME]


def _enabled_plugins() -> list[str]:
    from ..config import Settings
    from ..errors import WolfPyError
    from ..project import Project
    try:
        project = Project.discover(".")
        names = Settings.load(project, quiet=True).get("plugins", "enabled", None)
    except WolfPyError:  # not in a project, or settings that `wolfpy check` will explain
        return []
    return [n for n in names if isinstance(n, str)] if isinstance(names, list) else []


def find(name: str) -> CommandSpec | None:
    """The command called ``name``: built-in first, then registered, then from an entry
    point, then from a plugin the project enables."""
    spec = _BY_NAME.get(name) or _registered.get(name)
    if spec is None:
        spec = next((s for s in entry_point_specs() if s.name == name), None)
    if spec is None:
        spec = next((s for s in plugin_specs() if s.name == name), None)
    return spec


def load(spec: CommandSpec) -> Any:
    """Import ``spec``'s target; errors (ImportError, AttributeError...) propagate."""
    return pkgutil.resolve_name(spec.target)
