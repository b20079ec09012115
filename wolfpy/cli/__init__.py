"""The ``wolfpy`` command line (typer). One module per command group in ``commands/``.

``register_command(name, "package.module:attribute", help=...)`` adds a command group
that is imported only when it runs.
"""
from .registry import register_command as register_command

__all__ = ["register_command"]
