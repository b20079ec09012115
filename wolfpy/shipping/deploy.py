"""``wolfpy deploy [--rollback]``: ship a build to ``[deploy] target`` and switch to it atomically.

The target is a folder on this machine or ``ssh://user@host[:port]/path``; both run
the same POSIX shell script, locally with ``sh`` or remotely through ``ssh``, so the
two paths cannot drift apart. On the target::

    releases/<version>/   one folder per release: the app and its .venv
    shared/               what outlives a release (db.sqlite3, logs/ by default),
                          linked into each one; shared/environment (KEY=value lines,
                          if present) is loaded for the migration and the restart
    current -> releases/<version>    what the server runs (WOLFPY_PROJECT=.../current)
    previous -> releases/<version>   what --rollback switches back to

A deploy unpacks the archive, makes the release's virtualenv and installs
``requirements.lock`` into it (WolfPy from the release's own wheel when it has one;
with ``venv = false`` the interpreter ``[deploy] python`` names is used as it is),
runs ``wolfpy db migrate``, then points ``current`` at it by renaming a new link over
the old one (``rename(2)`` is atomic: a request sees the old release or the new one,
never none), runs ``[deploy] restart`` and removes the oldest releases beyond ``keep``.
"""
from __future__ import annotations

import re
import shlex
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from ..errors import WolfPyError

__all__ = ["Target", "DEFAULTS", "parse_target", "deploy_script", "rollback_script", "run_on_target", "upload"]

DEFAULTS: dict[str, Any] = {
    "target": "",                  # a folder, or ssh://user@host[:port]/path
    "restart": "",                 # e.g. "sudo systemctl restart shop" or "kill -HUP $(cat gunicorn.pid)"
    "python": "python3",           # the interpreter that makes each release's virtualenv
    "venv": True,                  # a virtualenv per release; false: [deploy] python has the packages
    "system_site_packages": False,  # let the virtualenv see that interpreter's packages
    "migrate": True,               # run wolfpy db migrate before switching
    "shared": ["db.sqlite3", "logs"],  # linked from shared/ into every release
    "keep": 5,                     # releases kept (current and previous always)
    "ssh_options": [],             # extra ssh arguments, e.g. ["-i", "~/.ssh/deploy"]
}


_HOST = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.:-]*")
_USER = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*")
_SHARED = re.compile(r"(?!\.\.?$)[A-Za-z0-9_.][A-Za-z0-9_.-]*")   # db.sqlite3, .env, logs; never ..


@dataclass
class Target:
    """Where releases go: ``path`` on this machine (``host`` None) or over ssh."""

    path: str
    host: str | None = None
    user: str | None = None
    port: int | None = None
    ssh_options: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        if self.host is None:
            return self.path
        user = f"{self.user}@" if self.user else ""
        port = f":{self.port}" if self.port else ""
        return f"ssh://{user}{self.host}{port}{self.path}"

    def ssh(self) -> list[str]:
        cmd = ["ssh", "-o", "BatchMode=yes", *self.ssh_options]
        if self.port:
            cmd += ["-p", str(self.port)]
        return [*cmd, f"{self.user}@{self.host}" if self.user else str(self.host)]


def parse_target(value: str, root: Path, ssh_options: list[str] | None = None) -> Target:
    """``[deploy] target`` as a :class:`Target` (a relative folder is under the project)."""
    value = str(value or "").strip()
    if not value:
        raise WolfPyError("set [deploy] target in wolfpy.toml: a folder or ssh://user@host/path")
    if "://" in value:
        url = urlparse(value)
        if url.scheme != "ssh" or not url.hostname or not url.path.startswith("/") or url.path == "/":
            raise WolfPyError(f"[deploy] target {value!r}: write a folder or ssh://user@host[:port]/path")
        try:
            port = url.port
        except ValueError:
            raise WolfPyError(f"[deploy] target {value!r}: the port is not a number") from None
        user = unquote(url.username) if url.username else None
        # never a word ssh would read as an option (-oProxyCommand=...)
        if not _HOST.fullmatch(url.hostname) or (user is not None and not _USER.fullmatch(user)):
            raise WolfPyError(f"[deploy] target {value!r}: not a host name or user name ssh accepts")
        return Target(unquote(url.path).rstrip("/"), url.hostname, user, port, [str(o) for o in ssh_options or []])
    path = Path(value).expanduser()
    return Target(str(path if path.is_absolute() else (root / path).resolve()))


_COMMON = r"""
set -eu
say() { printf '  %s\n' "$*"; }
die() { printf '%s\n' "$*" >&2; exit 1; }
mkdir -p "$T" 2>/dev/null; cd "$T" 2>/dev/null || die "target folder $T does not exist and cannot be made"
mkdir "$T/.deploy-lock" 2>/dev/null || die "another deploy or rollback is running on $T (if none is, remove $T/.deploy-lock)"
trap 'rmdir "$T/.deploy-lock" 2>/dev/null' EXIT
load_env() { if [ -f "$T/shared/environment" ]; then set -a; . "$T/shared/environment"; set +a; fi; }
switch() {  # point the link $1 at releases/$2, atomically: a new link renamed over the old one
  ln -sfn "releases/$2" "$T/.$1.new" && "$PY" -c 'import os,sys; os.replace(sys.argv[1], sys.argv[2])' \
    "$T/.$1.new" "$T/$1"
}
restart() {
  if [ -n "$RESTART" ]; then say "restart: $RESTART"; (cd "$T" && load_env && sh -c "$RESTART") || die "[deploy] restart failed: $RESTART"
  else say "no [deploy] restart command: restart the server to load the new release"; fi
}
"""

_DEPLOY = r"""
command -v "$PY" >/dev/null 2>&1 || die "[deploy] python: $PY is not on the target's PATH"
R="$T/releases/$V"
CUR=$(readlink "$T/current" 2>/dev/null || true)
[ "$CUR" = "releases/$V" ] && die "release $V is the current one; raise [app] version (wolfpy release --bump patch)"
rm -rf "$R"
mkdir -p "$R" "$T/shared"
say "unpack releases/$V"
tar -xzf "$ARCHIVE" -C "$R" --strip-components=1 || die "cannot unpack $ARCHIVE"
rm -f "$ARCHIVE"
for item in $SHARED; do
  case "$item" in */*|..|.) die "[deploy] shared: $item is not a plain name";; esac
  if [ -d "$R/$item" ] || [ "$item" = logs ]; then mkdir -p "$T/shared/$item"; rm -rf "$R/$item"; fi
  ln -sfn "../../shared/$item" "$R/$item"
done
VPY="$PY"
if [ "$VENV" = 1 ]; then
  say "virtualenv releases/$V/.venv ($PY)"
  "$PY" -m venv $SITE "$R/.venv" || die "$PY -m venv failed"
  VPY="$R/.venv/bin/python"
  if ls "$R"/wheels/wolfpy-*.whl >/dev/null 2>&1; then
    "$VPY" -m pip install -q --disable-pip-version-check --no-deps --force-reinstall --no-index \
      "$R"/wheels/wolfpy-*.whl || die "pip could not install WolfPy's wheel"
  fi
  say "install requirements.lock"
  "$VPY" -m pip install -q --disable-pip-version-check --find-links "$R/wheels" \
    -r "$R/requirements.lock" || die "pip install -r requirements.lock failed"
else
  say "no virtualenv: [deploy] python ($PY) runs the release"
fi
if [ "$MIGRATE" = 1 ]; then
  say "wolfpy db migrate"
  (cd "$R" && load_env && "$VPY" -c 'from wolfpy.cli.main import main; main()' db migrate) || die "wolfpy db migrate failed; still serving ${CUR:-nothing}"
fi
[ -n "$CUR" ] && switch previous "${CUR#releases/}"
switch current "$V"
say "current -> releases/$V"
restart
KEPT=0
for old in $(ls -1t "$T/releases"); do
  case "releases/$old" in "releases/$V"|"$CUR") continue;; esac
  KEPT=$((KEPT + 1))
  if [ "$KEPT" -gt "$KEEP" ]; then rm -rf "$T/releases/$old"; say "remove releases/$old"; fi
done
echo "deployed $V"
"""

_ROLLBACK = r"""
CUR=$(readlink "$T/current" 2>/dev/null || true)
PREV=$(readlink "$T/previous" 2>/dev/null || true)
[ -n "$PREV" ] && [ -d "$T/$PREV" ] || die "nothing to roll back to: no previous release in $T"
switch current "${PREV#releases/}"
[ -n "$CUR" ] && switch previous "${CUR#releases/}"
say "current -> $PREV"
restart
echo "rolled back to ${PREV#releases/}"
"""


def _header(target: Target, settings: dict[str, Any], **values: str) -> str:
    shared = settings.get("shared") or []
    if not isinstance(shared, list) or not all(isinstance(n, str) and _SHARED.fullmatch(n) for n in shared):
        raise WolfPyError("[deploy] shared: a list of plain file or folder names, e.g. [\"db.sqlite3\", \"logs\"]")
    lines = {
        "T": target.path,
        "PY": str(settings.get("python") or "python3"),
        "RESTART": str(settings.get("restart") or ""),
        "SHARED": " ".join(str(s) for s in shared),
        "KEEP": str(max(0, int(settings.get("keep") or 5) - 2)),   # besides the new and the previous one
        "MIGRATE": "1" if settings.get("migrate", True) else "0",
        "SITE": "--system-site-packages" if settings.get("system_site_packages") else "",
        "VENV": "1" if settings.get("venv", True) else "0",
        **values,
    }
    return "".join(f"{k}={shlex.quote(v)}\n" for k, v in lines.items())


def deploy_script(target: Target, settings: dict[str, Any], version: str, archive: str) -> str:
    return "#!/bin/sh\n" + _header(target, settings, V=version, ARCHIVE=archive) + _COMMON + _DEPLOY


def rollback_script(target: Target, settings: dict[str, Any]) -> str:
    return "#!/bin/sh\n" + _header(target, settings) + _COMMON + _ROLLBACK


def _run(cmd: list[str], *, stdin: Any = None, input: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(cmd, stdin=stdin, input=input, capture_output=True, timeout=900)
    except FileNotFoundError:
        raise WolfPyError(f"{cmd[0]} is not installed") from None
    except subprocess.TimeoutExpired:
        raise WolfPyError(f"{cmd[0]} did not finish within 15 minutes") from None


def _last_line(proc: subprocess.CompletedProcess[bytes]) -> str:
    text = (proc.stderr or b"").decode(errors="replace").strip() or (proc.stdout or b"").decode(errors="replace").strip()
    return text.splitlines()[-1] if text else f"exit {proc.returncode}"


def upload(target: Target, archive: Path) -> str:
    """Copy ``archive`` to ``<target>/releases/``; its path there."""
    remote = f"{target.path}/releases/.incoming-{archive.name}"
    if target.host is None:
        Path(remote).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(archive, remote)
        return remote
    with open(archive, "rb") as data:
        proc = _run([*target.ssh(), f"mkdir -p {shlex.quote(target.path + '/releases')} && "
                                    f"cat > {shlex.quote(remote)}"], stdin=data)
    if proc.returncode != 0:
        raise WolfPyError(f"cannot copy the release to {target}: {_last_line(proc)}")
    return remote


def run_on_target(target: Target, script: str) -> str:
    """Run ``script`` with ``sh`` on the target; its output, or a one-line WolfPyError."""
    if target.host is None:
        Path(target.path).mkdir(parents=True, exist_ok=True)
        cmd = ["sh", "-s"]
    else:
        cmd = [*target.ssh(), "sh -s"]
    proc = _run(cmd, input=script.encode())
    out = (proc.stdout or b"").decode(errors="replace")
    if proc.returncode != 0:
        raise WolfPyError(f"deploy to {target} failed: {_last_line(proc)}")
    return out
