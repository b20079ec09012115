"""benchmarks/realtime_fanout.py keeps working: a tiny run of WolfPy alone delivers every
broadcast to every socket and prints its line."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.e2e


def test_tiny_fanout_run() -> None:
    proc = subprocess.run([sys.executable, "benchmarks/realtime_fanout.py", "--only", "wolfpy", "--processes", "1",
                           "--sockets", "20", "--broadcasts", "5", "--rounds", "1"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    line = re.search(r"wolfpy\s+1 process\s*:\s+([\d,]+) deliveries/s\s+p50\s+([\d.]+) ms\s+p99\s+([\d.]+) ms",
                     proc.stdout)
    assert line, proc.stdout
    assert int(line.group(1).replace(",", "")) > 0
