"""Walk ``routes/`` and turn files into route specs (and ``_middleware.py`` files into chains).

Files are imported by path under synthetic module names (``[id]`` is not an
identifier). ``os.scandir`` only: ``[`` is glob syntax.
"""
from __future__ import annotations

import hashlib
import importlib.util
import os
import sys
import types
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import RouteConflict, RouteLoadError
from .patterns import OPTIONAL, CATCHALL, Segment, parse_file_segment, windows_name_problem

MIDDLEWARE_FILE = "_middleware.py"


@dataclass
class RouteFile:
    """One route file: where it is, what URL it serves, and its route name."""

    path: Path                    # absolute file path
    rel: str                      # "routes/posts/[id].py", for messages
    name: str                     # "posts/[id]"
    segments: tuple[Segment, ...]
    middleware_files: list[Path] = field(default_factory=list)  # outermost first


def scan(routes_dir: Path, errors: list[str] | None = None) -> list[RouteFile]:
    """Find every route file under ``routes_dir`` (no imports).

    With ``errors`` given, problems are appended there and scanning goes on
    (for ``wolfpy check``); otherwise the first one is raised.

    Raises:
        RouteConflict: a bad file name, or names that clash within one folder.
    """
    found: list[RouteFile] = []
    if routes_dir.is_dir():
        _scan_dir(routes_dir, routes_dir, (), [], found, errors)
    return found


def _scan_dir(root: Path, folder: Path, segments: tuple[Segment, ...],
              middleware: list[Path], out: list[RouteFile], errors: list[str] | None) -> None:
    def problem(message: str) -> None:
        if errors is None:
            raise RouteConflict(message)
        errors.append(message)

    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as exc:
        problem(f"cannot read {folder}: {exc.strerror}")
        return
    here_mw = list(middleware)
    if any(e.name == MIDDLEWARE_FILE and e.is_file() for e in entries):
        here_mw.append(Path(folder, MIDDLEWARE_FILE))
    folded: dict[str, tuple[str, str]] = {}
    for entry in entries:
        name = entry.name
        if name.startswith(("_", ".")) or name == "__pycache__":
            continue
        is_dir = entry.is_dir()
        if not is_dir and not name.endswith(".py"):
            continue
        rel = _rel(root, Path(entry.path))
        bad_name = windows_name_problem(name)
        if bad_name:
            problem(f"{rel}: {bad_name}")
            continue
        stem = name if is_dir else name[:-3]
        key = stem.lower()
        other = folded.get(key)
        if other is not None and other[0] != stem:
            problem(f"{_rel(root, folder / other[1])} and {rel} differ only by case")
            continue
        folded[key] = (stem, name)
        try:
            seg = parse_file_segment(stem)
        except ValueError as exc:
            problem(f"{rel}: {exc}")
            continue
        if is_dir:
            if seg is not None and seg.kind in (CATCHALL, OPTIONAL):
                problem(f"{rel}: a catch-all must be a file, not a folder")
                continue
            _scan_dir(root, Path(entry.path), segments + ((seg,) if seg else ()), here_mw, out, errors)
            continue
        if seg is None:
            problem(f"{rel}: parentheses are for group folders, not files")
            continue
        if stem == "index":
            route_segments = segments
        else:
            route_segments = segments + (seg,)
        route_name = Path(entry.path).relative_to(root).with_suffix("").as_posix()
        out.append(RouteFile(Path(entry.path), rel, route_name, route_segments, here_mw))


def _rel(root: Path, path: Path) -> str:
    return (Path(root.name) / path.relative_to(root)).as_posix()


class ModuleLoader:
    """Imports route and middleware files by path under names unique to one app."""

    def __init__(self, project_root: Path) -> None:
        self.root = project_root
        digest = hashlib.sha1(str(project_root).encode()).hexdigest()[:10]
        self.prefix = f"_wolfpy_routes_{digest}"
        self.modules: dict[Path, types.ModuleType] = {}

    def load(self, path: Path) -> types.ModuleType:
        module = self.modules.get(path)
        if module is not None:
            return module
        rel = path.relative_to(self.root).with_suffix("").as_posix()
        safe = "".join(c if c.isalnum() else "_" for c in rel)
        name = f"{self.prefix}.{safe}_{hashlib.sha1(rel.encode()).hexdigest()[:6]}"
        spec = importlib.util.spec_from_file_location(name, path)
        if spec is None or spec.loader is None:  # pragma: no cover - a .py file always has one
            raise RouteLoadError(f"{rel}.py: cannot be imported")
        module = importlib.util.module_from_spec(spec)
        # Registered so dataclasses, pickling and typing.get_type_hints find the module.
        sys.modules[name] = module
        try:
            spec.loader.exec_module(module)
        except SyntaxError as exc:
            sys.modules.pop(name, None)
            raise RouteLoadError(
                f"{rel}.py:{exc.lineno}: syntax error: {exc.msg}") from exc
        except Exception as exc:
            sys.modules.pop(name, None)
            line = _error_line(exc, str(path))
            raise RouteLoadError(
                f"{rel}.py{line}: importing failed: {type(exc).__name__}: {exc}") from exc
        self.modules[path] = module
        return module

    def unload_all(self) -> None:
        for name in [n for n in sys.modules if n.startswith(self.prefix + ".")]:
            del sys.modules[name]
        self.modules.clear()


def _error_line(exc: BaseException, filename: str) -> str:
    tb = exc.__traceback__
    line = ""
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == filename:
            line = f":{tb.tb_lineno}"
        tb = tb.tb_next
    return line


def middleware_of(module: types.ModuleType, rel: str) -> list[Any]:
    """The middleware a ``_middleware.py`` module defines (``middleware`` or ``middlewares``)."""
    items: list[Any] = []
    if hasattr(module, "middlewares"):
        items.extend(module.middlewares)
    if hasattr(module, "middleware"):
        items.append(module.middleware)
    if not items and not hasattr(module, "middlewares"):
        raise RouteLoadError(f"{rel}: defines neither 'middleware' nor 'middlewares'")
    for mw in items:
        if not callable(mw):
            raise RouteLoadError(f"{rel}: middleware {mw!r} is not callable")
    return items
