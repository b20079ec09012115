"""The writer: renders operations and the resulting state as ``migrations/NNNN_name.py``."""
from __future__ import annotations

import datetime
import json
import os
from pathlib import Path
from typing import Any, Iterable

from ...errors import MigrationError
from .autodetector import RenameHint
from .operations import Operation
from .state import Column, State

_WIDTH = 96


def py(value: Any) -> str:
    """A Python literal for ``value`` (str, number, bool, None, list, dict)."""
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{py(k)}: {py(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(py(v) for v in value) + "]"
    if value is None or isinstance(value, (bool, int, float)):
        return repr(value)
    raise MigrationError(f"cannot write {value!r} in a migration file")


def compact(spec: Column) -> dict[str, Any]:
    """A column dict without the keys at their defaults (``type`` and ``null`` always stay)."""
    out: dict[str, Any] = {"type": spec["type"], "null": spec["null"]}
    if spec["default"] is not None:
        out["default"] = spec["default"]
    for key in ("primary_key", "unique", "index"):
        if spec[key]:
            out[key] = True
    if spec["fk"]:
        out["fk"] = {k: v for k, v in spec["fk"].items() if v is not None}
    return out


def _columns(columns: dict[str, Column], indent: str) -> str:
    lines = [f"{indent}    {py(name)}: {py(compact(spec))}," for name, spec in columns.items()]
    return "{\n" + "\n".join(lines) + f"\n{indent}}}"


def render_operation(op: Operation) -> str:
    args, kwargs = op.args()
    parts = [compact_arg(a) for a in args] + [f"{k}={compact_arg(v)}" for k, v in kwargs.items()]
    line = f"    {type(op).__name__}({', '.join(parts)}),"
    if len(line) <= _WIDTH or not (len(args) >= 2 and isinstance(args[1], dict)):
        return line
    # CreateTable: one column a line.
    rest = [f"{k}={compact_arg(v)}" for k, v in kwargs.items()]
    tail = ", " + ", ".join(rest) if rest else ""
    return f"    {type(op).__name__}({py(args[0])}, {_columns(args[1], '    ')}{tail}),"


def _is_column(value: Any) -> bool:
    return isinstance(value, dict) and "type" in value and "fk" in value


def compact_arg(value: Any) -> str:
    if _is_column(value):
        return py(compact(value))
    if isinstance(value, dict) and value and all(_is_column(v) for v in value.values()):
        return py({k: compact(v) for k, v in value.items()})
    return py(value)


def render_state(state: State) -> str:
    if not state:
        return "state: dict = {}\n"
    out = ["state = {"]
    for name, tstate in state.items():
        out.append(f"    {py(name)}: {{")
        out.append(f"        \"columns\": {_columns(tstate['columns'], '        ')},")
        if tstate["indexes"]:
            out.append(f"        \"indexes\": {py(tstate['indexes'])},")
        out.append("    },")
    out.append("}")
    return "\n".join(out) + "\n"


def render_migration(name: str, operations: list[Operation], state: State,
                     hints: Iterable[RenameHint] = (), dependencies: Iterable[str] = ()) -> str:
    """The text of a migration file. With no operations and several ``dependencies``,
    a merge: it joins the branches that end in them."""
    dependencies = list(dependencies)
    used = sorted({type(op).__name__ for op in operations})
    when = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    if not operations and len(dependencies) > 1:
        lines = [
            f'"""{name}: joins the branches that end in {" and ".join(dependencies)}.',
            "",
            f"Written by `wolfpy db migrate --merge` on {when}. It follows every migration in",
            "`dependencies` and has no operations: `state` is the schema with all those",
            "branches applied, which the next `wolfpy db migrate` compares the models with.",
            '"""',
            "",
        ]
    else:
        summary = "; ".join(op.describe() for op in operations[:3]) + ("; ..." if len(operations) > 3 else "")
        summary = summary.replace("\\", "/").replace('"', "'")
        lines = [
            f'"""{name}: {summary}.',
            "",
            f"Written by `wolfpy db migrate` on {when}. `dependencies` names the",
            "migration it follows; `operations` run in order, and `wolfpy db rollback` reverses",
            "them; `state` is the schema after this migration, which the next `wolfpy db migrate`",
            "compares the models with. Edit both together.",
            '"""',
            "",
        ]
    if used:
        lines += [f"from wolfpy.db.migrations import {', '.join(used)}", ""]
    for hint in hints:
        lines += [f"# {hint.table}.{hint.old} -> {hint.new} looked like a rename; here it is a drop and an add,",
                  f"# which loses the data. To rename instead, delete this file and run:",
                  f"#     wolfpy db migrate --rename {hint.table}.{hint.old}:{hint.new}"]
    lines += [f"dependencies = {py(dependencies)}", ""]
    if operations:
        lines.append("operations = [")
        lines += [render_operation(op) for op in operations]
        lines.append("]")
    else:
        lines.append("operations: list = []")
    lines += ["", "# The schema once this migration is applied.", render_state(state)]
    return "\n".join(lines)


def write_migration(folder: Path, number: int, name: str, operations: list[Operation],
                    state: State, hints: Iterable[RenameHint] = (),
                    dependencies: Iterable[str] = ()) -> Path:
    """Write ``folder/NNNN_name.py`` (never over an existing file) and return its path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{number:04d}_{name}.py"
    text = render_migration(path.stem, operations, state, hints, dependencies)
    tmp = folder / f".{path.name}.tmp"
    tmp.write_text(text, encoding="utf-8")
    try:
        os.link(tmp, path)  # fails if the file exists: never overwrite a migration
    except FileExistsError:
        raise MigrationError(f"{folder.name}/{path.name} already exists") from None
    except OSError:  # pragma: no cover - file systems without hard links
        if path.exists():
            raise MigrationError(f"{folder.name}/{path.name} already exists") from None
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    return path
