"""A generator is a folder: adding one to ``wolfpy/generators/`` adds ``wolfpy generate <name>``.

The test copies the package, adds a folder to the copy's ``wolfpy/generators/`` and
runs the copy's command line: nothing in ``cli/`` knows the new generator.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

GREETING = {
    "__init__.py": '''
        """``wolfpy generate greeting NAME``: ``greetings/<name>.txt``."""
        from __future__ import annotations

        from typing import Any

        from ..engine import Argument, Generator, GeneratorError, Option


        class GreetingGenerator(Generator):
            """A text file greeting NAME."""

            name = "greeting"
            summary = "A file that greets someone."
            arguments = (Argument("name", "Whom to greet, e.g. ada."),)
            options = (Option(("--times",), "How many greetings.", 1),)

            def __init__(self, project: Any, name: str, *, force: bool = False, times: int = 1) -> None:
                super().__init__(project, force=force)
                self.who, self.times = name, times

            def plan(self) -> None:
                if not self.who.isidentifier():
                    raise GeneratorError(f"invalid name {self.who!r}")
                self.add(f"greetings/{self.who}.txt", "greeting.txt", who=self.who, times=self.times)
                self.notes.append("next: read it")
        ''',
    "USAGE": '''
        Usage: wolfpy generate greeting NAME [--times N] [--force]

        Writes greetings/<name>.txt, which says hello to NAME.
        ''',
    "templates/greeting.txt.mako": '''
        % for i in range(times):
        hello ${who}
        % endfor
        ''',
}


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the wolfpy package with one more generator folder."""
    site = tmp_path_factory.mktemp("site")
    shutil.copytree(ROOT / "wolfpy", site / "wolfpy", ignore=shutil.ignore_patterns("__pycache__"))
    if (ROOT / "project_template").is_dir():  # `wolfpy new` reads it beside the package in a checkout
        shutil.copytree(ROOT / "project_template", site / "project_template")
    folder = site / "wolfpy" / "generators" / "greeting"
    for rel, text in GREETING.items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_text(textwrap.dedent(text).lstrip())
    return site


def wolfpy(package: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(package), COLUMNS="200")
    return subprocess.run([sys.executable, "-c", "from wolfpy.cli.main import main; main()", *args],
                          cwd=cwd, env=env, capture_output=True, text=True, timeout=60)


def test_the_copy_is_the_one_that_runs(package: Path, tmp_path: Path) -> None:
    r = subprocess.run([sys.executable, "-c", "import wolfpy; print(wolfpy.__file__)"], cwd=tmp_path,
                       env=dict(os.environ, PYTHONPATH=str(package)), capture_output=True, text=True, timeout=60)
    assert r.stdout.strip() == str(package / "wolfpy" / "__init__.py")


def test_a_new_folder_is_listed_and_has_its_help(package: Path, tmp_path: Path) -> None:
    listing = wolfpy(package, "generate", "--help", cwd=tmp_path)
    assert listing.returncode == 0, listing.stderr
    assert "greeting" in listing.stdout and "A file that greets someone." in listing.stdout
    assert listing.stdout.index("token") < listing.stdout.index("greeting")  # after the built-ins
    helped = wolfpy(package, "generate", "greeting", "--help", cwd=tmp_path)
    assert helped.returncode == 0, helped.stderr
    for text in ("Writes greetings/<name>.txt", "Whom to greet, e.g. ada.", "--times", "How many greetings.",
                 "--force", "Overwrite files that exist with other content."):
        assert text in helped.stdout, text


def test_a_new_folder_writes_its_files(package: Path, tmp_path: Path) -> None:
    assert wolfpy(package, "new", "demo", cwd=tmp_path).returncode == 0
    project = tmp_path / "demo"
    r = wolfpy(package, "generate", "greeting", "ada", "--times", "2", cwd=project)
    assert (r.returncode, r.stdout, r.stderr) == (0, "  create  greetings/ada.txt\nnext: read it\n", "")
    assert (project / "greetings/ada.txt").read_text() == "hello ada\nhello ada\n"
    again = wolfpy(package, "generate", "greeting", "ada", cwd=project)
    assert again.returncode == 1
    assert again.stderr == ("error: greetings/ada.txt already exists; use --force to overwrite it "
                            "(nothing was written)\n")
    bad = wolfpy(package, "generate", "greeting", "ada", "--times", "many", cwd=project)
    assert bad.returncode == 2 and bad.stderr.startswith("error: invalid value for '--times'")
