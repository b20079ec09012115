"""``wolfpy version | routes | check | config show``: read-only looks at a project."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import typer

from ...errors import ProjectNotFound


def _project(path: Path | None = None) -> Any:
    from ...project import Project
    from ..main import fail
    try:
        return Project.discover(path or Path.cwd())
    except ProjectNotFound as exc:
        fail(f"{exc}; run this inside a project, or create one with: wolfpy new NAME")


def _table(rows: list[list[str]], header: list[str]) -> str:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    line = lambda r: "  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip()  # noqa: E731
    return "\n".join([line(header), line(["-" * w for w in widths]), *map(line, rows)])


def version() -> None:
    """Print WolfPy's version (and Python's); the same as ``wolfpy --version``."""
    from ..main import version_line
    typer.echo(version_line())


def routes(explain: str = typer.Option(None, "--explain", metavar="PATH",
                                       help="Show every candidate for PATH and why the winner won.")) -> None:
    """List the routes: method, URL, file and name."""
    from ...app import App
    project = _project()
    app = App(project, debug=True)
    app.load_routes()
    app.apply_extensions()
    app.router.compile()
    if explain:
        from ...routing.explain import explain as do_explain
        typer.echo(do_explain(app, explain))
        return
    rows = []
    for route in sorted(app.routes, key=lambda r: r.router_sort_key()):
        methods = ",".join(m for m in route.methods if m not in ("HEAD", "OPTIONS")) or "-"
        if route.websocket is not None:
            methods = (methods + ",WS") if methods != "-" else "WS"
        rows.append([methods, route.template, route.source, route.name])
    if not rows:
        typer.echo("no routes yet: add a file under routes/, e.g. routes/index.py with def get(request): ...")
        return
    typer.echo(_table(rows, ["METHOD", "URL", "FILE", "NAME"]))
    typer.echo(f"\n{len(rows)} route{'s' if len(rows) != 1 else ''}")


def check(deploy: bool = typer.Option(False, "--deploy", help="Also report settings that weaken a production deployment.")) -> None:
    """Check routes and settings without starting a server; exit 1 on any error."""
    from ...checks import ERROR, deploy_checks, run_checks
    project = _project()
    messages = run_checks(project)
    if deploy:
        messages += deploy_checks(project)
    for message in messages:
        typer.echo(str(message), err=message.level == ERROR)
    errors = sum(m.level == ERROR for m in messages)
    if errors:
        typer.echo(f"{errors} error{'s' if errors != 1 else ''} found", err=True)
        raise typer.Exit(1)
    typer.echo("no problems found" if not messages else "no errors found")


config_app = typer.Typer(help="Show or edit the project's configuration.", no_args_is_help=True)


@config_app.command("show")
def config_show() -> None:
    """Print every setting, where it came from, with secrets masked."""
    from ...config import Settings
    project = _project()
    settings = Settings.load(project)
    rows = []
    for section, table in settings.masked().items():
        for key, (value, source) in table.items():
            rows.append([f"{section}.{key}", _show(value), source])
    typer.echo(_table(rows, ["SETTING", "VALUE", "SOURCE"]))


@config_app.command("edit")
def config_edit() -> None:
    """Open wolfpy.toml in $EDITOR."""
    import shlex
    import subprocess
    from ..main import fail
    project = _project()
    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR")
    if not editor:
        fail("set $EDITOR to choose an editor")
    raise typer.Exit(subprocess.call([*shlex.split(editor), str(project.config_file)]))


def _show(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(repr(v) for v in value) + "]"
    if isinstance(value, bool):
        return str(value).lower()
    return repr(value) if isinstance(value, str) else str(value)


def register(app: typer.Typer) -> None:
    app.command()(version)
    app.command()(routes)
    app.command()(check)
    app.add_typer(config_app, name="config")
