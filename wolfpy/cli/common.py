"""What the command modules share: the one-line error, the project, prompts and output helpers.

A command reports a problem by raising :class:`CommandError` (or calling :func:`fail`);
the runner in ``cli/main.py`` prints it as one ``error:`` line and exits with its code.
Command modules import from here, never from ``cli/main.py``.
"""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Callable, NoReturn

import typer

from ..errors import ProjectNotFound, WolfPyError
from ..project import Project

__all__ = ["CommandError", "as_command", "click_module", "confirm_changes", "count", "debug_enabled", "echo_file",
           "fail", "find_project", "interactive", "table", "version_line"]


class CommandError(WolfPyError):
    """A command cannot go on: printed as ``error: <message>``, then the process exits with ``code``."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


def fail(message: str, code: int = 1) -> NoReturn:
    """Stop the command with ``error: message`` on one line and exit status ``code``."""
    raise CommandError(message, code)


def click_module() -> Any:
    """The click that Typer runs on: recent Typer versions ship their own copy."""
    try:
        from typer import _click
    except ImportError:  # pragma: no cover - older Typer uses click itself
        import click as _click  # type: ignore[no-redef]
    return _click


def debug_enabled() -> bool:
    """Whether ``wolfpy --debug`` is running the current command."""
    import importlib

    ctx = importlib.import_module(f"{click_module().__name__}.globals").get_current_context(silent=True)
    return bool(ctx is not None and ctx.find_root().params.get("debug"))


def version_line() -> str:
    """What ``wolfpy version`` and ``wolfpy --version`` print."""
    import platform

    from ..__about__ import __version__
    return f"wolfpy {__version__} (Python {platform.python_version()})"


def find_project(path: Path | None = None) -> Project:
    """The project around ``path`` (the current folder): the nearest ``wolfpy.toml`` upwards."""
    try:
        return Project.discover(path or Path.cwd())
    except ProjectNotFound as exc:
        fail(f"{exc}; run this inside a project, or create one with: wolfpy new NAME")


def interactive() -> bool:
    """Whether someone can answer a prompt (standard input is a terminal)."""
    try:
        return bool(sys.stdin is not None and sys.stdin.isatty())
    except (AttributeError, ValueError, OSError):
        return False


def confirm_changes(reasons: list[str], *, yes: bool, action: str, can_ask: bool, extra: str = "") -> None:
    """Ask before a change that can lose data (``reasons``); refuse when nobody can answer.

    Nothing is asked when there is no reason or ``yes`` (``--yes``) answered already.
    """
    if not reasons or yes:
        return
    if not can_ask:
        fail(f"refusing to {action} without --yes: {'; '.join(reasons)}{extra}")
    typer.echo(f"This will {action}, and:")
    for reason in reasons:
        typer.echo(f"  - {reason}")
    if not typer.confirm("Continue?", default=False):
        fail("aborted; nothing was changed")


def as_command(function: Callable[..., Any], name: str | None = None, **settings: Any) -> Any:
    """``function`` as a click command, made the way ``typer.Typer().command(**settings)`` makes it."""
    import typer.main

    holder = typer.Typer(add_completion=False)
    holder.command(name, **settings)(function)
    return typer.main.get_command(holder)


# -- output -----------------------------------------------------------------------------------
def echo_file(status: str, path: str) -> None:
    """One file written or removed, as ``wolfpy new`` and the generators print it: ``  create  path``."""
    typer.echo(f"  {status}  {path}")


def count(n: int, noun: str) -> str:
    """``3 routes``, ``1 route``: a number and an English noun that takes an s."""
    return f"{n} {noun}{'s' if n != 1 else ''}"


def table(rows: list[list[str]], header: list[str]) -> str:
    """Left-aligned columns under a header and a rule of dashes."""
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def line(row: list[str]) -> str:
        return "  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip()
    return "\n".join([line(header), line(["-" * w for w in widths]), *map(line, rows)])
