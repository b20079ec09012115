"""Plugins: installed packages that add an :class:`~wolfpy.extensions.Extension` to an app.

A plugin is found through the ``wolfpy.plugins`` entry-point group and enabled by name
in ``[plugins] enabled``. This module holds what is particular to plugins, on top of
the extension API: the WolfPy versions a plugin supports (``requires=``), mounting a
plugin's own ``routes/`` folder under its prefix, and what ``wolfpy plugin list`` and
``wolfpy plugin info`` show.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .__about__ import __version__
from .errors import ConfigError

if TYPE_CHECKING:  # pragma: no cover
    from .extensions import Extension

__all__ = ["PluginError", "Installed", "supports", "check_compatible", "mount_routes", "installed",
           "contributions"]

PLUGIN_GROUP = "wolfpy.plugins"
_CLAUSE = re.compile(r"^\s*(===|==|!=|~=|>=|<=|>|<)\s*([0-9][0-9a-zA-Z.*+!-]*)\s*$")


class PluginError(ConfigError):
    """A plugin that cannot be enabled: one line naming it (the cause, if any, is chained)."""


def _release(version: str) -> tuple[int, ...]:
    parts = []
    for piece in version.split("."):
        m = re.match(r"\d+", piece)
        if not m:
            break
        parts.append(int(m.group()))
    return tuple(parts)


def _padded(a: tuple[int, ...], b: tuple[int, ...]) -> tuple[tuple[int, ...], tuple[int, ...]]:
    width = max(len(a), len(b))
    return a + (0,) * (width - len(a)), b + (0,) * (width - len(b))


def _fallback(spec: str, version: str) -> bool:
    """A small reading of PEP 440 specifiers (release numbers only) for when ``packaging``
    is not installed."""
    have = _release(version)
    for clause in filter(None, (c.strip() for c in spec.split(","))):
        m = _CLAUSE.match(clause)
        if not m:
            raise ValueError(f"cannot read the version clause {clause!r}")
        op, text = m.groups()
        if op in ("==", "===", "!=") and text.endswith(".*"):
            prefix = _release(text[:-2])
            ok = have[:len(prefix)] == prefix
            ok = ok if op != "!=" else not ok
        else:
            a, b = _padded(have, _release(text))
            if op == "~=":
                want = _release(text)
                ok = a >= b and have[:len(want) - 1] == want[:-1]
            else:
                ok = {"==": a == b, "===": a == b, "!=": a != b, ">=": a >= b, "<=": a <= b,
                      ">": a > b, "<": a < b}[op]
        if not ok:
            return False
    return True


def supports(requires: str, version: str = __version__) -> bool:
    """Whether ``requires`` (``"wolfpy>=0.1,<0.3"`` or ``">=0.1,<0.3"``) allows ``version``.

    Raises:
        ValueError: ``requires`` is not a version specifier.
    """
    spec = requires.strip()
    if spec.lower().startswith("wolfpy"):
        spec = spec[6:].strip()
    try:
        from packaging.specifiers import InvalidSpecifier, SpecifierSet
    except ImportError:  # pragma: no cover - packaging is nearly always there
        return _fallback(spec, version)
    try:
        return SpecifierSet(spec).contains(version, prereleases=True)
    except InvalidSpecifier:
        raise ValueError(f"{requires!r} is not a version specifier such as 'wolfpy>=0.1,<0.3'") from None


def check_compatible(name: str, ext: "Extension") -> None:
    """Refuse a plugin whose ``requires`` excludes this WolfPy, in one line."""
    if not ext.requires:
        return
    label = f"{ext.name} {ext.version}" if ext.version else ext.name
    try:
        ok = supports(ext.requires)
    except ValueError as exc:
        raise PluginError(f"[plugins] enabled: plugin {name!r} ({label}) declares requires={exc}") from None
    if not ok:
        raise PluginError(f"[plugins] enabled: plugin {name!r} ({label}) supports {ext.requires}, "
                          f"not this WolfPy {__version__}: install a release of the plugin made for it, "
                          "or remove it from [plugins] enabled")


def mount_routes(ext: "Extension", folder: Path) -> None:
    """Add the route files of ``folder`` (the same file-name rules as a project's
    ``routes/``) to ``ext``, under its prefix, once the app loads."""
    def load(app: Any, extension: "Extension") -> None:
        from .handlers import HTTP_METHODS
        from .routing.loader import ModuleLoader, scan
        from .routing.patterns import template_of
        from .errors import RouteLoadError
        loader = ModuleLoader(folder.parent)
        for rf in scan(folder):
            if rf.middleware_files:
                raise RouteLoadError(f"plugin {extension.name!r}: {rf.middleware_files[0]}: a plugin's routes "
                                     "folder takes no _middleware.py; use extension.add_middleware(mw, prefix=...)")
            module = loader.load(rf.path)
            template = template_of(rf.segments)
            path = template if template != "/" else "/"
            name = f"{extension.name}:{rf.name}"
            api = bool(getattr(module, "api", False))
            for method in HTTP_METHODS:
                func = getattr(module, method, None)
                if callable(func):
                    extension.route(path, [method.upper()], name=name, api=api)(func)
            websocket = getattr(module, "websocket", None)
            if websocket is not None:
                extension.websocket_route(path, name=name)(websocket)
    ext.loaders.append(load)


@dataclass
class Installed:
    """A plugin installed in this environment (an entry point of ``wolfpy.plugins``)."""

    name: str
    target: str                 #: ``package.module:attribute``
    distribution: str | None    #: the pip package that provides it
    version: str | None


def installed() -> list[Installed]:
    from importlib.metadata import entry_points

    found: dict[str, Installed] = {}
    for ep in entry_points(group=PLUGIN_GROUP):
        dist = getattr(ep, "dist", None)
        found.setdefault(ep.name, Installed(ep.name, ep.value, dist.metadata["Name"] if dist else None,
                                            dist.version if dist else None))
    return sorted(found.values(), key=lambda p: p.name)


def contributions(ext: "Extension") -> list[tuple[str, str]]:
    """What ``ext`` adds, as (what, detail) rows for ``wolfpy plugin info``."""
    rows: list[tuple[str, str]] = []
    if ext.prefix:
        rows.append(("prefix", ext.prefix))
    if ext.routes_dir is not None:
        rows.append(("routes folder", str(ext.routes_dir)))
    rows += [("route", f"{','.join(r.methods)} {r.path} ({r.name})") for r in ext.routes]
    if ext.templates is not None:
        rows.append(("templates", str(ext.templates)))
    if ext.static is not None:
        rows.append(("static", f"{ext.static_url}/ <- {ext.static}"))
    rows += [("middleware", f"{getattr(m.middleware, '__name__', type(m.middleware).__name__)}"
              f"{' for ' + m.prefix if m.prefix else ' (app-wide)'}") for m in ext.middleware]
    rows += [("setting", f"[{ext.section}] {k} = {v!r}") for k, v in ext.settings_defaults.items()]
    rows += [("model", f"{m.__name__} (table {m._meta.table_name})") for m in ext.models]
    if ext.migrations is not None:
        rows.append(("migrations", str(ext.migrations)))
    rows += [("command", f"wolfpy {name} ({target})") for name, target in ext.commands.items()]
    rows += [("check", c.id + (" (--deploy)" if c.deploy else "")) for c in ext.checks]
    return rows
