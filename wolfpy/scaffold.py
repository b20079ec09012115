"""``wolfpy new``: copy the project template, filling in the name, version and a secret key."""
from __future__ import annotations

import os
import re
import secrets
import shutil
from importlib import resources
from pathlib import Path

from .__about__ import __version__
from .errors import WolfPyError

_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,63}$")
_RENAMES = {"gitignore": ".gitignore"}  # dotfiles are stored without the dot (packaging drops them)
_TEXT_SUFFIXES = {".py", ".html", ".css", ".js", ".md", ".toml", ".txt", ""}


def template_root() -> Path:
    """The project template: inside the installed wheel, or beside the package in a checkout."""
    packaged = resources.files("wolfpy").joinpath("project_template")
    if packaged.is_dir():
        return Path(str(packaged))
    checkout = Path(__file__).resolve().parent.parent / "project_template"
    if checkout.is_dir():
        return checkout
    raise WolfPyError("the project template is missing from this WolfPy installation; reinstall wolfpy")


def wolfpy_requirement(version: str) -> str:
    """The requirement a new project gets: this WolfPy and its bug-fix releases.

    ``0.1.0`` → ``wolfpy~=0.1.0`` (0.1.x, like Rails' ``~> 0.1.0``); a pre-release or
    local build ``0.2.0.dev1+g12ab`` → ``wolfpy>=0.2.0.dev1,==0.2.*``.
    """
    m = re.fullmatch(r"(\d+)\.(\d+)(?:\.(\d+))?", version)
    if m:
        return f"wolfpy~={m[1]}.{m[2]}.{m[3] or 0}"
    public = version.split("+", 1)[0]
    m = re.match(r"(\d+)\.(\d+)", public)
    return f"wolfpy>={public},=={m[1]}.{m[2]}.*" if m else f"wolfpy=={public}"


def install_source() -> str | None:
    """Where the running WolfPy was installed from when that was not a package index
    (a checkout, a wheel file, a VCS URL: PEP 610's ``direct_url.json``), or None."""
    import json
    from importlib import metadata
    from urllib.parse import unquote, urlsplit
    checkout = str(Path(__file__).resolve().parent.parent)
    try:
        dist = metadata.distribution("wolfpy")
    except metadata.PackageNotFoundError:  # imported from a checkout, never installed
        return checkout
    if dist.version != __version__:  # this code is not the installed distribution
        return checkout
    try:
        data = json.loads(dist.read_text("direct_url.json") or "null")
    except ValueError:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("url"), str):
        return None  # installed from an index
    url = data["url"]
    vcs = data.get("vcs_info")
    if isinstance(vcs, dict):
        commit = vcs.get("commit_id")
        return f"{vcs.get('vcs', 'git')}+{url}" + (f"@{commit}" if commit else "")
    parts = urlsplit(url)
    return unquote(parts.path) if parts.scheme == "file" else url


def requirement_lines(version: str, source: str | None) -> str:
    """The WolfPy lines of a new project's requirements.txt: which WolfPy made it, the
    requirement, and, for a WolfPy that no package index has, how to install it first."""
    requirement = wolfpy_requirement(version)
    spec = requirement[len("wolfpy"):]
    lines = [f"# Made with WolfPy {version}; {spec} also accepts its later bug-fix releases, but not",
             "# the next minor version, which may change what this app relies on."]
    if source is not None:
        import shlex
        lines += [f"# This WolfPy was installed from {source}, not from a package index:",
                  f"# in a new environment, first run  pip install {shlex.quote(source)}",
                  "# (pip keeps an installed WolfPy that satisfies the line below)."]
    return "\n".join(lines + [requirement])


def create_project(target: Path, name: str | None = None) -> list[Path]:
    """Create a new project at ``target``; returns the files written.

    Raises:
        WolfPyError: a bad name, or ``target`` exists already.
    """
    name = name or target.name
    if not _NAME.match(name):
        raise WolfPyError(f"invalid project name {name!r}: use letters, digits, '-' and '_', "
                          "starting with a letter")
    if target.exists():
        raise WolfPyError(f"{target} already exists; choose another name or remove it first")
    source = template_root()
    values = {"__NAME__": name, "__VERSION__": __version__,
              "__WOLFPY_REQUIREMENT__": requirement_lines(__version__, install_source())}
    written: list[Path] = []
    try:
        for folder, dirs, files in os.walk(source):
            dirs[:] = sorted(d for d in dirs if d != "__pycache__")
            rel = Path(folder).relative_to(source)
            (target / rel).mkdir(parents=True, exist_ok=True)
            for filename in sorted(files):
                if filename.endswith(".pyc"):
                    continue
                src = Path(folder, filename)
                dst = target / rel / _RENAMES.get(filename, filename)
                if src.suffix in _TEXT_SUFFIXES:
                    text = src.read_text(encoding="utf-8")
                    for key, value in values.items():
                        text = text.replace(key, value)
                    dst.write_text(text, encoding="utf-8")
                else:
                    shutil.copyfile(src, dst)
                written.append(dst)
        env = target / ".env"
        env.write_text("# Development secrets: never commit this file (it is in .gitignore).\n"
                       f"WOLFPY_SECRET_KEY={secrets.token_urlsafe(48)}\n", encoding="utf-8")
        os.chmod(env, 0o600)
        written.append(env)
    except BaseException:
        shutil.rmtree(target, ignore_errors=True)  # never leave half a project behind
        raise
    return written
