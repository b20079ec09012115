"""The pages of ``docs/``: which files there are, their titles, their order and their URLs.

A page is named by its *key*, the tuple of URL segments below ``/docs``:
``docs/index.md`` is ``()``, ``docs/guide/index.md`` is ``("guide",)``,
``docs/guide/install.md`` is ``("guide", "install")``. Pages are found by walking the
folder with ``os.scandir``; a request only ever looks a key up in that table, so no
URL can name a file the walk did not find. Names starting with ``.`` or ``_`` are
skipped, and so is a symlink whose target lies outside ``docs/``.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

Key = tuple[str, ...]

#: Keys WolfPy's own pages use; a Markdown file with one of these names is not served.
RESERVED = {("search",)}
#: The pages generated from the app (``_`` keeps them apart from any file of docs/).
ROUTES_KEY: Key = ("_app", "routes")
API_KEY: Key = ("_app", "api")

_H1 = re.compile(r"^#\s+(.+?)\s*#*\s*$")
_FENCE = re.compile(r"^(```|~~~)")
_MAX_FILES = 10_000


@dataclass
class Page:
    key: Key
    title: str
    path: Path | None = None        #: the Markdown file; None for a generated page
    rel: str = ""                   #: its path below docs/, with "/" ("guide/index.md")


@dataclass
class Folder:
    """A node of the navigation: a folder, its index page (if any) and its children."""

    key: Key
    title: str
    page: Page | None = None
    pages: list[Page] = field(default_factory=list)
    folders: list["Folder"] = field(default_factory=list)


def humanize(name: str) -> str:
    text = name.replace("-", " ").replace("_", " ").strip()
    return text[:1].upper() + text[1:] if text else name


def first_heading(path: Path) -> str | None:
    """The text of the first ``# Title`` line outside fenced code, if any."""
    fenced = False
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            for n, line in enumerate(f):
                if n > 200:
                    return None
                if _FENCE.match(line):
                    fenced = not fenced
                elif not fenced:
                    m = _H1.match(line.rstrip("\n"))
                    if m:
                        return m.group(1)
    except OSError:
        return None
    return None


def inside(root: str, path: str) -> bool:
    """True when ``path`` (after resolving symlinks) lies inside ``root``."""
    real = os.path.realpath(path)
    try:
        return os.path.commonpath([root, real]) == root
    except ValueError:
        return False


def walk(docs: Path) -> tuple[dict[Key, Page], list[str], tuple[tuple[str, int, int], ...]]:
    """(pages by key, the other files (images...) as relative paths, a signature).

    The signature (names, modification times and sizes) changes whenever a file is
    added, removed or edited: the site re-renders when it does (in development).
    """
    pages: dict[Key, Page] = {}
    files: list[str] = []
    sig: list[tuple[str, int, int]] = []
    if not docs.is_dir():
        return pages, files, ()
    root = os.path.realpath(docs)
    stack: list[tuple[str, tuple[str, ...]]] = [(root, ())]
    while stack and len(sig) < _MAX_FILES:
        folder, parts = stack.pop()
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:
            continue
        for entry in entries:
            name = entry.name
            if name.startswith((".", "_")) or not inside(root, entry.path):
                continue
            if entry.is_dir():
                stack.append((entry.path, parts + (name,)))
                continue
            if not entry.is_file():
                continue
            st = entry.stat()
            rel = "/".join(parts + (name,))
            sig.append((rel, st.st_mtime_ns, st.st_size))
            if not name.endswith(".md"):
                files.append(rel)
                continue
            stem = name[:-3]
            key = parts if stem == "index" else parts + (stem,)
            if key in RESERVED or (stem != "index" and key in pages):
                continue
            path = Path(entry.path)
            title = first_heading(path) or (humanize(parts[-1]) if stem == "index" and parts else
                                            "Home" if stem == "index" else humanize(stem))
            pages[key] = Page(key, title, path, rel)
    return pages, sorted(files), tuple(sorted(sig))


def navigation(pages: dict[Key, Page], order: list[str]) -> Folder:
    """The folder tree of ``pages``; ``order`` lists relative paths ("guide", "guide/install")
    that come first in their folder, in that order; the rest follow by title."""
    rank = {item.strip("/").removesuffix(".md"): n for n, item in enumerate(order)}
    home = pages.get(())
    root = Folder((), home.title if home is not None else "Home", home)
    folders: dict[Key, Folder] = {(): root}

    def folder(key: Key) -> Folder:
        if key not in folders:
            parent = folder(key[:-1])
            node = Folder(key, humanize(key[-1]))
            folders[key] = node
            parent.folders.append(node)
        return folders[key]

    for key, page in pages.items():
        if not key or key[0] == "_app":
            continue
        if page.path is not None and page.rel.endswith("/index.md"):
            node = folder(key)
            node.page = page
            node.title = page.title
        else:
            folder(key[:-1]).pages.append(page)

    def sort_key(key: Key, title: str) -> tuple[int, str]:
        return rank.get("/".join(key), len(rank)), title.lower()

    for node in folders.values():
        node.pages.sort(key=lambda p: sort_key(p.key, p.title))
        node.folders.sort(key=lambda f: sort_key(f.key, f.title))
    return root
