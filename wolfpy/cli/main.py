"""The root ``wolfpy`` command: global ``--debug`` and ``--version``, one-line errors, command groups.

Every error, a usage error included (unknown command or option, missing argument,
bad value), is one ``error:`` line on stderr and a non-zero exit; ``--debug`` shows
the full usage box or traceback instead.

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


def version_line() -> str:
    """What ``wolfpy version`` and ``wolfpy --version`` print."""
    import platform

    from ..__about__ import __version__
    return f"wolfpy {__version__} (Python {platform.python_version()})"


def _show_version(value: bool) -> None:
    if value:
        typer.echo(version_line())
        raise typer.Exit()


@app.callback()
def _root(debug: bool = typer.Option(False, "--debug", help="Show full tracebacks on errors."),
          version: bool = typer.Option(False, "--version", is_eager=True, callback=_show_version,
                                       help="Print WolfPy's version and exit.")) -> None:
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


def _debug_requested(argv: list[str]) -> bool:
    """``--debug`` among the root options (before the command name)."""
    for arg in argv:
        if arg == "--debug":
            return True
        if arg == "--" or not arg.startswith("-"):
            return False
    return False


def _click_exceptions() -> Any:
    try:  # recent Typer versions ship their own copy of click
        from typer._click import exceptions
    except ImportError:  # pragma: no cover - older Typer uses click itself
        from click import exceptions  # type: ignore[no-redef]
    return exceptions


def usage_error_line(exc: Any) -> str:
    """A click usage error as one line: ``error: <what> (see 'wolfpy <cmd> --help')``."""
    possible = getattr(exc, "possibilities", None)
    if possible is not None:  # an unknown option, with the close ones
        text = str(exc.message) + (f"; did you mean {' or '.join(sorted(possible))}?" if possible else "")
    else:
        text = str(exc.format_message())
    message = " ".join(text.split()).rstrip(".").replace(". Did you mean", "; did you mean")
    if message[:1].isupper() and message[1:2].islower():
        message = message[0].lower() + message[1:]
    ctx = getattr(exc, "ctx", None)
    path = ctx.command_path if ctx is not None else "wolfpy"
    return f"error: {message} (see '{path} --help')"


def main(argv: list[str] | None = None) -> NoReturn:
    """Console-script entry point: every error is one ``error:`` line and a non-zero exit.

    Usage errors exit with 2, other errors with 1, an interrupt with 130.
    """
    args = list(sys.argv[1:] if argv is None else argv)
    debug = _state["debug"] = _debug_requested(args)
    if debug:  # click's own handling: the full usage box, and tracebacks from raise
        try:
            app(args=args, prog_name="wolfpy", standalone_mode=True)
        except KeyboardInterrupt:
            sys.exit(130)
        sys.exit(0)
    exceptions = _click_exceptions()
    help_asked = getattr(exceptions, "NoArgsIsHelpError", ())  # click < 8.2 exits 0 instead
    try:
        code = app(args=args, prog_name="wolfpy", standalone_mode=False)
    except help_asked as exc:  # `wolfpy`, `wolfpy db`: the help, as asked
        text = str(exc.format_message()).strip()
        if text:  # without Rich the help is the message; Rich has printed it already
            typer.echo(text)
        sys.exit(exc.exit_code)
    except exceptions.UsageError as exc:
        typer.echo(usage_error_line(exc), err=True)
        sys.exit(exc.exit_code or 2)
    except exceptions.ClickException as exc:
        typer.echo(f"error: {' '.join(str(exc.format_message()).split())}", err=True)
        sys.exit(exc.exit_code or 1)
    except typer.Abort as exc:
        if isinstance(exc.__context__, KeyboardInterrupt):
            sys.exit(130)
        typer.echo("error: aborted", err=True)
        sys.exit(1)
    except WolfPyError as exc:
        typer.echo(f"error: {exc}", err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:
        text = " ".join(str(exc).split())
        typer.echo(f"error: {type(exc).__name__}: {text} (run with --debug for the traceback)", err=True)
        sys.exit(1)
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":  # pragma: no cover
    main()
