"""Where WolfPy itself comes from, its wheel when no package index has it, and the requirements lock.

A project's ``requirements.txt`` pins ``wolfpy==X.Y.Z``. When the running WolfPy was
installed from a package index, that pin is all a server needs. When it came from a
source folder (``pip install .``, an editable install, a checkout on ``PYTHONPATH``) or
a wheel file, no index has that build: :func:`framework_wheel` puts a wheel of it
beside the app (in the Docker context, in ``dist/``), and the installs use it.
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from importlib import metadata
from pathlib import Path
from urllib.parse import unquote, urlparse

from ..__about__ import __version__
from ..errors import WolfPyError

__all__ = ["framework_source", "framework_wheel", "lock_requirements"]

_PACKAGE_DIR = Path(__file__).resolve().parent.parent      # .../wolfpy


def _direct_url() -> dict | None:  # type: ignore[type-arg]
    try:
        dist = metadata.distribution("wolfpy")
    except metadata.PackageNotFoundError:
        return None
    if dist.version != __version__ or Path(str(dist.locate_file("wolfpy"))).resolve() != _PACKAGE_DIR:
        return None  # metadata of another copy: the one running is not that install
    text = dist.read_text("direct_url.json")
    if not text:
        return {}
    try:
        data = json.loads(text)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def _is_source_tree(folder: Path) -> bool:
    pyproject = folder / "pyproject.toml"
    return (folder / "wolfpy" / "__about__.py").is_file() and pyproject.is_file() and \
        re.search(r'(?m)^name\s*=\s*"wolfpy"', pyproject.read_text("utf-8")) is not None


def framework_source() -> Path | None:
    """A source folder or wheel file of the running WolfPy, or None when it came from an index."""
    info = _direct_url()
    if info == {}:
        return None                      # installed from a package index
    if info:
        url = urlparse(str(info.get("url", "")))
        if url.scheme == "file":
            path = Path(unquote(url.path))
            if path.is_file() and path.suffix == ".whl":
                return path
            if path.is_dir() and _is_source_tree(path):
                return path
    if _is_source_tree(_PACKAGE_DIR.parent):
        return _PACKAGE_DIR.parent       # a checkout, imported from its folder
    raise WolfPyError("WolfPy was installed from neither a package index nor a folder it can build a "
                      "wheel from; reinstall it with: pip install wolfpy (or pip install PATH/TO/wolfpy)")


def framework_wheel(dest: Path) -> Path | None:
    """Put a wheel of the running WolfPy into ``dest``; None when a package index has it.

    Raises:
        WolfPyError: the wheel cannot be built (pip's last line says why).
    """
    source = framework_source()
    if source is None:
        return None
    dest.mkdir(parents=True, exist_ok=True)
    for old in dest.glob("wolfpy-*.whl"):
        old.unlink()
    if source.suffix == ".whl":
        return Path(shutil.copy2(source, dest / source.name))
    cache = _cache_dir(source)
    cached = sorted(cache.glob("wolfpy-*.whl")) if cache is not None else []
    if cached:
        return Path(shutil.copy2(cached[-1], dest / cached[-1].name))
    built = _build_wheel(source, dest)
    if cache is not None:
        try:
            cache.mkdir(parents=True, exist_ok=True)
            shutil.copy2(built, cache / built.name)
        except OSError:
            pass   # no cache: the next build builds again
    return built


def _cache_dir(source: Path) -> Path | None:
    """Where a wheel of ``source`` as it is now is kept: the folder's name is a hash of the
    names, sizes and modification times of the files that go into the wheel."""
    import hashlib
    import os
    digest = hashlib.sha256()
    for base in ("pyproject.toml", "README.md", "LICENSE", "wolfpy", "project_template"):
        top = source / base
        files = [top] if top.is_file() else sorted(p for p in top.rglob("*") if p.is_file()) if top.is_dir() else []
        for path in files:
            if "__pycache__" in path.parts:
                continue
            st = path.stat()
            digest.update(f"{path.relative_to(source).as_posix()}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    root = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(root) / "wolfpy" / "wheels" / digest.hexdigest()[:24] if os.path.isabs(root) else None


def _build_wheel(source: Path, dest: Path) -> Path:
    cmd = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--disable-pip-version-check",
           "--wheel-dir", str(dest), str(source)]
    try:
        import hatchling  # noqa: F401  (the build backend is here: no download needed)
        cmd.insert(4, "--no-build-isolation")
    except ImportError:
        pass
    proc = subprocess.run(cmd, capture_output=True, text=True)
    built = sorted(dest.glob("wolfpy-*.whl"))
    if proc.returncode != 0 or not built:
        last = (proc.stderr.strip().splitlines() or ["no wheel was written"])[-1]
        raise WolfPyError(f"cannot build WolfPy's wheel from {source}: {last}")
    return built[-1]


# Never locked: the installers, and packages that only this machine's tools brought.
_UNLOCKED = {"pip", "setuptools", "wheel", "distribute", "wolfpy"}


def lock_requirements(requirements: Path) -> str:
    """``requirements.txt`` resolved against the current environment: every installed
    distribution the app's requirements need (transitively), pinned with ``==``.

    Only what the requirements reach is locked (pytest and editors' tools installed
    beside them stay out); WolfPy itself is pinned at the running version.
    """
    from packaging.requirements import InvalidRequirement, Requirement
    from packaging.utils import canonicalize_name

    installed = {canonicalize_name(d.metadata["Name"]): d for d in metadata.distributions()
                 if d.metadata["Name"]}
    wanted: list[tuple[str, set[str]]] = []
    for line in _requirement_lines(requirements):
        try:
            req = Requirement(line)
        except InvalidRequirement:
            raise WolfPyError(f"{requirements.name}: not a requirement: {line!r}") from None
        wanted.append((req.name, set(req.extras)))
    pinned: dict[str, str] = {}
    seen: set[tuple[str, tuple[str, ...]]] = set()
    while wanted:
        name, extras = wanted.pop()
        key = canonicalize_name(name)
        if (key, tuple(sorted(extras))) in seen:
            continue
        seen.add((key, tuple(sorted(extras))))
        dist = installed.get(key)
        if dist is None:
            continue      # not installed here (a marker for another platform): pip resolves it
        if key not in _UNLOCKED:
            pinned[key] = f"{dist.metadata['Name']}=={dist.version}"
        for spec in dist.requires or []:
            req = Requirement(spec)
            if req.marker is not None:
                if not any(req.marker.evaluate({"extra": e}) for e in (extras or {""})):
                    continue
            wanted.append((req.name, set(req.extras)))
    lines = [f"wolfpy=={__version__}", *sorted(pinned.values(), key=str.lower)]
    return ("# Locked by wolfpy build from the environment it ran in; install with:\n"
            "#   pip install -r requirements.lock\n" + "\n".join(lines) + "\n")


def _requirement_lines(path: Path) -> list[str]:
    if not path.is_file():
        return ["wolfpy"]
    out = []
    for raw in path.read_text("utf-8").splitlines():
        line = raw.split(" #", 1)[0].strip()
        if not line or line.startswith(("#", "-")):
            continue      # comments and pip options (-r, -e, --index-url) stay with requirements.txt
        out.append(line)
    return out
