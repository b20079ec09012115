"""``wolfpy build``: the app as a release in ``dist/``, ready for ``wolfpy deploy``.

``dist/<name>-<version>/`` holds the app (routes, models, migrations, templates,
static files with ``static/dist/`` freshly built, docs, ``wolfpy.toml``,
``requirements.txt``), ``requirements.lock`` (the versions installed here of every
package the requirements reach), ``wheels/`` (WolfPy's own wheel, when no package index
has the running build) and ``BUILD.json``; ``dist/<name>-<version>.tar.gz`` is the same
folder as one file. Secrets (``.env``), local databases, logs, tests, asset sources
and caches stay out.
"""
from __future__ import annotations

import fnmatch
import json
import os
import platform
import re
import shutil
import tarfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..__about__ import __version__
from ..errors import WolfPyError

__all__ = ["Build", "build_release", "release_name", "SKIP_DIRS", "SKIP_FILES"]

# Folders left out of the project's top level, and at any depth.
TOP_SKIP = {"venv", "env", "logs", "site", "dist", "tests", "assets", ".wolfpy"}
SKIP_DIRS = {".git", ".hg", ".venv", "__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache", "node_modules",
             ".idea", ".vscode"}
SKIP_FILES = (".env", ".env.*", "*.sqlite3", "*.sqlite3-*", "*.pyc", "*.pyo", ".DS_Store", "*.swp")
BUILD_INFO = "BUILD.json"


@dataclass
class Build:
    """A release made by :func:`build_release`."""

    name: str
    version: str
    folder: Path
    archive: Path
    wheel: Path | None


def release_name(settings: Any, root: Path) -> tuple[str, str]:
    """(name, version) of the app: ``[app] name`` (a safe file name) and ``[app] version``."""
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", str(settings.get("app", "name", "") or root.name)).strip("-.") or "app"
    version = str(settings.get("app", "version", "0.1.0"))
    if not re.fullmatch(r"[0-9A-Za-z][0-9A-Za-z.+_-]{0,63}", version):
        raise WolfPyError(f"[app] version {version!r} is not a version (write e.g. \"1.4.2\")")
    return name, version


def _skipped(name: str, is_dir: bool, top: bool = False) -> bool:
    if is_dir:
        return name in SKIP_DIRS or (top and name in TOP_SKIP)
    return any(fnmatch.fnmatch(name, pattern) for pattern in SKIP_FILES)


def _copy_app(root: Path, dest: Path) -> int:
    copied = 0
    for folder, dirs, files in os.walk(root):
        here = Path(folder)
        rel = here.relative_to(root)
        dirs[:] = sorted(d for d in dirs if not _skipped(d, True, here == root) and not (here / d).is_symlink())
        (dest / rel).mkdir(parents=True, exist_ok=True)
        for name in sorted(files):
            source = here / name
            if _skipped(name, False) or not source.is_file():
                continue
            if source.is_symlink() and not source.resolve().is_relative_to(root.resolve()):
                continue   # a link out of the project never takes a file of the machine along
            shutil.copy2(source, dest / rel / name)
            copied += 1
    return copied


def build_release(project: Any, settings: Any, *, out: Path | None = None) -> Build:
    """Build ``project`` into ``out`` (default ``dist/``).

    Raises:
        WolfPyError: assets that do not compile, a wheel that cannot be built, a bad version.
    """
    from .wheel import framework_wheel, lock_requirements
    root: Path = project.root
    name, version = release_name(settings, root)
    if project.assets.is_dir():
        from ..assets.builder import Builder
        with Builder(project) as builder:
            report = builder.build()
        if report.errors:
            raise WolfPyError(report.errors[0])
    out = out or root / "dist"
    out.mkdir(parents=True, exist_ok=True)
    base = f"{name}-{version}"
    folder = out / base
    if folder.exists():
        shutil.rmtree(folder)
    _copy_app(root, folder)
    wheel = framework_wheel(folder / "wheels")
    (folder / "requirements.lock").write_text(lock_requirements(root / "requirements.txt"), "utf-8")
    info = {"name": name, "version": version, "wolfpy": __version__, "python": platform.python_version(),
            "built": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "wheel": f"wheels/{wheel.name}" if wheel else None}
    (folder / BUILD_INFO).write_text(json.dumps(info, indent=2) + "\n", "utf-8")
    archive = out / f"{base}.tar.gz"
    tmp = archive.with_name(archive.name + ".tmp")
    with tarfile.open(tmp, "w:gz") as tar:
        tar.add(folder, arcname=base)
    os.replace(tmp, archive)
    return Build(name, version, folder, archive, wheel)
