"""What `wolfpy new` writes points only at things that exist, and `wolfpy test` works after install."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import typer.main
from packaging.requirements import Requirement

from tests.cli_runner import run_cli
from wolfpy import __version__
from wolfpy.cli.main import app
from wolfpy.scaffold import requirement_lines, wolfpy_requirement

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def project(tmp_path):
    code, _, err = run_cli("new", "blog", cwd=tmp_path)
    assert code == 0, err
    return tmp_path / "blog"


# -- pytest comes with WolfPy ---------------------------------------------------------------------

def test_pytest_is_a_runtime_dependency():
    try:
        import tomllib
    except ImportError:  # Python 3.10
        import tomli as tomllib
    meta = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    pytest_reqs = [Requirement(r) for r in meta["dependencies"] if Requirement(r).name == "pytest"]
    assert len(pytest_reqs) == 1 and pytest_reqs[0].marker is None
    assert pytest_reqs[0].specifier.contains("8.0") and not pytest_reqs[0].specifier.contains("7.4")


def test_wolfpy_test_without_pytest_is_one_error_line(project):
    hide_pytest = "import sys; sys.modules['pytest'] = None; from wolfpy.cli.main import main; main()"
    r = subprocess.run([sys.executable, "-c", hide_pytest, "test"], cwd=project, capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 1 and r.stdout == ""
    assert r.stderr == (f"error: pytest is not installed for {sys.executable}; install it with: "
                        f"{sys.executable} -m pip install 'pytest>=8'\n")


# -- requirements.txt -----------------------------------------------------------------------------

def test_requirements_name_the_wolfpy_that_made_the_project(project):
    lines = (project / "requirements.txt").read_text().splitlines()
    assert [l for l in lines if l and not l.startswith("#")] == [f"wolfpy~={__version__}"]
    assert any(f"Made with WolfPy {__version__}" in l for l in lines)


def test_requirements_install_where_wolfpy_is_installed(project):
    """No package index needed: the installed WolfPy satisfies the requirement."""
    r = subprocess.run([sys.executable, "-m", "pip", "install", "--no-index", "--dry-run", "--quiet",
                        "--disable-pip-version-check", "-r", "requirements.txt"],
                       cwd=project, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr


@pytest.mark.parametrize("version, expected, accepts, refuses", [
    ("0.1.0", "wolfpy~=0.1.0", ["0.1.0", "0.1.7"], ["0.2.0", "0.0.9"]),
    ("1.2", "wolfpy~=1.2.0", ["1.2.3"], ["1.3.0"]),
    ("0.2.0.dev1+g12ab", "wolfpy>=0.2.0.dev1,==0.2.*", ["0.2.0.dev1", "0.2.0", "0.2.5"], ["0.3.0", "0.1.9"]),
])
def test_the_requirement_takes_bug_fix_releases_only(version, expected, accepts, refuses):
    requirement = wolfpy_requirement(version)
    assert requirement == expected
    spec = Requirement(requirement).specifier
    assert all(spec.contains(v, prereleases=True) for v in accepts)
    assert not any(spec.contains(v, prereleases=True) for v in refuses)


def test_a_wolfpy_from_outside_an_index_says_how_to_install_it():
    text = requirement_lines("0.1.0", "/src/my wolfpy")
    assert text.splitlines()[-1] == "wolfpy~=0.1.0"
    assert "# This WolfPy was installed from /src/my wolfpy, not from a package index:" in text
    assert "# in a new environment, first run  pip install '/src/my wolfpy'" in text
    assert "installed from" not in requirement_lines("0.1.0", None)


# -- every command a new project mentions exists ----------------------------------------------------

_MENTION = re.compile(r"(?<![\w.])wolfpy((?: [a-z][a-z-]*){1,2})")


def test_a_new_project_mentions_only_commands_that_exist(project):
    root = typer.main.get_command(app)
    mentions = set()
    for path in project.rglob("*"):
        if path.is_file() and path.suffix in (".py", ".html", ".css", ".js", ".md", ".toml", ".txt", ""):
            for m in _MENTION.finditer(path.read_text(errors="replace")):
                if not path.read_text()[max(0, m.start() - 5):m.start()].endswith(("from ", "import ")):
                    mentions.add((path.relative_to(project).as_posix(), tuple(m.group(1).split())))
    assert any(words[0] == "serve" for _, words in mentions)
    for where, words in sorted(mentions):
        command = root.commands.get(words[0])
        assert command is not None, f"{where} mentions `wolfpy {' '.join(words)}`: no such command"
        if hasattr(command, "commands"):
            assert len(words) > 1 and words[1] in command.commands, \
                f"{where} mentions `wolfpy {' '.join(words)}`: no such command"
