"""``wolfpy assets build | watch | clean``: the project's ``assets/`` built into ``static/dist/``."""
from __future__ import annotations

import time

import typer

from ..common import fail, find_project

assets_app = typer.Typer(help="Build the project's assets/ (SCSS, CSS, JS) into static/dist/.",
                         no_args_is_help=True)


@assets_app.command("build")
def build(no_minify: bool = typer.Option(False, "--no-minify", help="Readable output (for debugging).")) -> None:
    """Compile SCSS, minify CSS and JS, fingerprint the names, write static/dist/manifest.json."""
    from ...assets.builder import Builder
    from ...assets.watch import describe
    project = find_project()
    if not project.assets.is_dir():
        fail("the project has no assets/ folder: nothing to build")
    started = time.perf_counter()
    with Builder(project, minify=not no_minify) as builder:
        report = builder.build()
    if report.errors:
        for line in report.errors[1:]:
            typer.echo(f"error: {line}", err=True)
        fail(report.errors[0])
    for line in describe(report, time.perf_counter() - started):
        typer.echo(line)
    typer.echo(f"  manifest  {(project.static / 'dist' / 'manifest.json').relative_to(project.root).as_posix()}")


@assets_app.command("watch")
def watch() -> None:
    """Build, then rebuild on every change under assets/ until Ctrl+C."""
    from ...assets.watch import watch as run
    project = find_project()
    if not project.assets.is_dir():
        fail("the project has no assets/ folder: nothing to watch")
    typer.echo("watching assets/ (Ctrl+C stops)")
    try:
        run(project)
    except KeyboardInterrupt:
        pass


@assets_app.command("clean")
def clean() -> None:
    """Remove static/dist/ (the built assets and their manifest)."""
    from ...assets.builder import Builder
    project = find_project()
    removed = Builder(project).clean()
    typer.echo("  remove  static/dist/" if removed else "nothing to clean")
