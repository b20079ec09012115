"""``CheckMessage``: one finding of ``wolfpy check``, with its level, id and hint.

A module of its own, importing nothing, so that an extension can build its checks'
messages without importing :mod:`wolfpy.checks` (which loads the whole app).
"""
from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ERROR", "WARNING", "CheckMessage"]

ERROR, WARNING = "error", "warning"


@dataclass(frozen=True)
class CheckMessage:
    level: str
    id: str
    message: str
    hint: str | None = None

    def __str__(self) -> str:
        text = f"{self.id} {self.level}: {self.message}"
        return f"{text}\n    hint: {self.hint}" if self.hint else text
