"""``wolfpy generate <name>``: one command per generator folder in ``wolfpy/generators/``.

Each command is built from its generator class: its ``USAGE`` is the help, ``summary``
its line in ``wolfpy generate --help``, ``arguments`` then ``--force`` then ``options``
its command line. A new generator folder is a new command; nothing here changes.

Generators read the project's files but never import its code (except ``generate auth``,
which imports ``models/`` to write its migration); they print every file they write and
refuse to overwrite one without ``--force``.
"""
from __future__ import annotations

import inspect
from typing import Any, Callable, List

import typer

from ...generators import FORCE, GENERATORS, GeneratorError, get_generator
from ..common import echo_file, fail, find_project

generate_app = typer.Typer(help="Create models, routes and their tests from templates.",
                           no_args_is_help=True)


def _markup(text: str) -> str:
    """``text`` for a help screen: with Rich, ``[id]`` is text, not markup."""
    from typer.core import DEFAULT_MARKUP_MODE
    if DEFAULT_MARKUP_MODE == "rich":
        from rich.markup import escape
        return str(escape(text))
    return text


def _usage(generator: Any) -> str:
    """The generator's ``USAGE`` as the command's help, keeping its hand-laid-out paragraphs."""
    text = generator.usage().strip()
    if text.startswith("Usage:"):  # the help prints its own usage line
        text = text.split("\n\n", 1)[1]
    from typer.core import DEFAULT_MARKUP_MODE
    if DEFAULT_MARKUP_MODE == "rich":  # Rich keeps line breaks
        return _markup(text)
    # Plain click: "\b" keeps each paragraph from being rewrapped.
    return "\n\n".join("\b\n" + block for block in text.split("\n\n"))


def _parameters(generator: Any) -> list[inspect.Parameter]:
    """The command's parameters, as a typer function would declare them."""
    kind = inspect.Parameter.POSITIONAL_OR_KEYWORD
    params = [inspect.Parameter(arg.name, kind, annotation=List[str] if arg.many else str,
                                default=typer.Argument(None if arg.many else ..., help=_markup(arg.help)))
              for arg in generator.arguments]
    params += [inspect.Parameter(opt.dest, kind, annotation=type(opt.default),
                                 default=typer.Option(opt.default, *opt.flags, help=_markup(opt.help)))
               for opt in (FORCE, *generator.options)]
    return params


def command(generator: Any) -> Callable[..., None]:
    """The function ``wolfpy generate <generator.name>`` runs: write the files, print each."""
    def run(**values: Any) -> None:
        positional = [list(values.pop(arg.name) or []) if arg.many else values.pop(arg.name)
                      for arg in generator.arguments]
        instance = generator(find_project(), *positional, **values)
        try:
            files = instance.write()
        except GeneratorError as exc:
            fail(str(exc))
        for item in files:
            echo_file(item.status, instance.rel(item.path))
        for note in instance.notes:
            typer.echo(note, err=note.startswith("warning:"))

    run.__signature__ = inspect.Signature(_parameters(generator))  # type: ignore[attr-defined]
    return run


for _name in GENERATORS:
    _generator = get_generator(_name)
    generate_app.command(_name, help=_usage(_generator), short_help=_generator.summary)(command(_generator))
