"""docs/architecture.md is the map of the package: every module is on it, and its rules hold."""
from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "architecture.md"
# A module's row in the tables: | `wolfpy/http/request.py` | its job |
_ROW = re.compile(r"^\|\s*`(wolfpy/[\w/]+\.py)`\s*\|\s*\S", re.M)
_MENTION = re.compile(r"`(wolfpy/[\w/]+\.py)`")


def package_modules() -> set[str]:
    return {p.relative_to(ROOT).as_posix() for p in (ROOT / "wolfpy").rglob("*.py")
            if "__pycache__" not in p.parts}


def test_every_module_has_a_row_with_its_job() -> None:
    listed = _ROW.findall(DOC.read_text(encoding="utf-8"))
    missing = sorted(package_modules() - set(listed))
    assert not missing, ("docs/architecture.md has no row `| `wolfpy/...py` | job |` for: "
                         + ", ".join(missing))
    twice = sorted({m for m in listed if listed.count(m) > 1})
    assert not twice, f"docs/architecture.md lists these modules twice: {twice}"


def test_the_map_names_no_module_that_does_not_exist() -> None:
    gone = sorted(set(_MENTION.findall(DOC.read_text(encoding="utf-8"))) - package_modules())
    assert not gone, f"docs/architecture.md names modules that do not exist: {gone}"


def _imports(path: Path, source: str | None = None) -> list[str]:
    """Absolute names of the wolfpy modules ``path`` imports (relative imports resolved)."""
    package = path.relative_to(ROOT).with_suffix("").parts[:-1]
    names = []
    text = path.read_text(encoding="utf-8") if source is None else source
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = list(package[: len(package) - node.level + 1]) if node.level else []
            module = ".".join([*base, *(node.module.split(".") if node.module else [])])
            names.append(module)
            names += [f"{module}.{alias.name}" for alias in node.names]
    return [n for n in names if n == "wolfpy" or n.startswith("wolfpy.")]


def test_http_and_routing_are_sans_io() -> None:
    """The rule the map states: wolfpy/http and wolfpy/routing never import the adapters."""
    offenders = []
    for folder in ("http", "routing"):
        for path in sorted((ROOT / "wolfpy" / folder).rglob("*.py")):
            bad = [n for n in _imports(path) if n.startswith("wolfpy.adapters")]
            if bad:
                offenders.append(f"{path.relative_to(ROOT)} imports {bad[0]}")
    assert not offenders, offenders


def test_the_import_check_sees_relative_imports() -> None:
    """The check above can fail: a relative import of the adapters, even a lazy one, is seen."""
    module = ROOT / "wolfpy" / "http" / "request.py"
    lazy = "def f():\n    from ..adapters.wsgi import WSGIIO\n"
    assert "wolfpy.adapters.wsgi" in _imports(module, lazy)
    assert not [n for n in _imports(module) if n.startswith("wolfpy.adapters")]
