"""The project's documentation site: ``docs/**/*.md`` rendered at ``/docs`` and built to ``site/``.

- :mod:`.tree` finds the pages (folders become the navigation) and refuses any path
  that leaves ``docs/``;
- :mod:`.render` turns one page's Markdown into safe HTML (tables, fenced code with
  Pygments, a table of contents, admonitions, relative ``.md`` links rewritten);
- :mod:`.generated` writes the pages made from the app itself: the route table and
  the API reference from its OpenAPI document;
- :mod:`.site` puts pages in the layout, and answers searches;
- :mod:`.extension` mounts the site at ``/docs`` through the public Extension API;
- :mod:`.build` writes the static site, :mod:`.publish` commits it to a git branch.
"""
from __future__ import annotations

__all__ = ["DOCS_URL"]

DOCS_URL = "/docs"
