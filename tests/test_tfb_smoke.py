"""The TechEmpower comparison keeps working for WolfPy: a quick run of benchmarks/tfb/run.py
starts WolfPy under gunicorn and uvicorn (with and without its default middleware) and as
`wolfpy serve --prod` runs it, on a
PostgreSQL database of its own, checks all six test types against the rules, times them
with wrk and writes the results file."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from tests.services import service_url

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parent.parent
TESTS = ["json", "db", "queries", "fortunes", "updates", "plaintext"]
SERVERS = ["WolfPy (default mw) / gunicorn", "WolfPy (default mw) / uvicorn",
           "WolfPy (default mw) / serve --prod", "WolfPy (no mw) / gunicorn", "WolfPy (no mw) / uvicorn"]


def _drop(server_url: str, name: str) -> None:
    import psycopg2
    conn = psycopg2.connect(server_url)
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        conn.close()


def test_quick_tfb_run_verifies_and_times_all_six_tests_for_wolfpy(tmp_path):
    server_url = service_url("postgres")
    if shutil.which("wrk") is None:
        if os.environ.get("WOLFPY_REQUIRE_SERVICES") == "1":
            pytest.fail("wrk is not installed (scripts/test.sh installs it as root)")
        pytest.skip("wrk is not installed (apt-get install -y wrk)")
    name = f"wolfpy_tfb_{uuid.uuid4().hex[:10]}"
    out = tmp_path / "RESULTS.md"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    try:
        proc = subprocess.run(
            [sys.executable, "benchmarks/tfb/run.py", "--quick", "--duration", "1", "--frameworks", "wolfpy",
             "--database-url", server_url, "--database-name", name, "--out", str(out)],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=150)
    finally:
        _drop(server_url, name)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    text = out.read_text()
    assert "| server | " + " | ".join(TESTS) + " |" in text
    for server in SERVERS:
        verification = next(ln for ln in text.splitlines() if ln.startswith(f"| {server} |") and "pass" in ln)
        assert verification == f"| {server} | " + " | ".join(["pass"] * 6) + " |", text
        timed = [ln for ln in text.splitlines() if ln.startswith(f"| {server} |") and "req" not in ln
                 and "pass" not in ln]
        assert len(timed) == 1, text
        rates = re.findall(r"\| ([\d,]+) \(", timed[0])
        assert len(rates) == 6 and all(int(r.replace(",", "")) > 0 for r in rates), timed[0]
    assert "Failures:" not in text
    assert f"database `{name}`" in text
