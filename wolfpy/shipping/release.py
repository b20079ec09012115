"""``wolfpy release [--bump patch|minor|major]``: bump ``[app] version``, build, commit, tag ``vX.Y.Z``.

The version is changed in place in ``wolfpy.toml``: one line is rewritten (or added
under ``[app]``), every comment and other line stays as it was.
"""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

from ..errors import WolfPyError

__all__ = ["bump", "set_version", "git", "ensure_clean", "PARTS"]

PARTS = ("patch", "minor", "major")
_SEMVER = re.compile(r"(\d+)\.(\d+)\.(\d+)")
_SECTION = re.compile(r"^\s*\[([^\]]+)\]\s*(#.*)?$")
_VERSION_LINE = re.compile(r'^(\s*version\s*=\s*)(["\'])([^"\']*)\2(.*)$')


def bump(version: str, part: str) -> str:
    """``1.4.2`` bumped: patch → 1.4.3, minor → 1.5.0, major → 2.0.0."""
    match = _SEMVER.fullmatch(version)
    if match is None:
        raise WolfPyError(f"[app] version {version!r} is not MAJOR.MINOR.PATCH; set it by hand in wolfpy.toml")
    major, minor, patch = map(int, match.groups())
    if part == "major":
        return f"{major + 1}.0.0"
    if part == "minor":
        return f"{major}.{minor + 1}.0"
    return f"{major}.{minor}.{patch + 1}"


def set_version(text: str, version: str) -> str:
    """``wolfpy.toml``'s text with ``[app] version`` set to ``version``, nothing else changed."""
    lines = text.splitlines(keepends=True)
    section = None
    app_header = None
    for i, line in enumerate(lines):
        header = _SECTION.match(line)
        if header:
            section = header.group(1).strip()
            if section == "app":
                app_header = i
            continue
        if section == "app" and re.match(r"\s*name\s*=", line):
            app_header = i      # a new version line goes under the name
        if section == "app":
            match = _VERSION_LINE.match(line.rstrip("\r\n"))
            if match:
                ending = line[len(line.rstrip("\r\n")):]
                lines[i] = f"{match.group(1)}{match.group(2)}{version}{match.group(2)}{match.group(4)}{ending}"
                return "".join(lines)
    if app_header is None:
        sep = "" if not text or text.endswith("\n") else "\n"
        return f"{text}{sep}\n[app]\nversion = \"{version}\"\n"
    lines.insert(app_header + 1, f'version = "{version}"\n')
    return "".join(lines)


def git(root: Path, *args: str) -> str:
    """Run git in ``root``; its output, or a one-line WolfPyError with git's last line."""
    try:
        proc = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, timeout=60)
    except FileNotFoundError:
        raise WolfPyError("git is not installed; wolfpy release commits and tags with git") from None
    if proc.returncode != 0:
        last = (proc.stderr.strip() or proc.stdout.strip() or f"exit {proc.returncode}").splitlines()[-1]
        raise WolfPyError(f"git {args[0]} failed: {last}")
    return proc.stdout


def ensure_clean(root: Path) -> None:
    """Refuse a working tree with changes (build output in ``dist/`` aside)."""
    git(root, "rev-parse", "--show-toplevel")
    status = git(root, "status", "--porcelain", "--", ".", ":(exclude)dist", ":(exclude).wolfpy/wheels")
    changed = [line[3:] for line in status.splitlines() if line.strip()]
    if changed:
        shown = ", ".join(changed[:3]) + (f" and {len(changed) - 3} more" if len(changed) > 3 else "")
        raise WolfPyError(f"the working tree has uncommitted changes ({shown}); commit or stash them first")
