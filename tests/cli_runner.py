"""Run the `wolfpy` command in-process: (exit code, stdout, stderr), as a user would see them."""
from __future__ import annotations

import contextlib
import io
import os
from pathlib import Path

from wolfpy.cli.main import main


def run_cli(*args: str, cwd: Path | str | None = None) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    old = os.getcwd()
    if cwd:
        os.chdir(cwd)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                main(list(args))
                code = 0
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    finally:
        os.chdir(old)
    return code, out.getvalue(), err.getvalue()
