"""``wolfpy docs publish``: commit ``site/`` to a branch (``gh-pages``) and push it.

The commit is made with git's plumbing and a temporary index file
(``GIT_INDEX_FILE``): ``git add`` with ``site/`` as the work tree, ``write-tree``,
``commit-tree`` on top of the branch's last commit, ``update-ref``. The project's
working tree, its index and the checked-out branch are never touched. The branch is
pushed when the repository has a remote.
"""
from __future__ import annotations

import os
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..errors import WolfPyError


@dataclass
class Published:
    branch: str
    commit: str | None       #: None: the site had not changed, nothing committed
    pushed_to: str | None    #: the remote pushed to, if any


def _git(args: list[str], cwd: Path, env: dict[str, str] | None = None, check: bool = True) -> str:
    try:
        proc = subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120)
    except FileNotFoundError:
        raise WolfPyError("git is not installed (it is needed to publish the site)") from None
    except subprocess.TimeoutExpired:
        raise WolfPyError(f"git {args[0]} did not finish within 120 seconds") from None
    if check and proc.returncode != 0:
        detail = (proc.stderr.strip() or proc.stdout.strip()).splitlines()
        raise WolfPyError(f"git {args[0]} failed: {detail[-1] if detail else 'exit ' + str(proc.returncode)}")
    return proc.stdout.strip()


def publish(site: Path, project_root: Path, *, branch: str = "gh-pages", remote: str | None = None,
            message: str = "Publish the docs site") -> Published:
    """Commit the files of ``site`` as the whole tree of ``branch``; push it when a remote exists.

    Raises:
        WolfPyError: not a git repository, a bad branch name, or a git command that failed.
    """
    if not site.is_dir():
        raise WolfPyError(f"{site} does not exist: run `wolfpy docs build` first")
    if _git(["rev-parse", "--is-inside-work-tree"], project_root, check=False) != "true":
        raise WolfPyError(f"{project_root} is not inside a git repository: run `git init` first")
    if _git(["check-ref-format", "--branch", branch], project_root, check=False) != branch:
        raise WolfPyError(f"{branch!r} is not a valid branch name")
    ref = f"refs/heads/{branch}"
    parent = _git(["rev-parse", "--verify", "--quiet", ref + "^{commit}"], project_root, check=False) or None
    with tempfile.TemporaryDirectory(prefix="wolfpy-publish-") as tmp:
        env = {**os.environ, "GIT_INDEX_FILE": str(Path(tmp) / "index")}
        git_dir = _git(["rev-parse", "--absolute-git-dir"], project_root)
        _git(["--git-dir", git_dir, "--work-tree", str(site.resolve()), "add", "--all", "--force", "."],
             site.resolve(), env)
        tree = _git(["write-tree"], project_root, env)
    commit = None
    if parent is None or _git(["rev-parse", parent + "^{tree}"], project_root) != tree:
        commit = _git(["commit-tree", tree, *(["-p", parent] if parent else []), "-m", message], project_root)
        _git(["update-ref", ref, commit, parent or ""], project_root)
    remotes = _git(["remote"], project_root).split()
    target = remote or ("origin" if "origin" in remotes else remotes[0] if remotes else None)
    if target is not None:
        if target not in remotes:
            raise WolfPyError(f"no git remote named {target!r} (remotes: {', '.join(remotes) or 'none'})")
        _git(["push", "--quiet", target, f"{ref}:{ref}"], project_root)
    return Published(branch, commit, target)
