"""``wolfpy serve --help`` tells the truth about its options."""
from __future__ import annotations

import re

from tests.cli_runner import run_cli


def test_workers_shows_its_real_default(monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    code, out, _ = run_cli("serve", "--help")
    assert code == 0
    line = next(line for line in out.splitlines() if "--workers" in line)
    assert "[default: 0]" not in line and not re.search(r"\[default: \d+\]", line), line
    assert "default: 2 × CPU cores + 1" in line, line
    assert "--no-debug" in out


def test_workers_zero_is_refused(tmp_path):
    code, _, err = run_cli("serve", "--prod", "--workers", "0", cwd=tmp_path)
    assert code == 2 and "Traceback" not in err
