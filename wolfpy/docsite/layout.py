"""The HTML around a docs page: header with search, navigation tree, page, table of contents.

Everything dynamic is escaped here; the page body comes from :mod:`.render`, already
safe. The stylesheet and the search script are files of this package
(``assets/``), served at ``/docs/_assets/`` and copied into ``site/_assets/``; no CDN.
"""
from __future__ import annotations

from html import escape, unescape
from pathlib import Path
from typing import Any, Callable

from .tree import Folder, Key

ASSETS = Path(__file__).parent / "assets"
ASSET_TYPES = {"docs.css": "text/css; charset=utf-8", "search.js": "text/javascript; charset=utf-8"}


def asset(name: str) -> str:
    text = (ASSETS / name).read_text(encoding="utf-8")
    if name == "docs.css":
        from .render import highlight_css
        text += "\n" + highlight_css()
    return text


def _link(url: str, title: str, current: bool) -> str:
    extra = ' aria-current="page"' if current else ""
    return f'<a href="{escape(url)}"{extra}>{escape(title)}</a>'


def nav_html(tree: Folder, generated: list[tuple[Key, str]], url: Callable[[Key], str],
             current: Key | None) -> str:
    def folder(node: Folder) -> str:
        items = [f"<li>{_link(url(p.key), p.title, p.key == current)}</li>" for p in node.pages]
        for sub in node.folders:
            head = (_link(url(sub.key), sub.title, sub.key == current) if sub.page is not None
                    else f"<span>{escape(sub.title)}</span>")
            items.append(f'<li class="folder">{head}{folder(sub)}</li>')
        return f"<ul>{''.join(items)}</ul>" if items else ""

    home = _link(url(()), tree.title, current == ()) if tree.page is not None else ""
    out = f'<div class="home">{home}</div>{folder(tree)}'
    if generated:
        items = "".join(f"<li>{_link(url(k), t, k == current)}</li>" for k, t in generated)
        out += f'<p class="nav-title">This app</p><ul>{items}</ul>'
    return out


def toc_html(tokens: list[dict[str, Any]], depth: int = 0) -> str:
    if not tokens or depth > 2:
        return ""
    # A token's name is escaped already (Markdown's toc): unescape it so it is escaped once.
    items = "".join(f'<li><a href="#{escape(t["id"])}">{escape(unescape(t["name"]))}</a>'
                    f'{toc_html(t.get("children", []), depth + 1)}</li>' for t in tokens)
    return f"<ul>{items}</ul>"


def layout(*, site: str, title: str, body: str, nav: str, toc: str, root: str, home: str, search: str,
           assets: str) -> str:
    aside = f'<aside class="toc"><p class="nav-title">On this page</p>{toc}</aside>' if toc else ""
    return (
        '<!doctype html>\n<html lang="en" data-root="' + escape(root) + '">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)} · {escape(site)}</title>\n"
        f'<link rel="stylesheet" href="{escape(assets)}/docs.css">\n</head>\n<body>\n'
        f'<header><a class="site" href="{escape(home)}">{escape(site)}</a>'
        f'<form class="search" action="{escape(search)}" method="get" role="search">'
        '<input id="docs-search" name="q" type="search" placeholder="Search the docs" '
        'aria-label="Search the docs" autocomplete="off"><ol id="docs-search-results" hidden></ol></form></header>\n'
        f'<div class="layout"><nav class="sidebar" aria-label="Pages">{nav}</nav>\n'
        f'<main>{body}</main>\n{aside}</div>\n'
        f'<script src="{escape(assets)}/search.js"></script>\n</body>\n</html>\n')
