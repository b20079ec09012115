"""The documentation site of one app: its pages in the layout, its search index, its search.

A :class:`Site` serves two ways. *Live* (``/docs`` on the app's server): URLs are
absolute (``/docs/guide/install``) and, with debug on, every request checks whether a
file under ``docs/`` changed and re-renders if so. *Static* (``wolfpy docs build``):
every URL is relative (``../guide/install.html``), so the files work opened from disk
and from any static host under any path.
"""
from __future__ import annotations

import html
import json
import posixpath
import re
import threading
from pathlib import Path
from typing import Any

from . import DOCS_URL
from .generated import api_markdown, has_api, routes_markdown
from .layout import layout, nav_html, toc_html
from .render import Rendered, page_key, render
from .tree import API_KEY, ROUTES_KEY, Key, Page, navigation, walk

MAX_QUERY = 200
MAX_TERMS = 8
MAX_RESULTS = 30
_WORD = re.compile(r"\w+")


class Site:
    """The docs site of ``app`` (whose project has a ``docs/`` folder)."""

    def __init__(self, app: Any, *, static: bool = False, watch: bool = False) -> None:
        self.app = app
        self.static = static
        self.watch = watch
        self.root: Path = app.project.docs
        get = app.settings.get
        self.allow_html = bool(get("docs", "allow_html", False))
        self.order = [str(x) for x in (get("docs", "order", None) or [])]
        self.title = str(get("docs", "title", "") or "") or str(app.settings.app.name)
        self._lock = threading.Lock()
        self._sig: Any = None
        self._pages: dict[Key, Page] = {}
        self._files: list[str] = []
        self._cache: dict[Key, Rendered] = {}
        self._index: list[dict[str, str]] | None = None

    # -- the pages ------------------------------------------------------------
    def refresh(self) -> None:
        """Read the folder again if it changed (always with ``watch``, once without)."""
        if self._sig is not None and not self.watch:
            return
        pages, files, sig = walk(self.root)
        with self._lock:
            if sig == self._sig:
                return
            if has_api(self.app):
                pages[API_KEY] = Page(API_KEY, "API reference")
            pages[ROUTES_KEY] = Page(ROUTES_KEY, "Routes")
            self._pages, self._files, self._sig = pages, files, sig
            self._cache = {}
            self._index = None

    @property
    def pages(self) -> dict[Key, Page]:
        self.refresh()
        return self._pages

    @property
    def files(self) -> list[str]:
        self.refresh()
        return self._files

    def find(self, segments: list[str]) -> Page | None:
        """The page at URL segments below /docs, or None (never a file the walk did not find)."""
        return self.pages.get(tuple(segments))

    # -- URLs -----------------------------------------------------------------
    @staticmethod
    def file_of(key: Key, pages: dict[Key, Page]) -> str:
        """The page's file in the static site: ``guide/index.html``, ``guide/install.html``."""
        page = pages.get(key)
        if not key or (page is not None and page.rel.endswith("index.md")) or \
                (page is None and any(k[:len(key)] == key and len(k) > len(key) for k in pages)):
            return "/".join(key + ("index.html",))
        return "/".join(key) + ".html"

    def here(self, key: Key | None) -> str:
        """The static file of the page being written (``search.html`` for the search page)."""
        return "search.html" if key is None else self.file_of(key, self._pages)

    def url(self, key: Key, frm: Key | None = ()) -> str:
        if not self.static:
            return DOCS_URL + "".join("/" + part for part in key)
        return self.relative(self.file_of(key, self._pages), frm)

    def relative(self, target: str, frm: Key | None) -> str:
        """``target`` (a path below the site root) relative to the page ``frm``'s folder."""
        if not self.static:
            return DOCS_URL + "/" + target
        start = posixpath.dirname(self.here(frm)) or "."
        if not target:  # the site's root folder, as a prefix: "" or "../"
            up = posixpath.relpath(".", start)
            return "" if up == "." else up + "/"
        return posixpath.relpath(target, start)

    # -- rendering ------------------------------------------------------------
    def rendered(self, page: Page) -> Rendered:
        cached = self._cache.get(page.key)
        if cached is not None:
            return cached
        if page.key == ROUTES_KEY:
            text, rel = routes_markdown(self.app), "_app/routes.md"
        elif page.key == API_KEY:
            text, rel = api_markdown(self.app), "_app/api.md"
        else:
            assert page.path is not None
            text, rel = page.path.read_text(encoding="utf-8", errors="replace"), page.rel

        def link(target: str, original: str) -> str:
            key = page_key(target)
            if key is None and tuple(target.split("/")) in self._pages:  # a page named by its URL
                key = tuple(target.split("/"))
            if key is not None:
                return self.url(key, page.key) if key in self._pages else original
            return self.relative(target, page.key)

        generated = page.path is None
        out = render(text, rel, link, allow_html=self.allow_html and not generated)
        self._cache[page.key] = out
        return out

    def html(self, page: Page) -> str:
        out = self.rendered(page)
        return self._wrap(out.title or page.title, out.html, page.key, toc_html(out.toc))

    def _wrap(self, title: str, body: str, key: Key | None, toc: str = "") -> str:
        tree = navigation(self._pages, self.order)
        generated = [(k, self._pages[k].title) for k in (ROUTES_KEY, API_KEY) if k in self._pages]
        nav = nav_html(tree, generated, lambda k: self.url(k, key), key)
        return layout(
            site=self.title, title=title, body=body, nav=nav, toc=toc,
            root=self.relative("", key) if self.static else DOCS_URL + "/",
            home=self.url((), key), search=self.relative("search.html", key) if self.static else DOCS_URL + "/search",
            assets=self.relative("_assets", key))

    # -- search ---------------------------------------------------------------
    def index(self) -> list[dict[str, str]]:
        """One entry per section of every page: title, heading, URL (below the site root), text."""
        self.refresh()
        if self._index is None:
            entries = []
            for key, page in sorted(self._pages.items()):
                out = self.rendered(page)
                target = self.file_of(key, self._pages) if self.static else "/".join(key)
                for section in out.sections:
                    url = target + ("#" + section.anchor if section.anchor else "")
                    entries.append({"t": out.title or page.title, "h": section.heading, "u": url,
                                    "x": section.text})
            self._index = entries
        return self._index

    def search(self, query: str) -> list[dict[str, str]]:
        """Sections holding every word of ``query``, best first (the same rule as the page script)."""
        terms = [t for t in _WORD.findall(query[:MAX_QUERY].lower())][:MAX_TERMS]
        if not terms:
            return []
        scored = []
        for n, entry in enumerate(self.index()):
            head = (entry["t"] + " " + entry["h"]).lower()
            hay = head + " " + entry["x"].lower()
            if all(t in hay for t in terms):
                score = sum(10 * (t in head) + min(hay.count(t), 5) for t in terms)
                scored.append((-score, n, entry))
        scored.sort(key=lambda item: (item[0], item[1]))
        return [dict(entry, s=snippet(entry["x"], terms)) for _, _, entry in scored[:MAX_RESULTS]]

    def search_page(self, query: str | None) -> str:
        query = (query or "")[:MAX_QUERY]
        if self.static or not query:
            results = ""
        else:
            found = self.search(query)
            items = "".join(
                f'<li><a href="{html.escape(DOCS_URL + "/" + r["u"])}">{html.escape(r["t"])}'
                f'{" › " + html.escape(r["h"]) if r["h"] and r["h"] != r["t"] else ""}</a>'
                f'<p>{html.escape(r["s"])}</p></li>' for r in found)
            results = (f"<p>{len(found)} result{'s' if len(found) != 1 else ''} for "
                       f"<strong>{html.escape(query)}</strong></p><ol class=\"results\">{items}</ol>")
        body = (f'<h1>Search</h1><form action="{html.escape(self.relative("search.html", None) if self.static else DOCS_URL + "/search")}" '
                f'method="get" role="search"><input name="q" type="search" value="{html.escape(query)}" '
                f'aria-label="Search the docs"> <button>Search</button></form>'
                f'<div id="search-page-results" data-static="{1 if self.static else 0}">{results}</div>')
        self.refresh()
        return self._wrap("Search", body, None)

    def index_json(self) -> str:
        return json.dumps(self.index(), ensure_ascii=True, separators=(",", ":"))

    def index_script(self) -> str:
        # A script (not only JSON): a page opened from disk may load a <script src> but
        # not fetch() a file.
        return "window.WOLFPY_DOCS_INDEX=" + self.index_json() + ";\n"


def snippet(text: str, terms: list[str], width: int = 160) -> str:
    low = text.lower()
    at = min((low.find(t) for t in terms if t in low), default=0)
    start = max(0, at - width // 3)
    part = text[start:start + width]
    return ("…" if start else "") + part + ("…" if start + width < len(text) else "")
