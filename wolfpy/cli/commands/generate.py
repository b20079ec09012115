"""``wolfpy generate model | route | auth | token``: write new files from the generators' templates.

Generators read the project's files but never import its code (except ``generate auth``,
which imports ``models/`` to write its migration); they print every file they write and refuse to overwrite one without ``--force``.
"""
from __future__ import annotations

from typing import Any, List

import typer

from ..common import echo_file, fail, find_project

generate_app = typer.Typer(help="Create models, routes and their tests from templates.",
                           no_args_is_help=True)

_FORCE = typer.Option(False, "--force", "-f", help="Overwrite files that exist with other content.")


def _usage(name: str) -> str:
    from typer.core import DEFAULT_MARKUP_MODE

    from ...generators import get_generator
    text = get_generator(name).usage().strip()
    if text.startswith("Usage:"):  # the help prints its own usage line
        text = text.split("\n\n", 1)[1]
    if DEFAULT_MARKUP_MODE == "rich":  # Rich keeps line breaks; "[id]" is not markup
        from rich.markup import escape
        return escape(text)
    # Plain click: "\b" keeps each hand-laid-out paragraph from being rewrapped.
    return "\n\n".join("\b\n" + block for block in text.split("\n\n"))


def _run(generator: Any) -> None:
    from ...generators import GeneratorError
    try:
        files = generator.write()
    except GeneratorError as exc:
        fail(str(exc))
    for item in files:
        echo_file(item.status, generator.rel(item.path))


@generate_app.command("model", help=_usage("model"), short_help="A peewee model and its test.")
def model(name: str = typer.Argument(..., help="Class name, e.g. Post."),
          fields: List[str] = typer.Argument(None, help="name:type fields, e.g. title:str body:text?"),
          force: bool = _FORCE) -> None:
    from ...generators.model import ModelGenerator
    _run(ModelGenerator(find_project(), name, fields or [], force=force))


@generate_app.command("route", help=_usage("route"), short_help="A route file, its template and a test.")
def route(name: str = typer.Argument(..., help="Path under routes/, e.g. posts/\\[id]."),
          force: bool = _FORCE) -> None:
    from ...generators.route import RouteGenerator
    _run(RouteGenerator(find_project(), name, force=force))


# --- auth and token generators (wolfpy/generators/auth, wolfpy/generators/token) --- begin
def _usage_of(cls: Any) -> str:
    """Like :func:`_usage`, for a generator class (not looked up by name)."""
    from typer.core import DEFAULT_MARKUP_MODE
    text = cls.usage().strip()
    if text.startswith("Usage:"):
        text = text.split("\n\n", 1)[1]
    if DEFAULT_MARKUP_MODE == "rich":
        from rich.markup import escape
        return str(escape(text))
    return "\n\n".join("\b\n" + block for block in text.split("\n\n"))


def _auth_usage() -> str:
    from ...generators.auth import AuthGenerator
    return _usage_of(AuthGenerator)


def _token_usage() -> str:
    from ...generators.token import TokenGenerator
    return _usage_of(TokenGenerator)


@generate_app.command("auth", help=_auth_usage(),
                      short_help="User model, register/login/logout pages and a migration.")
def auth(force: bool = _FORCE,
         migration: bool = typer.Option(True, "--migration/--no-migration",
                                        help="Also write the migration creating the user table.")) -> None:
    from ...generators.auth import AuthGenerator
    generator = AuthGenerator(find_project(), force=force, migration=migration)
    _run(generator)
    for note in generator.notes:
        typer.echo(note, err=note.startswith("warning:"))


@generate_app.command("token", help=_token_usage(), short_help="POST /auth/token: credentials for a JWT.")
def token(force: bool = _FORCE,
          expires_in: int = typer.Option(3600, "--expires-in", help="Seconds a token stays valid.")) -> None:
    from ...generators.token import TokenGenerator
    _run(TokenGenerator(find_project(), force=force, expires_in=expires_in))
# --- auth and token generators --- end

