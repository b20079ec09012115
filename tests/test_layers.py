"""The package keeps its shape (docs/architecture.md): the sans-IO layers import nothing
above them, no two modules import each other (imports inside functions count), and no
module grows past 500 lines."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "wolfpy"
MAX_LINES = 500
#: What the sans-IO layers may import from the rest of WolfPy: the error classes, the
#: protocol type aliases and the table of supported types (itself import-free).
BASE = {"wolfpy.errors", "wolfpy.types", "wolfpy.typetable"}


def module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def imports(name: str) -> set[str]:
    """The wolfpy modules ``name`` imports when it runs: at the top and inside functions,
    not under ``if TYPE_CHECKING:`` (never executed)."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()

    def resolve(module: str | None, level: int) -> str:
        if not level:
            return module or ""
        base = package.split(".")
        base = base[:len(base) - (level - 1)]
        return ".".join(base + ([module] if module else []))

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _type_checking(child):
                for sub in child.orelse:
                    visit(sub)
                continue
            if isinstance(child, ast.Import):
                found.update(a.name for a in child.names)
            elif isinstance(child, ast.ImportFrom):
                target = resolve(child.module, child.level)
                for alias in child.names:
                    sub = f"{target}.{alias.name}"
                    found.add(sub if sub in MODULES else target)
            visit(child)

    visit(ast.parse(path.read_text(encoding="utf-8")))
    out = set()
    for target in found:
        while target and target not in MODULES:
            target = target.rpartition(".")[0]
        if target.startswith("wolfpy") and target != name:
            out.add(target)
    return out


GRAPH = {name: imports(name) for name in MODULES}


def _parents(name: str) -> set[str]:
    """Importing ``a.b.c`` runs ``a/__init__`` and ``a/b/__init__`` too; those edges are Python's, not ours."""
    parts = name.split(".")
    return {".".join(parts[:i]) for i in range(1, len(parts))}


def cycles() -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []
    counter = [0]

    def edges(v: str) -> set[str]:
        return {w for w in GRAPH[v] if w not in _parents(v)}

    def strong(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges(v):
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    import sys
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(max(old, 10_000))
    try:
        for v in GRAPH:
            if v not in index:
                strong(v)
    finally:
        sys.setrecursionlimit(old)
    return out


@pytest.mark.parametrize("layer", ["wolfpy.http", "wolfpy.routing"])
def test_the_sans_io_layers_import_nothing_above_them(layer: str) -> None:
    wrong = {f"{name} imports {target}" for name in MODULES if name == layer or name.startswith(layer + ".")
             for target in GRAPH[name]
             if not (target == layer or target.startswith(layer + ".")) and target not in BASE
             and target != "wolfpy"}
    assert not wrong, "\n".join(sorted(wrong))


def test_no_import_cycles() -> None:
    found = cycles()
    assert not found, "import cycles:\n" + "\n".join(" <-> ".join(c) for c in found)


def test_no_module_over_500_lines() -> None:
    sizes = {name: len(path.read_text(encoding="utf-8").splitlines()) for name, path in MODULES.items()}
    big = {name: n for name, n in sizes.items() if n > MAX_LINES}
    assert not big, big


def test_the_checker_sees_imports_inside_functions() -> None:
    """The graph is built from the source, function bodies included (a checker that missed
    them would pass a package full of cycles)."""
    assert "wolfpy.app" in GRAPH["wolfpy.cli.commands.info"] or any(
        t.startswith("wolfpy.app") for t in GRAPH["wolfpy.cli.commands.info"])
