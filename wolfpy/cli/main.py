"""The root ``wolfpy`` command: global ``--debug``, one-line errors, command groups.

Third-party packages add commands through the ``wolfpy.commands`` entry-point
group: each entry point is a ``typer.Typer`` (added as a group under its name)
or a plain function (added as a command).
"""
from __future__ import annotations

import sys
from importlib.metadata import entry_points
from typing import Any, NoReturn

import typer

from ..errors import WolfPyError

app = typer.Typer(
    name="wolfpy",
    help="WolfPy: file-based routing, Mako templates, peewee models.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

_state = {"debug": False}


@app.callback()
def _root(debug: bool = typer.Option(False, "--debug", help="Show full tracebacks on errors.")) -> None:
    _state["debug"] = debug


def fail(message: str, code: int = 1) -> NoReturn:
    """Print ``error: message`` on one line to stderr and exit non-zero."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def debug_enabled() -> bool:
    return _state["debug"]


def _register() -> None:
    from .commands import db, generate, info, inspect, log, project, serve, users, tools
    for module in (project, serve, info, log, db, generate, inspect, users, tools):
        module.register(app)
    for ep in entry_points(group="wolfpy.commands"):
        try:
            obj = ep.load()
        except Exception as exc:  # a broken plugin must not break the CLI
            typer.echo(f"warning: cannot load command plugin {ep.name!r}: {exc}", err=True)
            continue
        if isinstance(obj, typer.Typer):
            app.add_typer(obj, name=ep.name)
        elif callable(obj):
            app.command(name=ep.name)(obj)


_register()


def main(argv: list[str] | None = None) -> Any:
    """Console-script entry point: known errors become one line and exit code 1."""
    _state["debug"] = False
    try:
        return app(args=argv, prog_name="wolfpy", standalone_mode=True)
    except WolfPyError as exc:
        if debug_enabled():
            raise
        typer.echo(f"error: {exc}", err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:
        if debug_enabled():
            raise
        typer.echo(f"error: {type(exc).__name__}: {exc} (run with --debug for the traceback)", err=True)
        sys.exit(1)


if __name__ == "__main__":  # pragma: no cover
    main()
