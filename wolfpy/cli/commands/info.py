"""``wolfpy version | routes | check | config show``: read-only looks at a project."""
from __future__ import annotations

import os
from typing import Any

import typer

from ..common import count, fail, find_project, table, version_line


def version() -> None:
    """Print WolfPy's version (and Python's); the same as ``wolfpy --version``."""
    typer.echo(version_line())


def routes(explain: str = typer.Option(None, "--explain", metavar="PATH",
                                       help="Show every candidate for PATH and why the winner won.")) -> None:
    """List the routes: method, URL, file and name."""
    from ...app import App
    project = find_project()
    app = App(project, debug=True)
    app.load_routes()
    app.apply_extensions()
    app.router.compile()
    if explain:
        from ...routing.explain import explain as do_explain
        typer.echo(do_explain(app, explain))
        return
    from ...docsite.generated import route_rows  # the docs site's route page shows the same table
    rows = route_rows(app)
    if not rows:
        typer.echo("no routes yet: add a file under routes/, e.g. routes/index.py with def get(request): ...")
        return
    typer.echo(table(rows, ["METHOD", "URL", "FILE", "NAME"]))
    typer.echo(f"\n{count(len(rows), 'route')}")


def check(deploy: bool = typer.Option(False, "--deploy", help="Also report settings that weaken a production deployment.")) -> None:
    """Check routes and settings without starting a server; exit 1 on any error."""
    from ...checks import ERROR, deploy_checks, run_checks
    project = find_project()
    messages = run_checks(project)
    if deploy:
        messages += deploy_checks(project)
    for message in messages:
        typer.echo(str(message), err=message.level == ERROR)
    errors = sum(m.level == ERROR for m in messages)
    if errors:
        typer.echo(f"{count(errors, 'error')} found", err=True)
        raise typer.Exit(1)
    typer.echo("no problems found" if not messages else "no errors found")


config_app = typer.Typer(help="Show or edit the project's configuration.", no_args_is_help=True)


@config_app.command("show")
def config_show() -> None:
    """Print every setting, where it came from, with secrets masked."""
    from ...config import Settings
    project = find_project()
    settings = Settings.load(project)
    rows = []
    for section, values in settings.masked().items():
        for key, (value, source) in values.items():
            rows.append([f"{section}.{key}", _show(value), source])
    typer.echo(table(rows, ["SETTING", "VALUE", "SOURCE"]))


@config_app.command("edit")
def config_edit() -> None:
    """Open wolfpy.toml in $EDITOR."""
    import shlex
    import subprocess
    project = find_project()
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
