"""The benchmark command keeps working: a short run checks every WolfPy answer before timing it
(it exits 1 when one is wrong) and writes the Markdown table the README quotes."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_quick_benchmark_run_writes_the_table(tmp_path):
    out = tmp_path / "results.md"
    proc = subprocess.run(
        [sys.executable, "benchmarks/run.py", "--quick", "--cases", "plaintext,param,json,404,form",
         "--frameworks", "wolfpy-wsgi,wolfpy-asgi,bare-wsgi,bare-asgi", "--no-counts", "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    table = out.read_text()
    assert "| case | WolfPy WSGI | WolfPy ASGI | bare WSGI | bare ASGI |" in table
    row = next(line for line in table.splitlines() if line.startswith("| plaintext"))
    rates = [int(n.replace(",", "")) for n in re.findall(r"\| ([\d,]+) ", row + " ")]
    assert len(rates) == 4 and all(rate > 0 for rate in rates)
    assert "Failed checks" not in table
