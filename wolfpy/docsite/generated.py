"""The pages made from the app itself: its route table and its API reference.

Both are written as Markdown and rendered like the project's own pages, so they get
the same layout, table of contents and search.
"""
from __future__ import annotations

import json
from typing import Any


def route_rows(app: Any) -> list[list[str]]:
    """The route table as ``wolfpy routes`` prints it: METHOD, URL, FILE, NAME per route."""
    rows = []
    for route in sorted(app.routes, key=lambda r: r.router_sort_key()):
        methods = ",".join(m for m in route.methods if m not in ("HEAD", "OPTIONS")) or "-"
        if route.websocket is not None:
            methods = (methods + ",WS") if methods != "-" else "WS"
        rows.append([methods, route.template, route.source, route.name])
    return rows


def _cell(value: Any) -> str:
    text = " ".join(str(value).split()).replace("`", "'")
    return f"`{text}`".replace("|", "\\|") if text else ""


def _plain(value: Any) -> str:
    return " ".join(str(value).split()).replace("|", "\\|")


def routes_markdown(app: Any) -> str:
    rows = route_rows(app)
    out = ["# Routes", "",
           f"The {len(rows)} routes of this app, as `wolfpy routes` lists them: the methods, the URL, "
           "the file or extension that defines the route, and its name (for `url_for`).", "",
           "| Method | URL | File | Name |", "| --- | --- | --- | --- |"]
    out += [f"| {_plain(m)} | {_cell(u)} | {_cell(f)} | {_cell(n)} |" for m, u, f, n in rows]
    return "\n".join(out) + "\n"


def has_api(app: Any) -> bool:
    from ..openapi.document import has_api as app_has_api
    return bool(app.settings.get("api", "openapi", True)) and app_has_api(app)


def api_markdown(app: Any) -> str:
    """The API reference: each operation of the app's OpenAPI document, its parameters,
    request body and responses."""
    from ..openapi.document import build_openapi
    doc = build_openapi(app)
    info = doc.get("info", {})
    out = [f"# API reference", "",
           f"{_plain(info.get('title', ''))} {_plain(info.get('version', ''))}: the operations of "
           "`/openapi.json`.", ""]
    if info.get("description"):
        out += [_plain(info["description"]), ""]
    for path, item in sorted(doc.get("paths", {}).items()):
        for method, op in item.items():
            if not isinstance(op, dict) or method.startswith("x-") or method == "parameters":
                continue
            out += [f"## {method.upper()} {path}", ""]
            if op.get("summary"):
                out += [_plain(op["summary"]), ""]
            if op.get("description") and op.get("description") != op.get("summary"):
                out += [_plain(op["description"]), ""]
            params = [*item.get("parameters", []), *op.get("parameters", [])]
            if params:
                out += ["| Parameter | In | Type | Required |", "| --- | --- | --- | --- |"]
                for p in params:
                    schema = p.get("schema", {})
                    out.append(f"| {_cell(p.get('name', ''))} | {_plain(p.get('in', ''))} | "
                               f"{_cell(schema.get('type', schema.get('$ref', '')))} | "
                               f"{'yes' if p.get('required') else 'no'} |")
                out.append("")
            body = op.get("requestBody", {}).get("content", {})
            for ctype, media in body.items():
                out += [f"Request body ({_cell(ctype)}):", "", "```json",
                        json.dumps(media.get("schema", {}), indent=2, sort_keys=True), "```", ""]
            responses = op.get("responses", {})
            if responses:
                out += ["| Status | Description |", "| --- | --- |"]
                out += [f"| {_plain(code)} | {_plain(r.get('description', ''))} |"
                        for code, r in sorted(responses.items())]
                out.append("")
    schemas = doc.get("components", {}).get("schemas", {})
    if schemas:
        out += ["## Schemas", ""]
        for name, schema in sorted(schemas.items()):
            out += [f"### {_plain(name)}", "", "```json", json.dumps(schema, indent=2, sort_keys=True), "```", ""]
    return "\n".join(out) + "\n"
