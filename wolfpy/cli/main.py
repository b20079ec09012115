"""The root ``wolfpy`` command: global ``--debug`` and ``--version``, one-line errors, command groups.

Every error, a usage error included (unknown command or option, missing argument,
bad value), is one ``error:`` line on stderr and a non-zero exit; ``--debug`` shows
the full usage box or traceback instead.

The commands come from ``cli/registry.py``: WolfPy's own, those added with
``wolfpy.cli.register_command()``, and those of the ``wolfpy.commands`` entry-point
group (a ``typer.Typer`` becomes a group under the entry point's name, a function a
command). Each is imported only when it runs (``cli/group.py``).
"""
from __future__ import annotations

import sys
from typing import Any, NoReturn

import typer

from ..errors import WolfPyError
from .common import CommandError, click_module, version_line
from .group import LazyGroup

app = typer.Typer(
    name="wolfpy",
    cls=LazyGroup,
    help="WolfPy: file-based routing, Mako templates, peewee models.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _show_version(value: bool) -> None:
    if value:
        typer.echo(version_line())
        raise typer.Exit()


@app.callback()
def _root(debug: bool = typer.Option(False, "--debug", help="Show full tracebacks on errors."),
          version: bool = typer.Option(False, "--version", is_eager=True, callback=_show_version,
                                       help="Print WolfPy's version and exit.")) -> None:
    pass  # --debug is read where it matters: by main(), and by common.debug_enabled()


def _debug_requested(argv: list[str]) -> bool:
    """``--debug`` among the root options (before the command name)."""
    for arg in argv:
        if arg == "--debug":
            return True
        if arg == "--" or not arg.startswith("-"):
            return False
    return False


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

    Usage errors exit with 2, a :class:`CommandError` with its code, other errors with 1,
    an interrupt with 130.
    """
    args = list(sys.argv[1:] if argv is None else argv)
    if _debug_requested(args):  # click's own handling: the full usage box, and tracebacks from raise
        try:
            app(args=args, prog_name="wolfpy", standalone_mode=True)
        except CommandError as exc:  # a command's own one-line message needs no traceback
            _exit_with(exc)
        except KeyboardInterrupt:
            sys.exit(130)
        sys.exit(0)
    exceptions = click_module().exceptions
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
    except CommandError as exc:
        _exit_with(exc)
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


def _exit_with(error: CommandError) -> NoReturn:
    typer.echo(f"error: {error}", err=True)
    sys.exit(error.code)


if __name__ == "__main__":  # pragma: no cover
    main()
