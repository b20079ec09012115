"""How much a rebuild after one change costs, as a share of a cold build of ``assets/``.

Makes a project of 200 SCSS files (40 entry points, 160 partials: four shared ones
(tokens, mixins, a reset, an index) and 39 component folders of four partials each), then times

- a cold build: a new :class:`~wolfpy.assets.builder.Builder` (so a new Dart Sass
  process) building everything into ``static/dist/``;
- a rebuild after one component partial changed, with the builder kept alive, as
  ``wolfpy assets watch`` and ``wolfpy serve`` keep it.

Each is the median of ``--repeat`` runs; the ratio is rebuild / cold (the target is
under 0.20).

    python benchmarks/assets_rebuild.py [--repeat 5] [--json]
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from wolfpy.assets.builder import Builder  # noqa: E402
from wolfpy.project import Project  # noqa: E402

ENTRIES = 40
COMPONENTS = 39
TARGET = 0.20


def make_project(root: Path) -> tuple[Path, int]:
    """The project and its number of SCSS files (200)."""
    css = root / "assets" / "css"
    (root / "wolfpy.toml").write_text('[app]\nname = "bench"\n')
    files = {
        "base/_tokens.scss": "$space: 4px;\n$ink: #222;\n$paper: #fff;\n$accent: #c33;\n",
        "base/_mixins.scss": '@use "tokens" as t;\n@mixin pad($n) { padding: $n * t.$space; }\n'
                             "@mixin ring { outline: 2px solid t.$accent; }\n",
        "base/_index.scss": '@forward "tokens";\n@forward "mixins";\n',
        "base/_reset.scss": "*, *::before { box-sizing: border-box; }\nbody { margin: 0; }\n",
    }
    for c in range(COMPONENTS):
        for part in ("layout", "theme", "states", "index"):
            if part == "index":
                text = '@forward "layout";\n@forward "theme";\n@forward "states";\n'
            else:
                rules = "\n".join(f".c{c}-{part}-{k} {{ @include b.pad({k}); color: b.$ink; "
                                  f"&:hover {{ @include b.ring; }} }}" for k in range(12))
                text = f'@use "../../base" as b;\n@mixin {part}-{c}() {{\n{rules}\n}}\n'
            files[f"components/c{c}/_{part}.scss"] = text
    for e in range(ENTRIES):
        c = e % COMPONENTS
        files[f"page{e}.scss"] = (f'@use "base";\n@use "base/reset";\n'
                                  f'@use "components/c{c}" as comp;\n'
                                  f"@include comp.layout-{c};\n@include comp.theme-{c};\n@include comp.states-{c};\n"
                                  f".page{e} {{ @include base.pad(3); background: base.$paper; }}\n")
    for rel, text in files.items():
        path = css / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root, len(files)


def measure(repeat: int) -> dict[str, float]:
    colds: list[float] = []
    rebuilds: list[float] = []
    rebuilt = 0
    with tempfile.TemporaryDirectory() as tmp:
        root, count = make_project(Path(tmp))
        project = Project(root)
        changed = root / "assets/css/components/c7/_theme.scss"
        original = changed.read_text()
        for i in range(repeat):
            Builder(project).clean()
            started = time.perf_counter()
            with Builder(project) as builder:
                report = builder.build()
                colds.append(time.perf_counter() - started)
                assert report.ok and len(report.built) == ENTRIES, report.errors
                changed.write_text(original.replace("color: b.$ink", f"color: #{i:03d}"))
                started = time.perf_counter()
                report = builder.rebuild([changed])
                rebuilds.append(time.perf_counter() - started)
                assert report.ok, report.errors
                rebuilt = len(report.built)
    cold, rebuild = statistics.median(colds), statistics.median(rebuilds)
    return {"scss_files": count, "entry_points": ENTRIES, "rebuilt_entry_points": rebuilt,
            "cold_ms": round(cold * 1000, 1), "rebuild_ms": round(rebuild * 1000, 1),
            "ratio": round(rebuild / cold, 3)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    result = measure(max(1, args.repeat))
    if args.json:
        print(json.dumps(result))
    else:
        print(f"{result['scss_files']} SCSS files, {result['entry_points']} entry points")
        print(f"cold build:             {result['cold_ms']:8.1f} ms")
        print(f"rebuild after 1 change: {result['rebuild_ms']:8.1f} ms "
              f"({result['rebuilt_entry_points']} of {result['entry_points']} entry points recompiled)")
        print(f"ratio rebuild / cold:   {result['ratio']:8.3f} (target < {TARGET})")
    return 0 if result["ratio"] < TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
