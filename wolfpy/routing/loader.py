"""Walk ``routes/`` and turn files into route specs (and ``_middleware.py`` files into chains).

Files are imported by path under synthetic module names (``[id]`` is not an
identifier). ``os.scandir`` only: ``[`` is glob syntax.
"""
from __future__ import annotations

import hashlib
import importlib.util
import os
import re
import sys
import types
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from ..errors import RouteConflict, RouteLoadError
from .patterns import (OPTIONAL, CATCHALL, STATIC, Segment, parse_file_segment, suggest_url_segment,
                       url_segment_problem, windows_name_problem)

MIDDLEWARE_FILE = "_middleware.py"
_UNSAFE = re.compile(r"\W")
HANDLER_NAMES = ("get", "post", "put", "patch", "delete", "head", "options", "websocket")


@dataclass
class RouteFile:
    """One route file: where it is, what URL it serves, and its route name."""

    path: str                     # absolute file path
    rel: str                      # "routes/posts/[id].py", for messages
    name: str                     # "posts/[id]"
    segments: tuple[Segment, ...]
    middleware_files: list[str] = field(default_factory=list)  # outermost first


def scan(routes_dir: Path, errors: list[str] | None = None) -> list[RouteFile]:
    """Find every route file under ``routes_dir`` (no imports).

    With ``errors`` given, problems are appended there and scanning goes on
    (for ``wolfpy check``); otherwise the first one is raised.

    Raises:
        RouteConflict: a bad file name, or names that clash within one folder.
    """
    found: list[RouteFile] = []
    if routes_dir.is_dir():
        _scan_dir(routes_dir, routes_dir, (), {}, [], found, errors)
    return found


def _scan_dir(root: Path, folder: str | Path, segments: tuple[Segment, ...], params: dict[str, str],
              middleware: list[str], out: list[RouteFile], errors: list[str] | None) -> None:
    """``params``: each path parameter of ``segments``, with the file name that brought it."""
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
        here_mw.append(os.path.join(folder, MIDDLEWARE_FILE))
    folded: dict[str, tuple[str, str]] = {}
    for entry in entries:
        name = entry.name
        if name.startswith(("_", ".")) or name == "__pycache__":
            continue
        is_dir = entry.is_dir()
        if not is_dir and not name.endswith(".py"):
            continue
        rel = _rel(root, entry.path)
        bad_name = windows_name_problem(name) or (None if is_dir else windows_name_problem(name[:-3]))
        if bad_name:
            problem(f"{rel}: {bad_name}")
            continue
        stem = name if is_dir else name[:-3]
        key = stem.lower()
        other = folded.get(key)
        if other is not None and other[0] != stem:
            problem(f"{_rel(root, os.path.join(folder, other[1]))} and {rel} differ only by case")
            continue
        folded[key] = (stem, name)
        try:
            seg = parse_file_segment(stem)
        except ValueError as exc:
            problem(f"{rel}: {exc}")
            continue
        if seg is not None and seg.kind == STATIC:
            why = url_segment_problem(stem)
            if why:
                better = suggest_url_segment(stem) + ("" if is_dir else ".py")
                problem(f"{rel}: {why} (rename it {rel.rsplit('/', 1)[0]}/{better})")
                continue
        elif seg is not None:
            first = params.get(seg.value)
            if first is not None:
                problem(f"{rel}: the parameter name '{seg.value}' is used twice in one path ({first} "
                        f"and {rel}); give each its own name")
                continue
        inner = params if seg is None or seg.kind == STATIC else {**params, seg.value: rel}
        if is_dir:
            if seg is not None and seg.kind in (CATCHALL, OPTIONAL):
                problem(f"{rel}: a catch-all must be a file, not a folder")
                continue
            _scan_dir(root, entry.path, segments + ((seg,) if seg else ()), inner, here_mw, out, errors)
            continue
        if seg is None:
            problem(f"{rel}: parentheses are for group folders, not files")
            continue
        if stem == "index":
            route_segments = segments
        else:
            route_segments = segments + (seg,)
        route_name = rel.split("/", 1)[1][:-3]
        out.append(RouteFile(entry.path, rel, route_name, route_segments, here_mw))


def _rel(root: Path, path: str | os.PathLike[str]) -> str:
    """``routes/posts/[id].py``: the path as messages show it (string work: this runs per file)."""
    text, base = os.fspath(path), os.fspath(root)
    rel = text[len(base) + 1:] if text.startswith(base + os.sep) else os.path.relpath(text, base)
    if os.sep != "/":
        rel = rel.replace(os.sep, "/")
    return f"{root.name}/{rel}"


class ModuleLoader:
    """Imports route and middleware files by path under names unique to one app."""

    def __init__(self, project_root: Path) -> None:
        self.root = project_root
        digest = hashlib.sha1(str(project_root).encode()).hexdigest()[:10]
        self.prefix = f"_wolfpy_routes_{digest}"
        self.modules: dict[str, types.ModuleType] = {}
        self._base = os.fspath(project_root) + os.sep
        self._count = 0  # numbers the synthetic names, so no two modules ever share one

    def load(self, path: Path | str) -> types.ModuleType:
        text = os.fspath(path)
        module = self.modules.get(text)
        if module is not None:
            return module
        rel = text[len(self._base):] if text.startswith(self._base) else os.path.relpath(text, self._base)
        rel = rel[:-3].replace(os.sep, "/")
        # "routes/posts/[id]" -> "routes_posts__id__<n>": unique, and readable in tracebacks.
        name = f"{self.prefix}.{_UNSAFE.sub('_', rel)}_{self._count}"
        self._count += 1
        spec = importlib.util.spec_from_file_location(name, text)
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
            line = _error_line(exc, text)
            where = failure_location(exc, self.root)
            inside = f" (at {where})" if where and not where.startswith(f"{rel}.py:") else ""
            raise RouteLoadError(
                f"{rel}.py{line}: importing failed: {describe_exception(exc)}{inside}") from exc
        if os.path.basename(text) != MIDDLEWARE_FILE:
            _check_handler_names(module, f"{rel}.py")
        self.modules[text] = module
        return module

    def adopt(self, other: "ModuleLoader", changed: Iterable[str]) -> None:
        """Take over ``other``'s modules (of the same project), but for the ``changed`` files
        and the files that are gone: those are forgotten, and imported afresh when loaded.
        The dev server's in-place reload runs only the code that changed this way."""
        drop = {os.path.abspath(p) for p in changed}
        for path, module in other.modules.items():
            if os.path.abspath(path) in drop or not os.path.isfile(path):
                sys.modules.pop(module.__name__, None)
            else:
                self.modules[path] = module
        self._count = max(self._count, other._count)

    def unload_all(self) -> None:
        for name in [n for n in sys.modules if n.startswith(self.prefix + ".")]:
            del sys.modules[name]
        self.modules.clear()


def _check_handler_names(module: types.ModuleType, rel: str) -> None:
    """Refuse ``def GET`` / ``def Post``: only lower-case functions handle methods."""
    import inspect
    for attr, value in vars(module).items():
        lower = attr.lower()
        if lower in HANDLER_NAMES and attr != lower and inspect.isfunction(value) \
                and value.__module__ == module.__name__:
            prefix = "async def" if inspect.iscoroutinefunction(value) else "def"
            arg = "ws" if lower == "websocket" else "request"
            raise RouteLoadError(f"{rel} defines {attr}; handlers are lower-case: {prefix} {lower}({arg})")


def failure_location(exc: BaseException, root: Path | str) -> str:
    """``models/comment.py:5``: the innermost line of the project's own code where ``exc``
    happened (for a syntax error, the bad line), relative to ``root``; "" if none."""
    base = os.fspath(root) + os.sep

    def own(filename: str | None) -> str | None:
        if not filename or not filename.startswith(base):
            return None
        rel = filename[len(base):]
        parts = rel.split(os.sep)
        if any(p.startswith(".") or p in ("site-packages", "node_modules") for p in parts):
            return None  # a virtualenv inside the project is not the project's code
        return "/".join(parts)

    if isinstance(exc, SyntaxError):
        rel = own(exc.filename)
        if rel is not None:
            return f"{rel}:{exc.lineno}" if exc.lineno else rel
    found = ""
    tb = exc.__traceback__
    while tb is not None:
        rel = own(tb.tb_frame.f_code.co_filename)
        if rel is not None:
            found = f"{rel}:{tb.tb_lineno}"
        tb = tb.tb_next
    return found


_CANNOT_IMPORT = re.compile(r"cannot import name '([^']+)' from '([^']+)'")


def describe_exception(exc: BaseException) -> str:
    """``NameError: name 'TextFeild' is not defined; did you mean 'TextField'?``: one line,
    with the closest existing name when a name was mistyped."""
    import builtins
    import difflib

    text = " ".join(str(exc).split())
    if isinstance(exc, SyntaxError):
        text = f"syntax error: {exc.msg}"
    else:
        text = f"{type(exc).__name__}: {text}"
    wanted, candidates, scope = None, [], {}
    if isinstance(exc, NameError) and getattr(exc, "name", None):
        wanted = exc.name
        tb = exc.__traceback__
        while tb is not None and tb.tb_next is not None:
            tb = tb.tb_next
        if tb is not None:
            scope = tb.tb_frame.f_globals
            candidates = [*tb.tb_frame.f_locals, *scope, *vars(builtins)]
    elif isinstance(exc, AttributeError) and getattr(exc, "name", None):
        wanted = exc.name
        try:
            candidates = dir(exc.obj)
        except Exception:  # noqa: BLE001 - obj may be missing or refuse dir()
            candidates = []
    elif isinstance(exc, ImportError):
        m = _CANNOT_IMPORT.search(str(exc))
        if m and m.group(2) in sys.modules:
            wanted, candidates = m.group(1), dir(sys.modules[m.group(2)])
    if wanted:
        close = difflib.get_close_matches(wanted, [c for c in candidates if not c.startswith("__")], n=1)
        if close and close[0] != wanted:
            text += f"; did you mean {close[0]!r}?"
        elif isinstance(exc, NameError):
            text += _import_hint(wanted, scope)
    return text


def _import_hint(wanted: str, scope: dict[str, Any]) -> str:
    """``; did you mean 'TextField' (from wolfpy.db import TextField)?``: a close name exported by
    a package the module already imports from, shortest package first; "" if none."""
    import difflib
    packages: list[str] = []
    for value in list(scope.values()):
        try:
            name = value.__name__ if isinstance(value, types.ModuleType) else getattr(value, "__module__", None)
        except Exception:  # noqa: BLE001 - a proxy object may refuse attribute access
            continue
        if not isinstance(name, str) or name in ("builtins", "__main__") or name == scope.get("__name__"):
            continue
        parts = name.split(".")
        for i in range(1, len(parts) + 1):
            prefix = ".".join(parts[:i])
            if prefix not in packages:
                packages.append(prefix)
    for package in sorted(packages, key=lambda p: p.count(".")):
        module = sys.modules.get(package)
        if module is None:
            continue
        names = [n for n in getattr(module, "__all__", None) or dir(module) if not n.startswith("_")]
        close = difflib.get_close_matches(wanted, names, n=1)
        if close:
            return f"; did you mean {close[0]!r} (from {package} import {close[0]})?"
    return ""


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
