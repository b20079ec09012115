"""examples/hello_plugin, installed into a folder as pip would install it.

``install_plugin(folder)`` copies the package ``acme_hello`` into ``folder`` and writes an
``acme_hello-1.0.dist-info`` whose ``entry_points.txt`` is the ``wolfpy.plugins`` table of the
example's pyproject.toml; putting ``folder`` on ``sys.path`` (or ``PYTHONPATH``) installs it.
The plugin uses nothing but WolfPy's public extension API.
"""
from __future__ import annotations

import shutil
import sys
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "hello_plugin"


def install_plugin(folder: Path) -> Path:
    """Install the example plugin into ``folder`` and return it (add it to sys.path)."""
    meta = tomllib.loads((EXAMPLE / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    shutil.copytree(EXAMPLE / "acme_hello", folder / "acme_hello",
                    ignore=shutil.ignore_patterns("__pycache__"))
    info = folder / f"acme_hello-{meta['version']}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {meta['name']}\nVersion: {meta['version']}\n")
    lines = []
    for group, entries in meta["entry-points"].items():
        lines.append(f"[{group}]")
        lines += [f"{name} = {target}" for name, target in entries.items()]
    (info / "entry_points.txt").write_text("\n".join(lines) + "\n")
    return folder


def uninstall(folder: Path) -> None:
    """Forget the plugin's modules so another test starts from scratch."""
    while str(folder) in sys.path:
        sys.path.remove(str(folder))
    for name in [n for n in sys.modules if n == "acme_hello" or n.startswith("acme_hello.")]:
        del sys.modules[name]
