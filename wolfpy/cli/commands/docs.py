"""``wolfpy docs build | serve | publish``: the docs site as static files, served, published."""
from __future__ import annotations

from pathlib import Path

import typer

from ..common import count, fail, find_project

docs_app = typer.Typer(help="Build, serve and publish the project's docs site (site/).", no_args_is_help=True)

_OUT = typer.Option(None, "--out", "-o", metavar="DIR", help="Where to write the site (default: site/).")


def _build(out: Path | None) -> Path:
    from ...docsite.build import build, load_app
    project = find_project()
    target = (out if out is not None else project.root / "site").resolve()
    written = build(load_app(project), target)
    pages = sum(1 for p in written if p.suffix == ".html")
    typer.echo(f"wrote {count(pages, 'page')} and {count(len(written) - pages, 'other file')} to {target}")
    return target


@docs_app.command("build")
def build(out: Path = _OUT) -> None:
    """Write the docs site as static files to site/ (works opened from disk or on any static host)."""
    _build(out)


@docs_app.command("serve")
def serve(host: str = typer.Option("127.0.0.1", help="The address to listen on."),
          port: int = typer.Option(8001, help="The port to listen on."),
          out: Path = _OUT,
          no_build: bool = typer.Option(False, "--no-build", help="Serve site/ as it is, without building it first.")) -> None:
    """Build site/ and serve it over HTTP (Ctrl+C stops)."""
    import functools
    import http.server

    if not 0 < port < 65536:
        fail(f"--port must be between 1 and 65535, not {port}")
    if no_build:
        target = (out if out is not None else find_project().root / "site").resolve()
        if not target.is_dir():
            fail(f"{target} does not exist: run `wolfpy docs build` first")
    else:
        target = _build(out)
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(target))
    try:
        server = http.server.ThreadingHTTPServer((host, port), handler)
    except OSError as exc:
        fail(f"cannot listen on {host}:{port}: {exc.strerror or exc}")
    typer.echo(f"serving {target} at http://{host}:{port}/ (Ctrl+C stops)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


@docs_app.command("publish")
def publish(branch: str = typer.Option("gh-pages", help="The branch that receives the site."),
            remote: str = typer.Option(None, help="The remote to push to (default: origin, or the only one)."),
            message: str = typer.Option("Publish the docs site", "--message", "-m", help="The commit message."),
            out: Path = _OUT) -> None:
    """Build site/ and commit it to a git branch (gh-pages), pushing it when a remote exists.

    The working tree, the index and the current branch are left as they are.
    """
    from ...docsite.publish import publish as do_publish
    project = find_project()
    target = _build(out)
    result = do_publish(target, project.root, branch=branch, remote=remote, message=message)
    if result.commit is None:
        typer.echo(f"{branch}: the site has not changed, nothing to commit")
    else:
        typer.echo(f"{branch}: committed {result.commit[:12]}")
    if result.pushed_to is not None:
        typer.echo(f"pushed {branch} to {result.pushed_to}")
    else:
        typer.echo("no git remote: nothing pushed")
