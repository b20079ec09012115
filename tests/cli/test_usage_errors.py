"""Usage errors of every command are one ``error:`` line and a non-zero exit; --debug shows more.

The command tree is walked at collection time, so commands added later (built-in or
from a plugin's entry point) are covered without editing this file.
"""
from __future__ import annotations

import enum
import subprocess
import sys
from typing import Any

import pytest
import typer.main

from tests.cli_runner import run_cli
from wolfpy.cli.main import app, version_line


def _walk() -> list[tuple[tuple[str, ...], Any]]:
    found: list[tuple[tuple[str, ...], Any]] = []

    def visit(command: Any, path: tuple[str, ...]) -> None:
        found.append((path, command))
        for name, sub in sorted(getattr(command, "commands", {}).items()):
            visit(sub, path + (name,))
    visit(typer.main.get_command(app), ())
    return found


COMMANDS = _walk()
GROUPS = [(path, cmd) for path, cmd in COMMANDS if hasattr(cmd, "commands")]


def _name(path: tuple[str, ...]) -> str:
    return " ".join(("wolfpy",) + path)


def _annotation(param: Any) -> Any:
    descriptor = getattr(param, "type_descriptor", None)
    if descriptor is not None:
        return descriptor.annotation
    kind = getattr(getattr(param, "type", None), "name", "")  # click-based Typer
    return {"integer": int, "float": float, "integer range": int, "float range": float}.get(kind, kind)


def _bad_value(param: Any) -> str | None:
    """A value the option cannot take: a word for a number, an unknown choice."""
    kind = _annotation(param)
    if kind in (int, float):
        return "notanumber"
    if isinstance(kind, type) and issubclass(kind, enum.Enum) or kind == "choice":
        return "no-such-choice"
    return None


TYPED_OPTIONS = [(path, opt.opts[0], bad)
                 for path, cmd in COMMANDS for opt in cmd.params
                 if getattr(opt, "param_type_name", "") == "option" and (bad := _bad_value(opt)) is not None]
REQUIRED_ARGUMENTS = [path for path, cmd in COMMANDS
                      if any(getattr(p, "param_type_name", "") == "argument" and p.required for p in cmd.params)]


def _one_error_line(code: int, out: str, err: str) -> str:
    assert code != 0
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("error: ") and "Traceback" not in err and "╭" not in err + out
    return lines[0]


def test_the_walk_sees_every_group():
    names = {_name(p) for p, _ in COMMANDS}
    assert {"wolfpy", "wolfpy serve", "wolfpy db migrate", "wolfpy generate model", "wolfpy create user",
            "wolfpy inspect models", "wolfpy log tail", "wolfpy config show", "wolfpy test"} <= names
    assert len(TYPED_OPTIONS) >= 3 and len(REQUIRED_ARGUMENTS) >= 3


@pytest.mark.parametrize("path", [p for p, _ in COMMANDS], ids=_name)
def test_unknown_option_is_one_line(path, tmp_path):
    command = dict(COMMANDS)[path]
    code, out, err = run_cli(*path, "--no-such-option", cwd=tmp_path)
    line = _one_error_line(code, out, err)
    passes_options_on = getattr(command, "ignore_unknown_options", False) or \
        (command.context_settings or {}).get("ignore_unknown_options", False)
    if not passes_options_on:  # `wolfpy test` hands options to pytest
        assert code == 2
        assert line.startswith("error: no such option: --no-such-option")
        assert line.endswith(f"(see '{_name(path)} --help')")


def test_close_options_are_suggested_on_the_same_line(tmp_path):
    line = _one_error_line(*run_cli("generate", "auth", "--no-migrations", cwd=tmp_path))
    assert line == ("error: no such option: --no-migrations; did you mean --migration or --no-migration? "
                    "(see 'wolfpy generate auth --help')")


@pytest.mark.parametrize("path", [p for p, _ in GROUPS], ids=_name)
def test_unknown_command_is_one_line(path, tmp_path):
    code, out, err = run_cli(*path, "no-such-command", cwd=tmp_path)
    line = _one_error_line(code, out, err)
    assert code == 2 and line.startswith("error: no such command 'no-such-command'")
    assert line.endswith(f"(see '{_name(path)} --help')")


@pytest.mark.parametrize("path,option,bad", TYPED_OPTIONS,
                         ids=[f"{_name(p)} {o}" for p, o, _ in TYPED_OPTIONS])
def test_bad_option_value_is_one_line(path, option, bad, tmp_path):
    code, out, err = run_cli(*path, option, bad, cwd=tmp_path)
    line = _one_error_line(code, out, err)
    assert code == 2 and line.startswith("error: invalid value for ") and f"'{option}'" in line


@pytest.mark.parametrize("path", REQUIRED_ARGUMENTS, ids=_name)
def test_missing_argument_is_one_line(path, tmp_path):
    code, out, err = run_cli(*path, cwd=tmp_path)
    line = _one_error_line(code, out, err)
    assert code == 2 and line.startswith("error: missing argument ")


def test_out_of_range_value_is_one_line(tmp_path):
    code, out, err = run_cli("db", "rollback", "--steps", "0", cwd=tmp_path)
    line = _one_error_line(code, out, err)
    assert code == 2 and "'--steps'" in line and line.endswith("(see 'wolfpy db rollback --help')")


def test_a_close_command_name_is_suggested_on_the_same_line(tmp_path):
    line = _one_error_line(*run_cli("serv", cwd=tmp_path))
    assert line == "error: no such command 'serv'; did you mean 'serve'? (see 'wolfpy --help')"


def test_debug_shows_the_full_usage_message(tmp_path):
    code, out, err = run_cli("--debug", "serve", "--no-such-option", cwd=tmp_path)
    assert code == 2
    assert "Usage: wolfpy serve" in err and "No such option: --no-such-option" in err


def test_no_arguments_still_prints_the_help(tmp_path):
    code, out, err = run_cli("db", cwd=tmp_path)
    assert "wolfpy db" in out and "migrate" in out and "error:" not in err


def test_the_console_script_path_reads_sys_argv(tmp_path):
    r = subprocess.run([sys.executable, "-c", "from wolfpy.cli.main import main; main()", "db", "--nope"],
                       cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert r.returncode == 2
    assert r.stderr == "error: no such option: --nope (see 'wolfpy db --help')\n" and r.stdout == ""


def test_version_option_prints_the_version(tmp_path):
    code, out, err = run_cli("--version", cwd=tmp_path)
    assert (code, err) == (0, "") and out == version_line() + "\n"
    assert out == run_cli("version", cwd=tmp_path)[1]
    assert out.startswith("wolfpy ")


def test_an_unexpected_exception_is_one_line_without_debug(tmp_path):
    assert run_cli("new", "demo", cwd=tmp_path)[0] == 0
    code, out, err = run_cli("shell", "-c", "1 / 0", cwd=tmp_path / "demo")
    assert code == 1
    assert err == "error: ZeroDivisionError: division by zero (run with --debug for the traceback)\n"


def test_an_unexpected_exception_raises_with_debug(tmp_path):
    assert run_cli("new", "demo", cwd=tmp_path)[0] == 0
    with pytest.raises(ZeroDivisionError):
        run_cli("--debug", "shell", "-c", "1 / 0", cwd=tmp_path / "demo")


def test_a_multi_line_exception_message_stays_one_line(tmp_path):
    assert run_cli("new", "demo", cwd=tmp_path)[0] == 0
    code, out, err = run_cli("shell", "-c", "raise RuntimeError('first\\nsecond')", cwd=tmp_path / "demo")
    assert code == 1
    assert err == "error: RuntimeError: first second (run with --debug for the traceback)\n"
