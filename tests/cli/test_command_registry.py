"""Commands are imported when they run: the listing, plugins by entry point or by register_command().

A plugin is written the way a third-party package ships one: a module and a
``*.dist-info`` folder whose ``entry_points.txt`` names it in the ``wolfpy.commands``
group, on ``sys.path`` (no pip install needed).
"""
from __future__ import annotations

import inspect
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any, Iterator

import pytest

from tests.cli_runner import run_cli
from wolfpy.cli.registry import builtin, load

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("peewee", "playhouse", "mako", "uvicorn", "gunicorn", "watchfiles", "wolfpy.generators")


def cli_in_subprocess(code: str, *args: str, path: tuple[Path, ...] = ()) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a fresh interpreter with ``path`` first on ``sys.path``."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(map(str, [*path, ROOT])))
    return subprocess.run([sys.executable, "-c", code, *args], env=env, capture_output=True, text=True,
                          timeout=60)


MODULES_AFTER = """
import io, contextlib, json, sys
from wolfpy.cli.main import main
out, err = io.StringIO(), io.StringIO()
with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
    try:
        main(sys.argv[1:])
    except SystemExit as exc:
        code = exc.code
print(json.dumps({"code": code, "out": out.getvalue(), "err": err.getvalue(), "modules": sorted(sys.modules)}))
"""


def modules_after(*args: str, path: tuple[Path, ...] = ()) -> dict[str, Any]:
    """``wolfpy ARGS`` in a fresh interpreter: exit code, output, and every module it imported."""
    result = cli_in_subprocess(MODULES_AFTER, *args, path=path)
    assert result.returncode == 0, result.stderr
    return dict(json.loads(result.stdout))


@pytest.mark.parametrize("args", [["--help"], ["version"], ["--version"], []], ids=" ".join)
def test_help_and_version_import_no_other_command(args: list[str]) -> None:
    run = modules_after(*args)
    assert run["code"] in (0, 2) and "wolfpy" in run["out"], run
    commands = [m for m in run["modules"] if m.startswith("wolfpy.cli.commands.")]
    assert commands == (["wolfpy.cli.commands.info"] if args == ["version"] else []), commands
    heavy = [m for m in run["modules"] if m.split(".")[0] in HEAVY or m.startswith(HEAVY)]
    assert heavy == [], heavy


def test_the_listing_still_names_every_command_with_its_help() -> None:
    run = modules_after("--help")
    for spec in builtin():
        assert spec.name in run["out"], spec.name
    assert "Create the database, write and apply migrations." in run["out"]


def test_a_command_imports_its_own_module_only() -> None:
    run = modules_after("db", "--help")
    commands = [m for m in run["modules"] if m.startswith("wolfpy.cli.commands.")]
    assert commands == ["wolfpy.cli.commands.db"] and "Usage: wolfpy db" in run["out"]


@pytest.mark.parametrize("spec", builtin(), ids=lambda s: s.name)
def test_the_listed_help_is_the_commands_own(spec: Any) -> None:
    """The line `wolfpy --help` shows without importing a command is the first paragraph of its help."""
    from wolfpy.cli.group import to_click
    command = to_click(load(spec), spec.name)
    assert inspect.cleandoc(command.help).split("\n\n")[0] == spec.help


# -- a third-party package -------------------------------------------------------------------
PLUGIN = '''
import typer

from wolfpy.cli.common import CommandError, debug_enabled

hello_app = typer.Typer(help="Say hello from a plugin.", no_args_is_help=True)


@hello_app.command("world")
def world(name: str = typer.Option("world", "--name", help="Whom to greet.")) -> None:
    """Greet someone."""
    typer.echo(f"hello {name}")


@hello_app.command("fail")
def fail_(code: int = typer.Option(1, "--code")) -> None:
    """Stop with an error."""
    raise CommandError("the plugin cannot go on", code=code)


def mode() -> None:
    """Say whether --debug is on."""
    typer.echo("debug" if debug_enabled() else "plain")
'''


def write_plugin(root: Path, module: str, entry_points: dict[str, str]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / f"{module}.py").write_text(textwrap.dedent(PLUGIN))
    info = root / f"{module}-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {module}\nVersion: 1.0\n")
    lines = "".join(f"{name} = {target}\n" for name, target in entry_points.items())
    (info / "entry_points.txt").write_text(f"[wolfpy.commands]\n{lines}")
    return root


@pytest.fixture
def plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A package with the commands `hello` (a group), `mode` (a function) and `broken` (not importable)."""
    module = f"wolfpy_test_plugin_{os.getpid()}"
    root = write_plugin(tmp_path / "site", module, {"hello": f"{module}:hello_app", "mode": f"{module}:mode",
                                                     "broken": "no_such_module_anywhere:app"})
    monkeypatch.syspath_prepend(str(root))
    yield module
    sys.modules.pop(module, None)


def test_an_entry_point_group_runs_and_is_listed(plugin: str, tmp_path: Path) -> None:
    assert run_cli("hello", "world", "--name", "ada", cwd=tmp_path) == (0, "hello ada\n", "")
    code, out, err = run_cli("--help", cwd=tmp_path)
    assert code == 0 and "Say hello from a plugin." in out and "Say whether --debug is on." in out
    assert "hello" in out and "generate" in out


def test_a_plugin_function_is_a_command_and_sees_debug(plugin: str, tmp_path: Path) -> None:
    assert run_cli("mode", cwd=tmp_path) == (0, "plain\n", "")
    assert run_cli("--debug", "mode", cwd=tmp_path) == (0, "debug\n", "")


def test_a_command_error_is_one_line_with_its_code(plugin: str, tmp_path: Path) -> None:
    assert run_cli("hello", "fail", "--code", "3", cwd=tmp_path) == (3, "", "error: the plugin cannot go on\n")
    assert run_cli("--debug", "hello", "fail", cwd=tmp_path) == (1, "", "error: the plugin cannot go on\n")


def test_a_broken_plugin_warns_only_when_listed_or_used(plugin: str, tmp_path: Path) -> None:
    warning = "warning: cannot load command plugin 'broken': No module named 'no_such_module_anywhere'"
    code, out, err = run_cli("--help", cwd=tmp_path)
    assert code == 0 and err == warning + "\n" and "Say hello from a plugin." in out
    assert run_cli("version", cwd=tmp_path)[0::2] == (0, "")
    assert run_cli("hello", "world", cwd=tmp_path) == (0, "hello world\n", "")
    code, out, err = run_cli("broken", cwd=tmp_path)
    assert code == 2 and err.splitlines() == [warning, "error: no such command 'broken' (see 'wolfpy --help')"]


def test_listing_imports_a_plugin_without_help_but_no_builtin(tmp_path: Path) -> None:
    module = "wolfpy_listed_plugin"
    root = write_plugin(tmp_path / "site", module, {"hello": f"{module}:hello_app"})
    run = modules_after("--help", path=(root,))
    assert "Say hello from a plugin." in run["out"] and module in run["modules"]
    assert not [m for m in run["modules"] if m.startswith("wolfpy.cli.commands.")]
    assert module not in modules_after("version", path=(root,))["modules"]


# -- register_command() ------------------------------------------------------------------------
REGISTERED = """
import sys
from wolfpy.cli import register_command
register_command("hello", "{module}:hello_app", help="Say hello, registered.")
register_command("hello", "{module}:hello_app")  # the same again: nothing changes
try:
    register_command("hello", "elsewhere:app")
except ValueError as exc:
    print(exc, file=sys.stderr)
""" + MODULES_AFTER


def test_register_command_adds_a_lazy_group(tmp_path: Path) -> None:
    module = "wolfpy_registered_plugin"
    root = tmp_path / "site"
    root.mkdir()
    (root / f"{module}.py").write_text(textwrap.dedent(PLUGIN))
    code = REGISTERED.replace("{module}", module)
    result = cli_in_subprocess(code, "--help", path=(root,))
    assert result.stderr == f"'wolfpy hello' is registered already, for {module}:hello_app\n"
    listed = json.loads(result.stdout)
    assert listed["code"] == 0 and "Say hello, registered." in listed["out"]
    assert module not in listed["modules"]  # listed from the help given, not imported
    ran = json.loads(cli_in_subprocess(code, "hello", "world", "--name", "bo", path=(root,)).stdout)
    assert (ran["code"], ran["out"], ran["err"]) == (0, "hello bo\n", "")


@pytest.mark.parametrize("name,target,message", [
    ("db", "pkg.mod:app", "'wolfpy db' is a built-in command"),
    ("Bad Name", "pkg.mod:app", "invalid command name"),
    ("ok", "pkg.mod", "invalid command target"),
])
def test_register_command_refuses(name: str, target: str, message: str) -> None:
    from wolfpy.cli import register_command
    with pytest.raises(ValueError, match=message):
        register_command(name, target)
