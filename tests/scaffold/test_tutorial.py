"""docs/tutorial.md, run: every command it shows, in order, in a temporary folder.

The commands are read with the same parser as tests/test_docs_commands.py (fenced
`console` blocks, `$ ` prompts); the `seeds.py` it shows is written where it says.
`wolfpy serve` is started on a free port and asked for /posts and /api/posts, then stopped.
"""
from __future__ import annotations

import http.client
import json
import os
import re
import shlex
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.cli_runner import run_cli
from tests.test_docs_commands import ROOT, shown_commands

pytestmark = pytest.mark.e2e

TUTORIAL = ROOT / "docs" / "tutorial.md"


def python_file(name: str) -> str:
    """The ```python block of the tutorial that starts with ``# name``."""
    text = TUTORIAL.read_text(encoding="utf-8")
    for block in re.findall(r"```python\n(.*?)```", text, re.S):
        if block.startswith(f"# {name}\n"):
            return block
    raise AssertionError(f"the tutorial shows no {name}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def get(port: int, path: str) -> tuple[int, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path)
        reply = conn.getresponse()
        return reply.status, reply.read().decode()
    finally:
        conn.close()


def serve(cwd: Path, env: dict[str, str], args: list[str]) -> None:
    port = free_port()
    command = [sys.executable, "-c", "from wolfpy.cli.main import main; main()", *args, "--no-reload",
               "--host", "127.0.0.1", "--port", str(port)]
    log = cwd / "serve.log"
    with open(log, "wb") as err:
        proc = subprocess.Popen(command, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=err, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                status, text = get(port, "/posts")
                break
            except OSError:
                assert proc.poll() is None, log.read_text()[-2000:]
                assert time.monotonic() < deadline, "wolfpy serve did not answer"
                time.sleep(0.2)
        assert status == 200 and "Hello, blog" in text, text[:2000]
        status, text = get(port, "/api/posts")
        assert status == 200 and json.loads(text)["items"][0]["title"] == "Hello, blog"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.unlink()


def test_the_tutorial_commands_run_in_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for key in [k for k in os.environ if k.startswith("WOLFPY_") or k == "DATABASE_URL"]:
        monkeypatch.delenv(key)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    commands = [shlex.split(shown.text) for shown in shown_commands(TUTORIAL) if not shown.inline]
    assert commands[0] == ["wolfpy", "new", "blog"] and ["wolfpy", "serve"] in commands
    cwd = tmp_path
    path = list(sys.path)
    ran = []
    try:
        for words in commands:
            if words[0] == "cd":
                cwd = cwd / words[1]
                continue
            assert words[0] == "wolfpy", words
            args = words[1:]
            if args == ["db", "seed"]:   # the file the tutorial shows just before
                (cwd / "seeds.py").write_text(python_file("seeds.py"))
            if args[0] == "serve":
                serve(cwd, env, args)
            elif args[0] == "test":
                result = subprocess.run([sys.executable, "-c", "from wolfpy.cli.main import main; main()",
                                         *args, "-q", "-p", "no:cacheprovider"], cwd=cwd, env=env,
                                        capture_output=True, text=True, timeout=180)
                assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
            else:
                code, out, err = run_cli(*args, cwd=cwd)
                assert code == 0, (words, out, err)
                for name in [n for n in sys.modules if n == "models" or n.startswith("models.")]:
                    del sys.modules[name]
            ran.append(" ".join(words))
    finally:
        sys.path[:] = path
    assert ran[-3:] == ["wolfpy db rollback --yes", "wolfpy destroy scaffold Post", "wolfpy test"]
    assert not (cwd / "routes/posts").exists() and (cwd / "routes/auth/login.py").is_file()
