"""``assets/`` → ``static/dist/``: Sass compiled, CSS and JS minified, names fingerprinted, a manifest.

Every file under ``assets/`` becomes one file under ``static/dist/`` whose name carries
a hash of its content (``css/app.scss`` → ``css/app.3f2a9c1b.css``), and
``static/dist/manifest.json`` maps the plain name (``css/app.css``) to it; the
``static_url`` helper reads that map. Sass partials (``_name.scss``) are not
compiled on their own: they exist to be loaded with ``@use``, ``@forward`` or
``@import``.

A :class:`Builder` remembers which files each entry point loaded (Dart Sass reports
them), so after a change it compiles only the entry points that loaded a changed
file, with the same compiler process. A file that does not compile leaves its last
good output in place and in the manifest; the errors are written, one line each, to
``static/dist/.errors.json`` (never served: a name starting with a dot), where the dev
server's page finds them.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from ..errors import MissingExtra
from .sass import SassCompiler, SassError

__all__ = ["Builder", "BuildReport", "DIST", "MANIFEST", "ERRORS", "read_errors"]

DIST = "dist"                    # under static/
MANIFEST = "manifest.json"
ERRORS = ".errors.json"
SASS_SUFFIXES = (".scss", ".sass")
SKIP_DIRS = {"node_modules", "__pycache__"}
HASH_LENGTH = 8


@dataclass
class BuildReport:
    """What one build or rebuild did."""

    built: list[str] = field(default_factory=list)     # manifest keys written
    removed: list[str] = field(default_factory=list)   # keys whose source is gone
    errors: list[str] = field(default_factory=list)    # one line each

    @property
    def ok(self) -> bool:
        return not self.errors


def read_errors(static: Path) -> list[str]:
    """The errors of the last build of the project whose ``static/`` folder is ``static``."""
    try:
        data = json.loads((static / DIST / ERRORS).read_text("utf-8"))
    except (OSError, ValueError):
        return []
    return [str(e) for e in data] if isinstance(data, list) else []


def minifier(kind: str):  # type: ignore[no-untyped-def]
    try:
        if kind == "css":
            from rcssmin import cssmin
            return cssmin
        from rjsmin import jsmin
        return jsmin
    except ImportError:
        package = "rcssmin" if kind == "css" else "rjsmin"
        raise MissingExtra("assets", package, f"minifying {kind.upper()}") from None


def _fingerprint(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:HASH_LENGTH]


def _hashed(key: str, digest: str) -> str:
    stem, dot, suffix = key.rpartition(".")
    return f"{stem}.{digest}.{suffix}" if dot and "/" not in suffix else f"{key}.{digest}"


class Builder:
    """Builds a project's ``assets/`` into ``static/dist/``; keep one to rebuild fast.

    Args:
        project: the :class:`~wolfpy.project.Project`.
        minify: minify CSS and JS (always, unless a test or a debugging session wants
            readable output).
    """

    def __init__(self, project: object, *, minify: bool = True) -> None:
        self.source: Path = project.assets  # type: ignore[attr-defined]
        self.static: Path = project.static  # type: ignore[attr-defined]
        self.root: Path = project.root  # type: ignore[attr-defined]
        self.out = self.static / DIST
        self.minify = minify
        self.manifest: dict[str, str] = self._read_manifest()
        self.loaded: dict[Path, set[Path]] = {}   # entry point → the files it loaded
        self.errors: dict[str, str] = {}         # manifest key → its one-line error
        self._compiler: SassCompiler | None = None

    # -- the files ---------------------------------------------------------------------
    def sources(self) -> dict[str, Path]:
        """Manifest key → source file, for every file under ``assets/`` that is built."""
        found: dict[str, Path] = {}
        if not self.source.is_dir():
            return found
        for folder, dirs, files in os.walk(self.source):
            dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in SKIP_DIRS)
            for name in sorted(files):
                if name.startswith("."):
                    continue
                path = Path(folder) / name
                rel = path.relative_to(self.source).as_posix()
                if path.suffix in SASS_SUFFIXES:
                    if name.startswith("_"):
                        continue  # a partial: loaded by others, never built alone
                    rel = rel[: -len(path.suffix)] + ".css"
                found[rel] = path
        return found

    def _read_manifest(self) -> dict[str, str]:
        try:
            data = json.loads((self.out / MANIFEST).read_text("utf-8"))
        except (OSError, ValueError):
            return {}
        return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}

    # -- building ----------------------------------------------------------------------
    def build(self) -> BuildReport:
        """Build every source (a cold build, unless :meth:`rebuild` ran before)."""
        return self._build(self.sources(), full=True)

    def rebuild(self, changed: Iterable[str | os.PathLike[str]]) -> BuildReport:
        """Build only what the ``changed`` files affect: themselves, and every Sass entry
        point that loaded one of them (directly or through other files)."""
        changed_paths = {Path(os.path.abspath(p)) for p in changed}
        sources = self.sources()
        wanted = {key: path for key, path in sources.items()
                  if path in changed_paths or key not in self.manifest or key in self.errors
                  or self.loaded.get(path, set()) & changed_paths}
        return self._build(wanted, full=False, current=sources)

    def _build(self, wanted: dict[str, Path], *, full: bool,
               current: dict[str, Path] | None = None) -> BuildReport:
        current = wanted if current is None else current
        report = BuildReport()
        self.out.mkdir(parents=True, exist_ok=True)
        for key, path in wanted.items():
            try:
                self.manifest[key] = self._build_one(key, path)
                self.errors.pop(key, None)
                report.built.append(key)
            except SassError as exc:
                self.errors[key] = str(exc)
                self.loaded[path] = set(getattr(exc, "loaded", [])) | {path}
        for key in [k for k in self.manifest if k not in current]:
            del self.manifest[key]
            self.errors.pop(key, None)
            report.removed.append(key)
        for key in [k for k in self.errors if k not in current]:
            del self.errors[key]
        report.errors = sorted(set(self.errors.values()))
        self._write_manifest()
        self._remove_stale()
        return report

    def _build_one(self, key: str, path: Path) -> str:
        maps: bytes | None = None
        if path.suffix in SASS_SUFFIXES:
            compiled = self.compiler().compile(path, compressed=self.minify)
            self.loaded[path] = set(compiled.loaded) | {path}
            data = compiled.css.encode()
            maps = self._relative_map(compiled.source_map).encode()
        elif path.suffix == ".css" and self.minify:
            data = minifier("css")(path.read_text("utf-8")).encode()
        elif path.suffix == ".js" and self.minify and not path.name.endswith(".min.js"):
            data = minifier("js")(path.read_text("utf-8")).encode()
        else:
            data = path.read_bytes()
        name = _hashed(key, _fingerprint(data + (maps or b"")))
        target = self.out / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if maps is not None:
            data += f"\n/*# sourceMappingURL={target.name}.map */\n".encode()
            _write(target.with_name(target.name + ".map"), maps)
        _write(target, data)
        return name

    def _relative_map(self, source_map: str) -> str:
        """The map with project-relative source names (no path of the build machine)."""
        from .sass import url_to_path
        try:
            data = json.loads(source_map)
        except ValueError:
            return source_map
        names = []
        for url in data.get("sources", []):
            path = url_to_path(url)
            if path is not None:
                try:
                    url = "/" + path.relative_to(self.root).as_posix()
                except ValueError:
                    url = path.name
            names.append(url)
        data["sources"] = names
        data["sourceRoot"] = ""
        return json.dumps(data, separators=(",", ":"))

    def compiler(self) -> SassCompiler:
        if self._compiler is None:
            self._compiler = SassCompiler(root=self.root)
        return self._compiler

    def _write_manifest(self) -> None:
        _write(self.out / MANIFEST, (json.dumps(dict(sorted(self.manifest.items())), indent=2) + "\n").encode())
        errors_file = self.out / ERRORS
        if self.errors:
            _write(errors_file, json.dumps(sorted(set(self.errors.values()))).encode())
        elif errors_file.exists():
            errors_file.unlink()

    def _remove_stale(self) -> None:
        """Remove the fingerprinted files no manifest entry names any more."""
        keep = {MANIFEST, ERRORS}
        for name in self.manifest.values():
            keep.update((name, name + ".map"))
        for folder, _dirs, files in os.walk(self.out):
            for file in files:
                rel = (Path(folder) / file).relative_to(self.out).as_posix()
                if rel not in keep:
                    (Path(folder) / file).unlink()
        for folder, dirs, files in sorted(os.walk(self.out), reverse=True):
            if not dirs and not files and Path(folder) != self.out:
                Path(folder).rmdir()

    def clean(self) -> bool:
        """Remove ``static/dist/``; True when there was one."""
        self.manifest.clear()
        self.loaded.clear()
        self.errors.clear()
        if self.out.is_dir():
            shutil.rmtree(self.out)
            return True
        return False

    def close(self) -> None:
        if self._compiler is not None:
            self._compiler.close()
            self._compiler = None

    def __enter__(self) -> "Builder":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _write(path: Path, data: bytes) -> None:
    """Write ``data`` to a temporary name, then rename: a server never reads half a file."""
    tmp = path.with_name(f".tmp-{os.getpid()}-{path.name}")  # same ending: live reload tells CSS by it
    tmp.write_bytes(data)
    os.replace(tmp, path)
