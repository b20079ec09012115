"""Every shell command shown in README.md, docs/ and the examples' READMEs exists.

The commands are read from the Markdown: fenced code blocks (no language or a shell
language), indented code blocks, and inline code spans that start with ``wolfpy``,
``gunicorn``, ``uvicorn``, ``pip``, ``python`` or ``bash``. In a block with ``$ ``
prompts only the prompted lines are commands; the other lines are output.

Each command is checked far enough to show that it exists and accepts its
arguments, without running it:

- ``wolfpy ...``: resolved in the real command tree and parsed with click's
  ``make_context`` at every level;
- ``gunicorn ...`` and ``uvicorn ...``: parsed by their own argument parsers, and a
  ``wolfpy.*`` app target must name a real module attribute;
- ``pip install ...``: every extra named (``'wolfpy[redis]'``, ``'.[dev]'``) is in
  pyproject.toml; ``python -m X``: X is importable; ``python file`` and
  ``bash file``: the file exists;
- ``VAR=value`` in front of a command, and ``export VAR=value``: VAR is a setting
  WolfPy reads.

Synopsis notation is understood: ``[...]`` is optional (checked with and without),
``a|b`` is a choice (each checked), ``...`` means "and more", and upper-case words
(``NAME``, ``PATH``, ``N``) or ``<words>`` are placeholders filled with sample values.

A few real commands then run in a temporary folder (``wolfpy version``, ``new``,
``routes``, ``check``) and their output is compared with what the docs show.
"""
from __future__ import annotations

import contextlib
import functools
import importlib
import importlib.util
import io
import itertools
import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click  # uvicorn's command line
import pytest
import typer.main

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent

# Shell words whose lines are commands. Anything else at the start of a line is
# prose, output or a file tree.
COMMANDS = {"wolfpy", "pip", "pip3", "python", "python3", "gunicorn", "uvicorn", "bash", "sh",
            "cd", "curl", "export"}
# Inline `code` spans are commands only when they start with one of these.
INLINE_COMMANDS = {"wolfpy", "pip", "python", "gunicorn", "uvicorn", "bash"}
SHELL_LANGUAGES = {"", "sh", "bash", "shell", "console", "shell-session"}

# Doc lines that show a command this test cannot check, with the reason. Keep it short:
# an entry that no longer matches any doc line fails the run.
ALLOWLIST: dict[tuple[str, str], str] = {}


@dataclass(frozen=True)
class Shown:
    """One command as a doc shows it."""

    doc: str       # path from the repository root
    line: int      # 1-based line number in the doc
    text: str      # the command, prompt and trailing comment removed
    inline: bool = False  # an inline `code` span in prose: it may name a command without all its arguments

    @property
    def id(self) -> str:
        return f"{self.doc}:{self.line}"


# -- reading the docs --------------------------------------------------------------------
def doc_files() -> list[Path]:
    files = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md")),
             *sorted((ROOT / "examples").glob("*/README.md"))]
    return [f for f in files if f.is_file()]


_FENCE = re.compile(r"^(\s*)(```+|~~~+)\s*([\w+-]*)")
_PROMPT = re.compile(r"^\$\s+")
_INLINE = re.compile(r"(?<!`)`([^`\n]+)`(?!`)")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _blocks(lines: list[str]) -> tuple[list[list[tuple[int, str]]], list[tuple[int, str]]]:
    """Code blocks (lists of (line number, text)) and the prose lines between them."""
    blocks: list[list[tuple[int, str]]] = []
    prose: list[tuple[int, str]] = []
    i = 0
    previous_blank = True
    while i < len(lines):
        line = lines[i]
        fence = _FENCE.match(line)
        if fence:
            marker, language = fence.group(2), fence.group(3).lower()
            body: list[tuple[int, str]] = []
            i += 1
            while i < len(lines) and not lines[i].strip().startswith(marker[:3]):
                body.append((i + 1, lines[i]))
                i += 1
            if language in SHELL_LANGUAGES:
                blocks.append(body)
            i += 1
            previous_blank = False
            continue
        if line.strip() and _indent(line) >= 4 and previous_blank:
            body = []
            while i < len(lines) and (not lines[i].strip() or _indent(lines[i]) >= 4):
                if _FENCE.match(lines[i]):
                    break
                body.append((i + 1, lines[i]))
                i += 1
            blocks.append(body)
            previous_blank = not body or not body[-1][1].strip()
            continue
        prose.append((i + 1, line))
        previous_blank = not line.strip()
        i += 1
    return blocks, prose


def _strip_comment(text: str) -> str:
    """Drop a trailing ``# comment`` and a synopsis' description after two spaces."""
    out, quote, depth = [], "", 0
    for j, ch in enumerate(text):
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch == "[":
            depth += 1
        elif ch == "]":
            depth = max(0, depth - 1)
        elif depth == 0 and ch == "#" and (j == 0 or text[j - 1] == " "):
            break
        elif depth == 0 and text.startswith("  ", j):
            break
        out.append(ch)
    return "".join(out).strip()


def _first_word(text: str) -> str:
    words = text.split()
    while words and re.match(r"^[A-Z_][A-Z0-9_]*=", words[0]):
        words = words[1:]
    return words[0] if words else ""


def _joined(block: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """Lines stripped, with ``\\``-continued lines joined onto the first one."""
    out: list[tuple[int, str]] = []
    continued = False
    for number, text in block:
        text = text.strip()
        if continued:
            out[-1] = (out[-1][0], out[-1][1] + " " + text.rstrip("\\").strip())
        else:
            out.append((number, text.rstrip("\\").strip() if text.endswith("\\") else text))
        continued = text.endswith("\\")
    return out


def shown_commands(path: Path) -> list[Shown]:
    doc = path.relative_to(ROOT).as_posix()
    lines = path.read_text(encoding="utf-8").splitlines()
    blocks, prose = _blocks(lines)
    found: list[Shown] = []
    for block in blocks:
        prompted = any(_PROMPT.match(text.strip()) for _, text in block)
        for number, text in _joined(block):
            if prompted:
                if not _PROMPT.match(text):
                    continue
                text = _PROMPT.sub("", text)
            command = _strip_comment(text)
            if _first_word(command) in COMMANDS:
                found.append(Shown(doc, number, command))
    for number, text in prose:
        for span in _INLINE.findall(text):
            span = span.strip()
            if " " in span and span.split(" ", 1)[0] in INLINE_COMMANDS:
                found.append(Shown(doc, number, span, inline=True))
    return found


def all_shown() -> list[Shown]:
    return [shown for path in doc_files() for shown in shown_commands(path)]


# -- synopsis notation --------------------------------------------------------------------
def _tokens(text: str) -> list[str]:
    """Split on spaces, keeping ``[...]`` groups and quoted strings whole."""
    tokens, current, quote, depth = [], "", "", 0
    for ch in text:
        if quote:
            current += ch
            quote = "" if ch == quote else quote
        elif ch in "'\"":
            current += ch
            quote = ch
        elif ch == "[":
            depth += 1
            current += ch
        elif ch == "]":
            depth -= 1
            current += ch
        elif ch == " " and depth == 0:
            if current:
                tokens.append(current)
            current = ""
        else:
            current += ch
    if current:
        tokens.append(current)
    return tokens


def _is_optional(token: str) -> bool:
    """``[--port 8000]`` or ``[models|routes]`` (an optional part), not ``posts/[id]``."""
    return token.startswith("[") and token.endswith("]")


def _alternatives(token: str) -> list[str]:
    if "|" in token and not token.startswith(("'", '"')):
        return [part.strip() for part in token.split("|") if part.strip()]
    return [token]


def variants(text: str) -> list[list[str]]:
    """The concrete command lines a synopsis stands for (each optional part tried alone)."""
    tokens = _tokens(text)
    required: list[list[str]] = []   # per position: the alternatives
    optional: list[tuple[int, list[str]]] = []
    for token in tokens:
        if _is_optional(token):
            optional.append((len(required), _alternatives(token[1:-1])))
        else:
            required.append(_alternatives(token))
    out: list[list[str]] = []
    for combo in itertools.product(*required):
        base = list(combo)
        out.append(base)
        for position, choices in optional:
            for choice in choices:
                out.append(base[:position] + _tokens(choice) + base[position:])
    return [_split_words(v) for v in out]


def _split_words(tokens: list[str]) -> list[str]:
    return shlex.split(" ".join(tokens))


def pipeline(text: str) -> list[str]:
    """``a && b | c`` → the commands it runs (``a``, ``b``, ``c``); ``[x | y]`` stays whole."""
    parts: list[list[str]] = [[]]
    for token in _tokens(text):
        if token in ("&&", "||", ";", "|"):
            parts.append([])
        else:
            parts[-1].append(token)
    return [" ".join(part) for part in parts if part]


# -- placeholders --------------------------------------------------------------------------
_PLACEHOLDER = re.compile(r"^(?:[A-Z][A-Z0-9_]*|<[^<>]+>)$")
SAMPLES = {"NAME": "demo", "PATH": "/posts/1", "CODE": "print(1)", "<path>": "/posts/1"}
OPTION_SAMPLE = "1"  # every option value in the CLI accepts it: ports, counts, strings


def _fill(command: Any, args: list[str]) -> list[str]:
    """Replace placeholders: an option's value by ``1``, a positional one by its name's sample."""
    value_options = {name for p in command.params if p.param_type_name == "option" and not p.is_flag
                     for name in p.opts}
    out: list[str] = []
    for i, arg in enumerate(args):
        if _PLACEHOLDER.match(arg):
            out.append(OPTION_SAMPLE if i and args[i - 1] in value_options else SAMPLES.get(arg, "sample"))
        else:
            out.append(arg)
    return out


# -- checking one command -------------------------------------------------------------------
class NotValid(AssertionError):
    pass


@functools.lru_cache(maxsize=None)
def wolfpy_command() -> Any:
    """The real ``wolfpy`` command tree (typer's own click classes)."""
    from wolfpy.cli.main import app
    return typer.main.get_command(app)


def _has_subcommands(command: Any) -> bool:
    return hasattr(command, "list_commands")


def check_wolfpy(args: list[str], partial: bool = False) -> None:
    """Resolve and parse ``wolfpy args``; ``partial``: required arguments may be left out."""
    more = partial or "..." in args or "--help" in args or "-h" in args
    args = [a for a in args if a not in ("...", "--help", "-h")]
    command, name, parent = wolfpy_command(), "wolfpy", None
    path = ["wolfpy"]
    while True:
        if _has_subcommands(command) and not args and (more or command.invoke_without_command):
            return
        filled = list(args) if _has_subcommands(command) else _fill(command, args)
        try:
            ctx = command.make_context(name, list(filled), parent=parent)
        except typer.Exit as exc:  # an eager option (--version) answered while parsing
            if exc.exit_code == 0:
                return
            raise NotValid(f"`{' '.join(path)}` exited while parsing (code {exc.exit_code})") from None
        except typer.TyperException as exc:  # typer's click: UsageError, BadParameter, ...
            if more and _only_incomplete(exc, filled):
                return
            raise NotValid(f"`{' '.join(path + filled)}`: {exc.format_message()}") from None
        if not _has_subcommands(command):
            ctx.close()
            return
        # The subcommand and its arguments (click keeps them apart from the rest).
        protected = vars(ctx).get("_protected_args")
        if protected is None:
            protected = ctx.protected_args
        rest = [*protected, *ctx.args]
        if not rest:
            if more or command.invoke_without_command:
                return
            raise NotValid(f"`{' '.join(path)}` needs a subcommand "
                           f"({', '.join(sorted(command.list_commands(ctx)))})")
        sub = command.get_command(ctx, rest[0])
        if sub is None:
            raise NotValid(f"`{' '.join(path)}` has no command {rest[0]!r} "
                           f"(it has {', '.join(sorted(command.list_commands(ctx)))})")
        path.append(rest[0])
        command, name, parent, args = sub, rest[0], ctx, rest[1:]


def _only_incomplete(exc: Exception, args: list[str]) -> bool:
    """The error is only that something was left out (a required argument, a last option's value)."""
    if type(exc).__name__ == "MissingParameter":
        return True
    return bool(args) and args[-1].startswith("-") and "requires an argument" in str(exc.format_message())  # type: ignore[attr-defined]


def check_target(target: str) -> None:
    """``module:attribute``; for a ``wolfpy.*`` module, the attribute must exist."""
    module_name, sep, attribute = target.partition(":")
    if not sep or not module_name or not attribute:
        raise NotValid(f"app target {target!r} is not module:attribute")
    if module_name.split(".")[0] != "wolfpy":
        return  # the user's own module: only its form can be checked
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise NotValid(f"app target {target!r}: {exc}") from None
    first = attribute.split(".")[0]
    lazy = vars(module).get("__getattr__")
    if first in vars(module):
        return
    if lazy is not None and first in lazy.__code__.co_consts:
        return  # loaded on first access (wolfpy.wsgi, wolfpy.asgi)
    raise NotValid(f"app target {target!r}: {module_name} has no attribute {first!r}")


def check_gunicorn(args: list[str]) -> None:
    from gunicorn.config import Config
    cfg = Config("%(prog)s [OPTIONS] [APP_MODULE]", prog="gunicorn")
    parser = cfg.parser()
    err = io.StringIO()
    try:
        with contextlib.redirect_stderr(err):
            parsed = parser.parse_args(args)
    except SystemExit:
        raise NotValid(f"gunicorn: {err.getvalue().strip().splitlines()[-1]}") from None
    for key, value in vars(parsed).items():
        if value is None or key == "args":
            continue
        try:
            cfg.set(key.lower(), value)
        except Exception as exc:
            raise NotValid(f"gunicorn: --{key}: {exc}") from None
    try:
        cfg.worker_class  # imports it: uvicorn_worker.UvicornWorker must exist
    except Exception as exc:
        raise NotValid(f"gunicorn: worker class {cfg.worker_class_str!r}: {exc}") from None
    if len(parsed.args) != 1:
        raise NotValid(f"gunicorn takes one app target, got {parsed.args!r}")
    check_target(parsed.args[0])


def check_uvicorn(args: list[str]) -> None:
    from uvicorn.main import main as uvicorn_main
    try:
        ctx = uvicorn_main.make_context("uvicorn", list(args))
    except click.ClickException as exc:
        raise NotValid(f"uvicorn: {exc.format_message()}") from None
    ctx.close()
    check_target(ctx.params["app"])


@functools.lru_cache(maxsize=None)
def extras() -> frozenset[str]:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())
    return frozenset(data["project"]["optional-dependencies"])


def check_pip(args: list[str]) -> None:
    from packaging.requirements import InvalidRequirement, Requirement
    if not args or args[0] != "install":
        raise NotValid(f"pip {' '.join(args)}: only `pip install` is shown in the docs")
    for arg in args[1:]:
        if arg.startswith("-"):
            if arg not in ("-e", "--editable", "-U", "--upgrade"):
                raise NotValid(f"pip install: unexpected option {arg}")
            continue
        if arg.startswith("./") and (ROOT / arg).is_dir():  # a package in this repository
            if not (ROOT / arg / "pyproject.toml").is_file():
                raise NotValid(f"pip install {arg}: the folder has no pyproject.toml")
            continue
        local = re.fullmatch(r"\.(?:\[([\w,\s-]+)\])?", arg)
        if local:
            wanted = local.group(1) or ""
        else:
            try:
                requirement = Requirement(arg)
            except InvalidRequirement as exc:
                raise NotValid(f"pip install {arg}: {exc}") from None
            if requirement.name.lower() != "wolfpy":
                continue
            wanted = ",".join(requirement.extras)
        for extra in filter(None, (e.strip() for e in wanted.split(","))):
            if extra not in extras():
                raise NotValid(f"pip install {arg}: pyproject.toml has no extra {extra!r} "
                               f"(it has {', '.join(sorted(extras()))})")


def check_python(args: list[str]) -> None:
    if args[:1] == ["-c"]:
        try:
            compile(args[1] if len(args) > 1 else "", "<python -c>", "exec")
        except SyntaxError as exc:
            raise NotValid(f"python -c: {exc}") from None
        return
    if args[:1] == ["-m"]:
        if len(args) < 2 or importlib.util.find_spec(args[1]) is None:
            raise NotValid(f"python -m {' '.join(args[1:])}: no such module")
        return
    if not args or not (ROOT / args[0]).is_file():
        raise NotValid(f"python {' '.join(args)}: no file {args[:1]} in the repository")


def check_script(args: list[str]) -> None:
    if not args or not (ROOT / args[0]).is_file():
        raise NotValid(f"no script {args[:1]} in the repository")


def check_env(name: str) -> None:
    """``NAME=value`` before a command: NAME must be something WolfPy reads."""
    from wolfpy.config import CONVENTIONAL_ENV, DEFAULTS
    if name in CONVENTIONAL_ENV:
        return
    for section, keys in DEFAULTS.items():
        for key in keys:
            if name == f"WOLFPY_{section.upper()}_{key.upper()}":
                return
    sources = [*(ROOT / "wolfpy").rglob("*.py"), *(ROOT / "scripts").glob("*")]
    if any(name in p.read_text(encoding="utf-8", errors="replace") for p in sources if p.is_file()):
        return
    raise NotValid(f"environment variable {name} is not read by WolfPy")


def check_words(words: list[str], partial: bool = False) -> None:
    while words and re.match(r"^[A-Z_][A-Z0-9_]*=", words[0]):
        check_env(words[0].split("=", 1)[0])
        words = words[1:]
    if not words:
        raise NotValid("an assignment with no command")
    head, args = words[0], words[1:]
    if head == "wolfpy":
        check_wolfpy(args, partial)
    elif head == "gunicorn":
        check_gunicorn(args)
    elif head == "uvicorn":
        check_uvicorn(args)
    elif head in ("pip", "pip3"):
        check_pip(args)
    elif head in ("python", "python3"):
        check_python(args)
    elif head in ("bash", "sh"):
        check_script(args)
    elif head == "cd":
        if len(args) != 1:
            raise NotValid("cd takes one folder")
    elif head == "curl":
        if not any(re.match(r"^https?://", a) for a in args):
            raise NotValid("curl without an http(s) URL")
    elif head == "export":
        for assignment in args:
            if "=" not in assignment:
                raise NotValid(f"export {assignment}: no value")
            check_env(assignment.split("=", 1)[0])
    # Anything else is the far end of a pipe (jq, grep, ...): not WolfPy's to check.


def check_shown(shown: Shown) -> None:
    try:
        commands = [words for part in pipeline(shown.text) for words in variants(part)]
    except ValueError as exc:  # shlex: an unclosed quote
        raise NotValid(f"{shown.id}: `{shown.text}`: {exc}") from None
    for words in commands:
        try:
            check_words(words, shown.inline)
        except NotValid as exc:
            raise NotValid(f"{shown.id}: `{shown.text}`: {exc}") from None


SHOWN = all_shown()


def _ids(shown: list[Shown]) -> list[str]:
    """``doc:line``, and ``doc:line#2`` ... for more commands on one line."""
    ids: list[str] = []
    for item in shown:
        n = sum(1 for other in ids if other == item.id or other.startswith(item.id + "#"))
        ids.append(item.id if not n else f"{item.id}#{n + 1}")
    return ids


def _allowed(shown: Shown) -> str | None:
    for (doc, prefix), reason in ALLOWLIST.items():
        if shown.doc == doc and shown.text.startswith(prefix):
            return reason
    return None


@pytest.mark.parametrize("shown", SHOWN, ids=_ids(SHOWN))
def test_shown_command_exists_and_parses(shown: Shown) -> None:
    reason = _allowed(shown)
    if reason is not None:
        pytest.skip(f"allowlisted: {reason}")
    check_shown(shown)


def test_the_docs_show_commands() -> None:
    """The extraction itself works: the getting-started commands are found."""
    texts = {s.text for s in SHOWN if s.doc == "docs/getting-started.md"}
    assert {"wolfpy new blog", "wolfpy serve", "wolfpy routes", "pip install ."} <= texts


def test_allowlist_entries_are_still_used() -> None:
    for doc, prefix in ALLOWLIST:
        assert any(s.doc == doc and s.text.startswith(prefix) for s in SHOWN), (doc, prefix)


# -- the checker catches what it should -----------------------------------------------------
@pytest.mark.parametrize("text", [
    "wolfpy serv",                         # no such command
    "wolfpy serve --no-such-option",
    "wolfpy db",                           # a group needs a subcommand
    "wolfpy db migrate extra",             # unexpected argument
    "wolfpy log tail -n lots",             # not an int
    "gunicorn wolfpy.wsgi:app",            # no such attribute
    "gunicorn --workers x wolfpy.wsgi:application",
    "uvicorn wolfpy.asgi:application --no-such-option",
    "pip install 'wolfpy[nosuchextra]'",
    "bash scripts/no-such-script.sh",
    "WOLFPY_APP_DEBUGG=false wolfpy serve",
])
def test_checker_rejects(text: str) -> None:
    with pytest.raises(NotValid):
        check_shown(Shown("x.md", 1, text))


@pytest.mark.parametrize("text", [
    "wolfpy serve [--port 8000] [--no-reload] [--prod --workers 4]",
    "wolfpy db migrate|status|rollback",
    "wolfpy inspect [models|routes|config|middleware]",
    "wolfpy create user NAME --admin",
    "wolfpy log tail -n N",
    "wolfpy --debug ...",
    "gunicorn wolfpy.wsgi:application",
    "uvicorn wolfpy.asgi:application --workers 2",
    "pip install -e '.[dev]'",
    "DATABASE_URL=sqlite:///x.db wolfpy db status",
])
def test_checker_accepts(text: str) -> None:
    check_shown(Shown("x.md", 1, text))


def test_extraction_reads_blocks_prompts_and_spans(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    doc = tmp_path / "page.md"
    doc.write_text("Run `wolfpy routes` first.\n\n"
                   "    $ wolfpy check\n    no problems found\n\n"
                   "```python\nwolfpy = 1\n```\n\n"
                   "```\ngunicorn wolfpy.wsgi:application   # WSGI\n```\n")
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    found = [(s.line, s.text) for s in shown_commands(doc)]
    assert sorted(found) == [(1, "wolfpy routes"), (3, "wolfpy check"), (11, "gunicorn wolfpy.wsgi:application")]


# -- a few commands, run for real ---------------------------------------------------------
def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    return subprocess.run([sys.executable, "-m", "wolfpy.cli.main", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=60)


def _shown_output(doc: str, command: str) -> list[str]:
    """The lines a doc shows after ``$ command`` in the same block, up to the next prompt."""
    lines = (ROOT / doc).read_text(encoding="utf-8").splitlines()
    for i, line in enumerate(lines):
        if line.strip() == f"$ {command}":
            indent = _indent(line)
            out = []
            for following in lines[i + 1:]:
                if following.strip().startswith("$ ") or (following.strip() and _indent(following) < indent):
                    break
                out.append(following[indent:].rstrip())
            while out and not out[-1]:
                out.pop()
            return out
    raise AssertionError(f"{doc} does not show `$ {command}`")


def test_shown_commands_run_in_a_new_project(tmp_path: Path) -> None:
    """`wolfpy version` as a process; `new`, `routes` and `check` in-process (fast), as the docs show them."""
    from tests.cli_runner import run_cli
    from wolfpy import __version__

    version = _run("version", cwd=tmp_path)
    assert version.returncode == 0, version.stderr
    assert version.stdout.startswith(f"wolfpy {__version__} (Python ")
    shown = _shown_output("docs/getting-started.md", "wolfpy version")
    assert shown and shown[0].startswith(f"wolfpy {__version__} (Python ")

    code, out, err = run_cli("new", "blog", cwd=tmp_path)
    assert code == 0, err
    created = {line.split()[-1] for line in out.splitlines() if line.strip().startswith("create ")}
    shown = _shown_output("docs/getting-started.md", "wolfpy new blog")
    shown_created = {line.split()[-1] for line in shown if line.strip().startswith("create ")}
    assert created == shown_created, "docs/getting-started.md lists other files than `wolfpy new` writes"
    project = tmp_path / "blog"

    code, out, err = run_cli("routes", cwd=project / "templates")  # from a sub-folder, as the docs say
    assert code == 0, err
    assert out.splitlines()[0].split() == ["METHOD", "URL", "FILE", "NAME"]
    assert re.search(r"^GET\s+/\s+routes/index\.py\s+index$", out, re.M)

    code, out, err = run_cli("check", cwd=project)
    assert code == 0, err
    assert out.strip() == "\n".join(_shown_output("docs/getting-started.md", "wolfpy check"))

    code, out, err = run_cli("routes", cwd=tmp_path)
    assert code == 1
    assert err.startswith("error: no wolfpy.toml found in ")


# -- settings named in the docs ---------------------------------------------------------------
_SETTING = re.compile(r"`\[([a-z_]+)\] ([a-z_]+)")
_TOML_FENCE = re.compile(r"^```toml\s*\n(.*?)^```", re.M | re.S)


def shown_settings() -> list[tuple[str, int, str, str]]:
    """(doc, line, section, key) for every `[section] key` span and every key of a ```toml block."""
    from wolfpy.config import DEFAULTS
    found = []
    for path in doc_files():
        doc = path.relative_to(ROOT).as_posix()
        text = path.read_text(encoding="utf-8")
        for match in _SETTING.finditer(text):
            found.append((doc, text.count("\n", 0, match.start()) + 1, match.group(1), match.group(2)))
        for block in _TOML_FENCE.finditer(text):
            first = text.count("\n", 0, block.start(1)) + 1
            try:
                data = tomllib.loads(block.group(1))
            except tomllib.TOMLDecodeError as exc:
                found.append((doc, first, "(toml)", str(exc)))
                continue
            for section, table in data.items():
                if isinstance(table, dict):
                    found += [(doc, first, section, key) for key in table]
    # Only WolfPy's own sections are checked: `[shop] vat` in an example is the user's.
    return [f for f in found if f[2] in DEFAULTS or f[2] == "(toml)"]


SETTINGS = shown_settings()


@pytest.mark.parametrize("doc,line,section,key", SETTINGS,
                         ids=[f"{d}:{n}:[{s}] {k}" for d, n, s, k in SETTINGS])
def test_shown_setting_exists(doc: str, line: int, section: str, key: str) -> None:
    from wolfpy.config import DEFAULTS
    assert section != "(toml)", f"{doc}:{line}: the toml block does not parse: {key}"
    assert key in DEFAULTS[section], (f"{doc}:{line}: [{section}] {key} is not a setting "
                                      f"(the section has: {', '.join(DEFAULTS[section])})")
