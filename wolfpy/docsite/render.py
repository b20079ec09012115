"""One page's Markdown to HTML, safely.

Python-Markdown with ``tables``, ``fenced_code``, ``codehilite`` (Pygments, CSS
classes, no inline styles), ``toc`` and ``admonition``. Raw HTML in the Markdown is
shown as text unless ``[docs] allow_html = true``: the block and inline HTML readers
are removed, so ``<script>`` or ``<img onerror=...>`` reach the page escaped. Link
and image URLs keep only the ``http``, ``https`` and ``mailto`` schemes (a
``javascript:`` link loses its ``href``), and relative links to ``.md`` files are
rewritten to the pages' URLs.
"""
from __future__ import annotations

import posixpath
import re
from html import unescape
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import Any, Callable

import markdown
from markdown.extensions import Extension as MarkdownExtension
from markdown.treeprocessors import Treeprocessor
from markdown.util import AMP_SUBSTITUTE

from .tree import Key

_SAFE_SCHEMES = {"http", "https", "mailto"}
_CONTROL = re.compile(r"[\x00-\x20\x7f]+")
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")
_PLACEHOLDER = re.compile("\x02wzxhzdk:\\d+\x03")
_SPACES = re.compile(r"\s+")
MAX_SECTION_TEXT = 20_000


@dataclass
class Section:
    """A part of a page for the search index: its heading, anchor and text."""

    heading: str
    anchor: str
    text: str = ""


@dataclass
class Rendered:
    html: str
    title: str | None
    toc: list[dict[str, Any]]
    sections: list[Section] = field(default_factory=list)


def safe_url(url: str) -> str | None:
    """``url`` if it is relative or uses an allowed scheme, else None.

    The scheme is judged after decoding character references (``java&#115;cript:``,
    ``&colon;``), as the browser decodes them in the attribute.
    """
    squeezed = _CONTROL.sub("", unescape(url.replace(AMP_SUBSTITUTE, "&")))
    m = _SCHEME.match(squeezed)
    if m and m.group(1).lower() not in _SAFE_SCHEMES:
        return None
    return url


class _Pages(Treeprocessor):
    """Rewrites links, drops unsafe URLs and collects the sections for search."""

    def __init__(self, md: markdown.Markdown, rel: str, link: Callable[[str, str], str]) -> None:
        super().__init__(md)
        self.rel = rel
        self.link = link
        self.sections: list[Section] = []

    def run(self, root: ET.Element) -> None:
        for el in root.iter():
            for attr in ("href", "src"):
                value = el.get(attr)
                if value is None:
                    continue
                safe = safe_url(value)
                if safe is None:
                    del el.attrib[attr]
                elif not _SCHEME.match(safe) and not safe.startswith(("/", "#")):
                    el.set(attr, self._rewrite(safe))
        current = Section("", "")
        self.sections = [current]
        for child in root:
            if child.tag in ("h1", "h2", "h3"):
                current = Section(_heading_text(child), child.get("id", ""))
                self.sections.append(current)
            elif len(current.text) < MAX_SECTION_TEXT:
                current.text = (current.text + " " + _text(child)).strip()[:MAX_SECTION_TEXT]

    def _rewrite(self, url: str) -> str:
        path, hash_, frag = url.partition("#")
        path, q, query = path.partition("?")
        target = posixpath.normpath(posixpath.join(posixpath.dirname(self.rel), path))
        if target.startswith("..") or target.startswith("/"):
            return url
        return self.link(target, path) + (q + query) + (hash_ + frag)


def _heading_text(el: ET.Element) -> str:
    parts = [el.text or ""]
    for sub in el:
        if sub.get("class") != "headerlink":
            parts.append("".join(sub.itertext()))
        parts.append(sub.tail or "")
    return _SPACES.sub(" ", "".join(parts)).strip()


def _text(el: ET.Element) -> str:
    return _SPACES.sub(" ", _PLACEHOLDER.sub(" ", "".join(el.itertext()))).strip()


class _PagesExtension(MarkdownExtension):
    def __init__(self, processor_args: tuple[str, Callable[[str, str], str]]) -> None:
        super().__init__()
        self.processor_args = processor_args
        self.processor: _Pages | None = None

    def extendMarkdown(self, md: markdown.Markdown) -> None:
        self.processor = _Pages(md, *self.processor_args)
        # After "toc" (priority 5), so the headings have their ids.
        md.treeprocessors.register(self.processor, "wolfpy_pages", 1)


def render(text: str, rel: str, link: Callable[[str, str], str], *, allow_html: bool = False) -> Rendered:
    """Render ``text``, the page at ``rel`` (``guide/install.md``).

    ``link(target, original)`` turns a relative link's target path below docs/
    (``guide/setup.md``, ``images/a.png``) into the URL the page should use.
    """
    pages = _PagesExtension((rel, link))
    md = markdown.Markdown(
        extensions=["tables", "fenced_code", "codehilite", "toc", "admonition", "sane_lists", pages],
        extension_configs={
            "codehilite": {"guess_lang": False, "css_class": "highlight"},
            "toc": {"permalink": "#", "permalink_title": "Link to this section"},
        },
        output_format="html",
    )
    if not allow_html:
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
    html = md.convert(text)
    tokens = getattr(md, "toc_tokens", [])
    title = tokens[0]["name"] if tokens and tokens[0]["level"] == 1 else None
    toc = tokens[0]["children"] if title is not None and len(tokens) == 1 else tokens
    sections = pages.processor.sections if pages.processor is not None else []
    return Rendered(html, unescape(title) if title else None, toc, [s for s in sections if s.text or s.heading])


def highlight_css() -> str:
    """The Pygments stylesheet for ``.highlight`` blocks."""
    from pygments.formatters import HtmlFormatter
    return str(HtmlFormatter(style="default").get_style_defs(".highlight"))


def page_key(target: str) -> Key | None:
    """The page key of ``guide/install.md`` (``("guide", "install")``), or None for another file."""
    if not target.endswith(".md"):
        return None
    parts = tuple(target[:-3].split("/"))
    return parts[:-1] if parts[-1] == "index" else parts
