"""``wolfpy docs build``: the docs site as static files in ``site/``.

Every link is relative, so the folder works opened from disk (``file://``) and from
any static host under any path. Search runs in the page from
``_assets/search-index.js`` (a script, which a page opened from disk may load; the
same index is also written as ``_assets/search-index.json``). ``.nojekyll`` keeps
GitHub Pages from hiding the ``_assets`` and ``_app`` folders.
"""
from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from ..errors import WolfPyError
from .layout import ASSET_TYPES, asset
from .site import Site

MARKER = ".wolfpy-docs"


def load_app(project: Any) -> Any:
    """The project's app with every route known (its own, its plugins', the built-ins')."""
    from ..app import App
    app = App(project, debug=True)
    app.load_routes()
    app.apply_extensions()
    app.router.compile()
    return app


def build(app: Any, out: Path) -> list[Path]:
    """Write the site of ``app`` into ``out``; the files written (pages first).

    Raises:
        WolfPyError: ``out`` holds files that an earlier build did not write, or the
            project has no ``docs/`` folder.
    """
    if app.project is None or not app.project.docs.is_dir():
        raise WolfPyError("this project has no docs/ folder: add docs/index.md first")
    if out.exists():
        if not out.is_dir() or (any(out.iterdir()) and not (out / MARKER).is_file()):
            raise WolfPyError(f"{out} exists and was not written by `wolfpy docs build`: "
                              "move it away or choose another folder with --out")
        shutil.rmtree(out)
    site = Site(app, static=True)
    written: list[Path] = []

    def write(rel: str, text: str) -> None:
        path = out.joinpath(*rel.split("/"))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)

    out.mkdir(parents=True)
    for key, page in sorted(site.pages.items()):
        write(site.file_of(key, site.pages), site.html(page))
    write("search.html", site.search_page(None))
    for name in ASSET_TYPES:
        write(f"_assets/{name}", asset(name))
    write("_assets/search-index.js", site.index_script())
    write("_assets/search-index.json", site.index_json())
    for rel in site.files:
        target = out.joinpath(*rel.split("/"))
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(site.root.joinpath(*rel.split("/")), target)
        written.append(target)
    (out / ".nojekyll").write_text("")
    (out / MARKER).write_text("written by `wolfpy docs build`; the whole folder is replaced on each build\n")
    return written
