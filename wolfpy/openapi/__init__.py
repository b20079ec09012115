"""OpenAPI 3.1 for a WolfPy app: the document, ``/openapi.json`` and the ``/openapi`` page.

One job per module:

- :mod:`.schema`: Python annotations, dataclasses and pydantic models → JSON Schema
  (:class:`SchemaRegistry`, which becomes ``components/schemas``);
- :mod:`.document`: the routes of an App → the OpenAPI 3.1.0 document
  (:func:`build_openapi`);
- :mod:`.page`: the document → the browsable HTML page (:func:`render_page`);
- :mod:`.routes`: the two built-in routes serving them (:func:`openapi_extension`).

Settings (``[api]`` in wolfpy.toml): ``openapi`` (serve the two URLs, default
true), ``title`` (default ``[app] name``), ``version`` (default "0.1.0"),
``description``, ``include_html`` (also document the HTML routes, default false).
"""
from __future__ import annotations

from .document import BUILTIN_SOURCE as BUILTIN_SOURCE
from .document import JSON_URL as JSON_URL
from .document import OPENAPI_VERSION as OPENAPI_VERSION
from .document import PAGE_URL as PAGE_URL
from .document import build_openapi as build_openapi
from .document import has_api as has_api
from .page import render_page as render_page
from .routes import openapi_extension as openapi_extension
from .schema import ERROR_SCHEMA as ERROR_SCHEMA
from .schema import SchemaRegistry as SchemaRegistry

__all__ = [
    "BUILTIN_SOURCE", "ERROR_SCHEMA", "JSON_URL", "OPENAPI_VERSION", "PAGE_URL",
    "SchemaRegistry", "openapi_extension", "build_openapi", "has_api", "render_page",
]
