"""``wolfpy shell`` and ``wolfpy clean``."""
from __future__ import annotations

import code
import shutil
from pathlib import Path
from typing import Any

import typer

from ..common import count, echo_file, find_project


def shell(command: str = typer.Option(None, "--command", "-c", help="Run this code instead of a prompt.")) -> None:
    """A Python prompt with the project loaded: ``app``, ``db`` and every model by name."""
    from ...app import load
    project = find_project()
    app = load(project.root)
    namespace: dict[str, Any] = {"app": app, "settings": app.settings}
    if app.models:
        namespace["db"] = app.database
    for model in app.models:
        namespace[model.__name__] = model
    try:
        from ...db.mongo import discover_documents
        for document in discover_documents(project):
            namespace[document.__name__] = document
    except ImportError:
        pass
    if command is not None:
        exec(compile(command, "<wolfpy shell -c>", "exec"), namespace)
        return
    banner = (f"WolfPy shell for {project.root.name}: app, settings"
              + (", db, " + ", ".join(m.__name__ for m in app.models) if app.models else ""))
    try:
        from IPython import start_ipython
    except ImportError:
        code.interact(banner=banner, local=namespace, exitmsg="")
    else:  # pragma: no cover - depends on IPython being installed
        start_ipython(argv=[], user_ns=namespace)


CLEAN = ("__pycache__", ".pytest_cache", ".mypy_cache", "site", "static/dist")


def clean() -> None:
    """Remove caches and build output (__pycache__, .pytest_cache, site/, static/dist/)."""
    project = find_project()
    removed = 0
    for pattern in CLEAN:
        targets = [project.root / pattern] if "/" in pattern or pattern in ("site",) else \
            [p for p in project.root.rglob(pattern) if ".venv" not in p.parts]
        for target in targets:
            if target.is_dir():
                shutil.rmtree(target)
                echo_file("remove", f"{Path(target).relative_to(project.root)}/")
                removed += 1
    typer.echo(f"removed {count(removed, 'folder')}" if removed else "nothing to clean")
