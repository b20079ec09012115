"""``wolfpy destroy route|model|scaffold NAME``: remove what ``wolfpy generate`` wrote.

What a generator wrote is in ``.wolfpy/generated.json`` with a hash of each file, so
this removes exactly those files; one changed since is deleted only after a yes (or
with ``--yes``/``--force``). A migration the generator wrote is removed too, unless the
database has applied it (roll it back first) or another migration follows it.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from ..common import echo_file, fail, find_project, interactive

KINDS = ("route", "model", "scaffold")
#: folders of the project layout, kept even when empty
_KEEP = {"routes", "templates", "tests", "models", "migrations", "static"}


def destroy(
    kind: str = typer.Argument(..., metavar="KIND", help="route, model or scaffold."),
    name: str = typer.Argument(..., help="What was generated: a route name such as about, or a class such as Post."),
    yes: bool = typer.Option(False, "--yes", "-y", "--force", "-f",
                             help="Also delete files changed since they were generated, without asking."),
) -> None:
    """Remove the files a ``wolfpy generate route|model|scaffold NAME`` wrote.

    Files changed since are deleted only after you say yes (or with --yes); the
    migration a scaffold wrote is removed unless the database has applied it.
    """
    from ...generators import manifest
    from ...generators.model import class_name_of
    from ...generators.route import route_key
    if kind not in KINDS:
        fail(f"unknown kind {kind!r}: use {', '.join(KINDS)}")
    project = find_project()
    root = project.root
    key = f"{kind} {route_key(name) if kind == 'route' else class_name_of(name)}"
    entries = manifest.load(root)
    entry = entries.get(key)
    if not isinstance(entry, dict):
        known = ", ".join(sorted(k for k in entries if k.split(" ")[0] == kind)) or "none"
        fail(f"no {kind} {name!r} was generated in this project (recorded {kind}s: {known})")
    files: dict[str, str] = dict(entry.get("files") or {})
    migrations = list(entry.get("migrations") or [])
    problem = _migration_problem(project, migrations)
    if problem:
        fail(problem)
    targets: list[Path] = []
    changed: list[str] = []
    for rel, digest in sorted(files.items()):
        path = _inside(root, rel)
        if path is None or not path.is_file():
            continue
        if manifest.file_digest(path) != digest:
            changed.append(rel)
        targets.append(path)
    if changed and not yes:
        if not interactive():
            fail(f"{', '.join(changed)} changed since it was generated; pass --yes to delete "
                 "anyway (nothing was removed)")
        for rel in changed:
            if not typer.confirm(f"{rel} changed since it was generated. Delete it?", default=False):
                targets.remove(root / rel)
                echo_file("keep", rel)
    for path in targets:
        path.unlink()
        echo_file("remove", path.relative_to(root).as_posix())
        _prune(root, path.parent)
    manifest.forget(root, key)


def _inside(root: Path, rel: str) -> Path | None:
    """``root/rel`` when it stays inside the project (the manifest is a file anyone can edit)."""
    path = (root / rel).resolve()
    try:
        path.relative_to(root.resolve())
    except ValueError:
        return None
    return root / rel


def _prune(root: Path, folder: Path) -> None:
    """Remove ``folder`` and its parents while they are empty (never the layout's own folders)."""
    while folder != root and folder.is_dir() and not (folder.parent == root and folder.name in _KEEP):
        if any(entry for entry in folder.iterdir() if entry.name != "__pycache__"):
            return
        for cache in folder.glob("__pycache__"):
            for item in cache.iterdir():
                item.unlink()
            cache.rmdir()
        folder.rmdir()
        folder = folder.parent


def _migration_problem(project: Any, names: list[str]) -> str | None:
    """Why the migrations ``names`` cannot be removed: applied, or followed by another."""
    if not names:
        return None
    from ...db.migrations.loader import MigrationLoader
    loader = MigrationLoader(project.migrations, project.root)
    present = [n for n in names if n in loader]
    for other in loader.names:
        if other in names:
            continue
        follows = set(getattr(loader.get(other), "dependencies", []) or []) & set(present)
        if follows:
            return (f"migrations/{other}.py follows migrations/{sorted(follows)[0]}.py, which this "
                    "generator wrote: remove or roll back the later one first (nothing was removed)")
    try:
        applied = _applied(project)
    except Exception as exc:  # a database that does not answer: do not guess
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        return (f"cannot tell whether migrations/{present[0]}.py is applied ({first}); "
                "nothing was removed") if present else None
    done = [n for n in present if n in applied]
    if done:
        return (f"migrations/{done[0]}.py is applied to the database: run `wolfpy db rollback` first "
                "(nothing was removed)")
    return None


def _applied(project: Any) -> set[str]:
    from ...db.migrations.recorder import MigrationRecorder
    from ...db.migrations.runner import open_database
    from ...db.migrations.schema import editor_for
    db, _ = open_database(project)
    try:
        if db.__class__.__name__.startswith("Sqlite") and not Path(db.database).exists():
            return set()
        return set(MigrationRecorder(db, editor_for(db)).applied())
    finally:
        if not db.is_closed():
            db.close()
