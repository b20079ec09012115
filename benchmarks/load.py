"""Project loading: `wolfpy.load()` of N route files vs importing the same N modules plainly.

    python benchmarks/load.py [--files 500] [--reps 5] [--base /path/to/old/checkout]

Each measurement runs in a fresh interpreter (nothing cached in sys.modules), after
`import wolfpy` (the framework's own import time is not the thing measured), and the
ratio of the medians is reported. The plain side finds the files with `os.walk` and
imports each with `importlib` (the least any loader must do); the WolfPy side is the
whole `wolfpy.load()`: scanning, name checks, imports, handler binding, router
compilation. Target: load ≤ 1.5× plain import.

The framework runs from a copy of the checkout's ``wolfpy`` package compiled to bytecode
first, as an installed package is (what it imports lazily while loading is then not
compiled on every run); the route files are not compiled beforehand: both sides compile
those. With ``--base``, ``wolfpy.load()`` of an older checkout is measured too, in the
same rotation, and the ratio base ÷ this is printed.
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

PLAIN = """
import importlib.util, os, sys, time
import wolfpy
root = sys.argv[1]
t = time.perf_counter()
paths = []
for folder, dirs, files in os.walk(os.path.join(root, "routes")):
    paths += [os.path.join(folder, f) for f in files if f.endswith(".py")]
for i, path in enumerate(paths):
    spec = importlib.util.spec_from_file_location(f"plain_{i}", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
print(time.perf_counter() - t)
"""

WOLFPY = """
import sys, time
import wolfpy
t = time.perf_counter()
app = wolfpy.load(sys.argv[1])
print(time.perf_counter() - t)
assert len(app.routes) >= int(sys.argv[2])
"""


def make_project(root: Path, n: int) -> None:
    (root / "wolfpy.toml").write_text("[app]\ndebug = false\nsecret_key = '" + "k" * 40 + "'\n")
    for i in range(n):
        folder = root / "routes" / f"section{i % 20}" / f"page{i}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "[id].py").write_text(textwrap.dedent(f"""
            def get(request, id: int):
                return {{"page": {i}, "id": id}}

            async def post(request, id: int):
                return {{"created": {i}}}
        """))


def installed_copy(checkout: Path, dest: Path) -> Path:
    """A copy of the checkout's ``wolfpy`` package under ``dest``, compiled as pip does on install."""
    shutil.copytree(checkout / "wolfpy", dest / "wolfpy", ignore=shutil.ignore_patterns("__pycache__"))
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(dest / "wolfpy")], check=True,
                   stdout=subprocess.DEVNULL)
    return dest


def measure(script: str, root: Path, n: int, checkout: Path = ROOT) -> float:
    out = subprocess.run([sys.executable, "-c", script, str(root), str(n)], check=True,
                         capture_output=True, text=True, cwd=root,
                         env={"PYTHONDONTWRITEBYTECODE": "1", "PATH": "/usr/bin:/bin",
                              "PYTHONPATH": str(checkout)})
    return float(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=500)
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--base", type=Path, help="an older checkout whose wolfpy.load() is measured too")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "project"
        root.mkdir()
        make_project(root, args.files)
        this = installed_copy(ROOT, Path(tmp) / "this")
        runs: dict[str, Any] = {"plain": lambda: measure(PLAIN, root, args.files, this),
                                "this": lambda: measure(WOLFPY, root, args.files, this)}
        if args.base is not None:
            base = installed_copy(args.base.resolve(), Path(tmp) / "base")
            runs["base"] = lambda: measure(WOLFPY, root, args.files, base)
        times: dict[str, list[float]] = {name: [] for name in runs}
        for rep in range(args.reps):  # interleaved and rotated, so machine load hits all alike
            names = list(runs)
            for name in names[rep % len(names):] + names[:rep % len(names)]:
                times[name].append(runs[name]())
    p, w = statistics.median(times["plain"]), statistics.median(times["this"])
    print(f"| {args.files} route files | plain import {p * 1000:.1f} ms | wolfpy.load {w * 1000:.1f} ms "
          f"| ratio {w / p:.2f}× (target ≤ 1.5×) | {'PASS' if w / p <= 1.5 else 'FAIL'} |")
    if "base" in times:
        b = statistics.median(times["base"])
        print(f"| base checkout | wolfpy.load {b * 1000:.1f} ms | base ÷ this {b / w:.2f}× |")


if __name__ == "__main__":
    main()
