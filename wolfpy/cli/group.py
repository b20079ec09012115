"""The root ``wolfpy`` group: commands come from the registry and are imported when first used.

``wolfpy --help`` lists each command from the help the registry holds, so it imports
none of them; running a command imports its module and nothing else. (Flask loads the
commands of its entry points this way; here WolfPy's own commands go the same way.)
A third-party command that cannot be imported is a one-line warning when it is listed
or asked for: it never breaks the other commands.
"""
from __future__ import annotations

import copy
import os
from collections.abc import ItemsView, Iterator, Mapping, MutableMapping, ValuesView
from typing import Any

import typer
from typer.core import TyperCommand, TyperGroup

from . import registry
from .common import as_command, click_module

__all__ = ["LazyCommands", "LazyGroup", "to_click"]


def to_click(obj: Any, name: str) -> Any | None:
    """``obj`` as the click command ``wolfpy <name>``: a ``typer.Typer`` becomes a group (as
    ``add_typer`` makes it), a function a command; None for anything else."""
    import typer.main

    if isinstance(obj, typer.Typer):
        command = typer.main.get_group(obj)
    elif isinstance(obj, click_module().Command):
        command = obj
    elif callable(obj):
        return as_command(obj, name)
    else:
        return None
    if command.name != name:
        command = copy.copy(command)
        command.name = name
    return command


class LazyCommands(MutableMapping[str, Any]):
    """Command name -> click command, importing a registered command the first time it is looked up.

    Iterating gives the names without importing anything; :meth:`items` and
    :meth:`values` import every command (and leave out those that fail).
    """

    def __init__(self, commands: Mapping[str, Any]) -> None:
        self._loaded: dict[str, Any] = dict(commands)  # added directly, or imported already
        self._broken: set[str] = set()
        self._entry_points: list[registry.CommandSpec] | None = None  # read when first needed
        self._plugins: tuple[str, list[registry.CommandSpec]] | None = None  # (folder, its plugins' commands)

    def _specs(self) -> list[registry.CommandSpec]:
        if self._entry_points is None:
            self._entry_points = registry.entry_point_specs()
        # The project's plugins depend on the folder the command runs in: read again
        # when it changes (the command line runs in one; tests run it in many).
        cwd = os.getcwd()
        if self._plugins is None or self._plugins[0] != cwd:
            taken = {spec.name for spec in self._entry_points}
            self._plugins = (cwd, [s for s in registry.plugin_specs() if s.name not in taken])
        return [*registry.builtin(), *registry.registered(), *self._entry_points, *self._plugins[1]]

    def _find(self, name: str) -> registry.CommandSpec | None:
        if self._entry_points is None:
            return registry.find(name)
        return next((spec for spec in self._specs() if spec.name == name), None)

    def _load(self, spec: registry.CommandSpec) -> Any | None:
        try:
            command = to_click(registry.load(spec), spec.name)
            if command is None:
                raise TypeError(f"{spec.target} is not a typer.Typer, a click command or a function")
        except Exception as exc:
            if not spec.plugin:
                raise
            typer.echo(f"warning: cannot load command plugin {spec.name!r}: {exc}", err=True)
            return None
        return command

    def __getitem__(self, name: str) -> Any:
        if name in self._loaded:
            return self._loaded[name]
        spec = None if name in self._broken else self._find(name)
        if spec is None:  # unknown here (another folder's plugins may have it): not remembered
            raise KeyError(name)
        command = self._load(spec)
        if command is None:
            self._broken.add(name)
            raise KeyError(name)
        self._loaded[name] = command
        return command

    def __contains__(self, name: object) -> bool:  # without importing
        return isinstance(name, str) and (name in self._loaded or self._find(name) is not None)

    def __iter__(self) -> Iterator[str]:
        names = dict.fromkeys(spec.name for spec in self._specs() if spec.name not in self._broken)
        names.update(dict.fromkeys(self._loaded))
        return iter(names)

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def __setitem__(self, name: str, command: Any) -> None:
        self._loaded[name] = command

    def __delitem__(self, name: str) -> None:
        del self._loaded[name]

    def items(self) -> ItemsView[str, Any]:
        return _Items(self)

    def values(self) -> ValuesView[Any]:
        return _Values(self)

    def summary(self, name: str) -> Any | None:
        """The command as a help listing shows it: a stand-in with the registry's help
        while it is not imported, so that listing imports nothing."""
        if name not in self._loaded and name not in self._broken:
            spec = self._find(name)
            if spec is not None and spec.help is not None:
                return TyperCommand(name=name, help=spec.help)
        return self.get(name)


class _Items(ItemsView[str, Any]):
    def __init__(self, commands: LazyCommands) -> None:
        super().__init__(commands)
        self._commands = commands

    def __iter__(self) -> Iterator[tuple[str, Any]]:
        for name in self._commands:
            command = self._commands.get(name)
            if command is not None:
                yield name, command


class _Values(ValuesView[Any]):
    def __init__(self, commands: LazyCommands) -> None:
        super().__init__(commands)
        self._commands = commands

    def __iter__(self) -> Iterator[Any]:
        for _, command in _Items(self._commands):
            yield command


class LazyGroup(TyperGroup):
    """A Typer group whose commands are a :class:`LazyCommands`: the registry's, imported on use."""

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        self.commands = LazyCommands(self.commands)
        self._listing = False

    def list_commands(self, ctx: Any) -> list[str]:
        return list(self.commands)

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        commands = self.commands
        assert isinstance(commands, LazyCommands)
        return commands.summary(cmd_name) if self._listing else commands.get(cmd_name)

    def format_help(self, ctx: Any, formatter: Any) -> None:
        self._listing = True  # the list of commands shows their summaries, imports none
        try:
            super().format_help(ctx, formatter)
        finally:
            self._listing = False
