"""``wolfpy new NAME`` and ``wolfpy test``."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import typer

from ..common import as_command, echo_file, fail, find_project


def new(name: str = typer.Argument(..., help="Folder to create (also the app's name).")) -> None:
    """Create a new WolfPy project in the folder NAME."""
    from ...errors import WolfPyError
    from ...scaffold import create_project
    target = Path(name)
    try:
        files = create_project(target.resolve(), target.name)
    except WolfPyError as exc:
        fail(str(exc))
    for path in files:
        echo_file("create", str(path.relative_to(target.resolve().parent)))
    typer.echo(f"\nDone. Next:\n\n    cd {name}\n    wolfpy serve\n")


def test(ctx: typer.Context) -> None:
    """Run the project's tests with pytest (extra arguments go to pytest)."""
    import importlib.util

    project = find_project()
    if importlib.util.find_spec("pytest") is None:  # WolfPy requires it: installed with --no-deps?
        fail(f"pytest is not installed for {sys.executable}; install it with: "
             f"{sys.executable} -m pip install 'pytest>=8'")
    env = dict(os.environ, WOLFPY_PROJECT=str(project.root))
    raise typer.Exit(subprocess.call([sys.executable, "-m", "pytest", *ctx.args], cwd=project.root, env=env))


#: ``wolfpy test`` hands every argument it does not know to pytest.
test_command = as_command(test, context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
