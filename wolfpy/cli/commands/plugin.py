"""``wolfpy plugin list | info NAME | install NAME | remove NAME``: the installed plugins,
and pip plus ``[plugins] enabled`` in one step."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import typer

from ..common import confirm_changes, fail, interactive, table

plugin_app = typer.Typer(help="List, inspect, install and remove plugins (wolfpy.plugins entry points).",
                         no_args_is_help=True)


def _project() -> Any:
    from ...errors import ProjectNotFound
    from ...project import Project
    try:
        return Project.discover(".")
    except ProjectNotFound:
        return None


def _enabled(project: Any) -> list[str]:
    if project is None:
        return []
    from ...config import Settings
    names = Settings.load(project, quiet=True).get("plugins", "enabled", None)
    return [n for n in names if isinstance(n, str)] if isinstance(names, list) else []


def _installed() -> list[Any]:
    import importlib
    importlib.invalidate_caches()
    from ...plugins import installed
    return installed()


@plugin_app.command("list")
def list_plugins() -> None:
    """Show the installed plugins and whether the project enables each."""
    project = _project()
    enabled = _enabled(project)
    found = _installed()
    rows = [[p.name, p.version or "-", p.distribution or "-",
             ("yes" if p.name in enabled else "no") if project is not None else "-"] for p in found]
    known = {p.name for p in found}
    rows += [[name, "-", "-", "yes (not installed)"] for name in enabled if name not in known and ":" not in name]
    if not rows:
        typer.echo("no plugins installed: `wolfpy plugin install NAME` installs one with pip")
        return
    typer.echo(table(rows, ["NAME", "VERSION", "PACKAGE", "ENABLED"]))


@plugin_app.command("info")
def info(name: str = typer.Argument(..., help="The plugin's name (an entry point of wolfpy.plugins).")) -> None:
    """Show a plugin's metadata and what it contributes."""
    from ...__about__ import __version__
    from ...extensions import load_plugins
    from ...plugins import contributions, supports
    dist = next((p for p in _installed() if p.name == name), None)
    ext = load_plugins([name], check=False)[0]
    project = _project()
    lines = [("name", ext.name), ("version", ext.version or (dist.version if dist else None) or "-"),
             ("package", f"{dist.distribution} {dist.version}" if dist else "-"),
             ("entry point", f"{name} = {dist.target}" if dist else name),
             ("supports", _supports_line(ext.requires, supports, __version__)),
             ("enabled", ("yes" if name in _enabled(project) else "no") if project is not None else "- (not in a project)")]
    for key, value in lines:
        typer.echo(f"{key + ':':13} {value}")
    rows = contributions(ext)
    typer.echo("\ncontributes:" if rows else "\ncontributes nothing")
    for what, detail in rows:
        typer.echo(f"  {what + ':':15} {detail}")


def _supports_line(requires: str | None, supports: Any, version: str) -> str:
    if not requires:
        return "any WolfPy version (no requires= declared)"
    try:
        ok = supports(requires)
    except ValueError as exc:
        return f"{requires} (unreadable: {exc})"
    return f"{requires} ({'this WolfPy ' + version + ' included' if ok else 'not this WolfPy ' + version})"


def _pip(args: list[str], what: str) -> None:
    proc = subprocess.run([sys.executable, "-m", "pip", *args], capture_output=True, text=True)
    if proc.returncode != 0:
        lines = [line.strip() for line in (proc.stderr or proc.stdout).splitlines()
                 if line.strip() and not line.lower().startswith(("notice", "[notice]", "warning"))]
        reason = next((line for line in lines if line.lower().startswith("error:")), lines[-1] if lines else "")
        reason = reason[6:].strip() if reason.lower().startswith("error:") else reason
        fail(f"pip could not {what}: {reason or 'exit ' + str(proc.returncode)}; nothing was changed")


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


@plugin_app.command("install")
def install(spec: str = typer.Argument(..., metavar="NAME",
                                       help="What pip installs: a package name, a requirement or a path."),
            enable: bool = typer.Option(True, "--enable/--no-enable", help="Add it to [plugins] enabled.")) -> None:
    """Install a plugin with pip (in this Python environment) and enable it in wolfpy.toml."""
    from ...plugins import check_compatible
    if spec.startswith("-"):  # pip would read it as one of its options (--index-url=..., -e ...)
        fail(f"{spec!r} is not a package name, requirement or path: it starts with '-'")
    project = _project()
    before = {p.name: p for p in _installed()}
    _pip(["install", "--disable-pip-version-check", "--quiet", spec], f"install {spec!r}")
    after = _installed()
    new = [p for p in after if p.name not in before or before[p.name].version != p.version]
    if not new:  # installed already: the plugins of the package asked for
        wanted = _normal(re.split(r"[\s\[<>=!~;@]", Path(spec).name if "/" in spec else spec, maxsplit=1)[0])
        new = [p for p in after if p.distribution and _normal(p.distribution) == wanted]
    if not new:
        fail(f"{spec} is installed, but it declares no plugin (no entry point in 'wolfpy.plugins')")
    for plugin in new:
        typer.echo(f"installed {plugin.distribution} {plugin.version}: plugin {plugin.name}")
    if enable and project is not None:
        from ...extensions import load_plugins
        for plugin in new:
            check_compatible(plugin.name, load_plugins([plugin.name])[0])
        names = _enabled(project)
        added = [p.name for p in new if p.name not in names]
        if added:
            set_enabled(project.config_file, names + added)
            typer.echo(f"enabled {', '.join(added)} in {project.config_file.name} [plugins] enabled")
        typer.echo("next: `wolfpy db migrate` creates the tables of a plugin that has models")


@plugin_app.command("remove")
def remove(name: str = typer.Argument(..., help="The plugin's name, or the package that provides it."),
           yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask before dropping the plugin's tables."),
           keep_tables: bool = typer.Option(False, "--keep-tables",
                                            help="Leave the tables the plugin's migrations made.")) -> None:
    """Reverse a plugin's migrations, uninstall it with pip and take it out of wolfpy.toml."""
    project = _project()
    found = _installed()
    plugin = next((p for p in found if p.name == name), None) or \
        next((p for p in found if p.distribution and _normal(p.distribution) == _normal(name)), None)
    if plugin is None or plugin.distribution is None:
        fail(f"no installed plugin or plugin package named {name!r} (see `wolfpy plugin list`)")
    names = [p.name for p in found if p.distribution == plugin.distribution]
    enabled = _enabled(project)
    if project is not None and not keep_tables:
        _reverse_migrations(project, [n for n in names if n in enabled], yes)
    _pip(["uninstall", "--disable-pip-version-check", "--yes", plugin.distribution],
         f"uninstall {plugin.distribution!r}")
    typer.echo(f"uninstalled {plugin.distribution} {plugin.version}")
    if project is not None and any(n in enabled for n in names):
        set_enabled(project.config_file, [n for n in enabled if n not in names])
        typer.echo(f"removed {', '.join(n for n in names if n in enabled)} from "
                   f"{project.config_file.name} [plugins] enabled")


def _reverse_migrations(project: Any, names: list[str], yes: bool) -> None:
    if not names:
        return
    from ...db.migrations import plugins as plugin_migrations
    from ...db.migrations.runner import open_database
    from ...extensions import load_plugins
    sets = plugin_migrations.plugin_migrations(project, load_plugins(names))
    if not sets:
        return
    db, _ = open_database(project)
    try:
        reasons = [r for s in sets for r in plugin_migrations.destructive_reverse(db, s)]
        confirm_changes(reasons, yes=yes, action="remove the plugin's tables",
                        extra=" (or keep them with --keep-tables)", can_ask=interactive())
        for plugin in reversed(sets):
            plugin_migrations.reverse_all(db, plugin, typer.echo)
    finally:
        if not db.is_closed():
            db.close()


_SECTION = re.compile(r"^\s*\[\s*([^\]]+?)\s*\]\s*(#.*)?$")
_ENABLED = re.compile(r"^\s*enabled\s*=")


def _array_end(text: str, start: int) -> int:
    """The index after the ``]`` closing the array that opens at or after ``start``."""
    depth, i, quote = 0, text.index("[", start), ""
    while i < len(text):
        ch = text[i]
        if quote:
            if ch == "\\" and quote == '"':
                i += 1
            elif ch == quote:
                quote = ""
        elif ch in "\"'":
            quote = ch
        elif ch == "#":
            i = text.index("\n", i) if "\n" in text[i:] else len(text)
            continue
        elif ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    raise ValueError("unclosed array")


def set_enabled(path: Path, names: list[str]) -> None:
    """Write ``[plugins] enabled = names`` into ``path``, leaving every other line as it is."""
    import json

    from ...config_sources import read_toml
    from ...errors import WolfPyError
    text = path.read_text(encoding="utf-8")
    before = read_toml(path)
    value = "[" + ", ".join(json.dumps(n) for n in names) + "]"
    lines = text.splitlines(keepends=True)
    section, offset, header_end, replaced = None, 0, None, None
    for line in lines:
        m = _SECTION.match(line)
        if m and not line.lstrip().startswith("[["):
            section = m.group(1)
            if section == "plugins":
                header_end = offset + len(line)
        elif section == "plugins" and _ENABLED.match(line) and replaced is None:
            start = offset + line.index("=") + 1
            end = _array_end(text, start)
            replaced = text[:offset] + f"enabled = {value}" + text[end:]
        offset += len(line)
    if replaced is None:
        if header_end is not None:
            replaced = text[:header_end] + f"enabled = {value}\n" + text[header_end:]
        else:
            replaced = text + ("" if text.endswith("\n") or not text else "\n") + f"\n[plugins]\nenabled = {value}\n"
    expected = {**before, "plugins": {**before.get("plugins", {}), "enabled": names}}
    path.write_text(replaced, encoding="utf-8")
    try:
        same = read_toml(path) == expected
    except WolfPyError:
        same = False
    if not same:  # a layout this editor does not handle (dotted keys, an inline table): put it back
        path.write_text(text, encoding="utf-8")
        fail(f"could not edit [plugins] enabled in {path.name} safely; set it by hand to {value}")
