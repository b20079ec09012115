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
    values = {"__NAME__": name, "__VERSION__": __version__}
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
