"""The ``/openapi`` page: the document as one self-contained HTML page, and its style.

No scripts and nothing fetched from elsewhere: operations with their parameter and
response tables, request bodies and schemas as pretty JSON, ``$ref``s as links.
Every text from the document is escaped.
"""
from __future__ import annotations

import html
import json as _json
import re
from typing import Any

from .document import JSON_URL
from .schema import REF

_STYLE = """
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1f2328;background:#f6f8fa}
header{background:#24292f;color:#fff;padding:1.2rem 2rem}header h1{margin:0;font-size:1.6rem}
header a{color:#9ecbff}header .version{font-size:.9rem;opacity:.75;margin-left:.5rem}
main{max-width:1100px;margin:0 auto;padding:1rem 2rem 3rem}nav ul{columns:2;padding-left:1.2rem}
section.path{margin:1.5rem 0}section.path>h2{font-size:1.15rem;border-bottom:1px solid #d0d7de;padding-bottom:.3rem}
article.op{background:#fff;border:1px solid #d0d7de;border-radius:6px;margin:.8rem 0;padding:.6rem 1rem}
article.op h3{font-size:1rem;margin:.2rem 0 .5rem}
.badge{display:inline-block;min-width:4.2em;text-align:center;border-radius:4px;color:#fff;font-weight:600;
font-size:.8rem;padding:.1rem .4rem;margin-right:.5rem;font-family:ui-monospace,monospace}
.get{background:#1f6feb}.post{background:#1a7f37}.put{background:#9a6700}.patch{background:#8250df}
.delete{background:#cf222e}.head,.options{background:#57606a}
table{border-collapse:collapse;width:100%;margin:.4rem 0}th,td{border:1px solid #d0d7de;padding:.3rem .5rem;
text-align:left;vertical-align:top}th{background:#f6f8fa}
pre{background:#f6f8fa;border:1px solid #d0d7de;border-radius:4px;padding:.6rem;overflow:auto;font-size:.85rem}
code{font-family:ui-monospace,SFMono-Regular,Menlo,monospace}.req{color:#cf222e;font-weight:600}
.muted{color:#57606a}h4{margin:.8rem 0 .2rem;font-size:.9rem}
"""

_REF_LINK = re.compile(r"&quot;#/components/schemas/([^&<]+?)&quot;")


def _anchor(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "-", text).strip("-") or "x"


def _pretty(schema: Any) -> str:
    """Pretty JSON, escaped, with ``$ref``s linking to the schema section."""
    text = html.escape(_json.dumps(schema, indent=2, ensure_ascii=False))
    return _REF_LINK.sub(lambda m: f'&quot;<a href="#schema-{_anchor(html.unescape(m.group(1)))}">'
                                   f'#/components/schemas/{m.group(1)}</a>&quot;', text)


def _type_of(schema: Any) -> str:
    """A one-line summary of a schema for tables: ``integer``, ``array of string``, ``TodoIn``."""
    if not isinstance(schema, dict) or not schema:
        return "any"
    if "$ref" in schema:
        return str(schema["$ref"]).rsplit("/", 1)[-1]
    if "enum" in schema:
        return "one of " + ", ".join(_json.dumps(v) for v in schema["enum"])
    for key in ("anyOf", "oneOf"):
        if key in schema:
            return " | ".join(_type_of(s) for s in schema[key])
    kind = schema.get("type", "any")
    if isinstance(kind, list):
        kind = " | ".join(kind)
    if kind == "array":
        return "array of " + _type_of(schema.get("items", {}))
    if "format" in schema:
        return f"{kind} ({schema['format']})"
    return str(kind)


def render_page(doc: dict[str, Any]) -> str:
    """``/openapi``: the document as a self-contained HTML page (no scripts, no CDN)."""
    e = html.escape
    info = doc.get("info", {})
    title = str(info.get("title", "API"))
    out = ["<!doctype html>", '<html lang="en"><head><meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           f"<title>{e(title)} — API reference</title><style>{_STYLE}</style></head><body>",
           f'<header><h1>{e(title)}<span class="version">v{e(str(info.get("version", "")))}</span></h1>',
           f'<div>OpenAPI {e(str(doc.get("openapi", "")))} · '
           f'<a href="{e(JSON_URL)}">{e(JSON_URL)}</a></div></header><main>']
    if info.get("description"):
        out.append(f"<p>{_text(info['description'])}</p>")
    paths: dict[str, Any] = doc.get("paths", {})
    schemas: dict[str, Any] = doc.get("components", {}).get("schemas", {})
    out.append("<nav><h2>Operations</h2><ul>")
    for path, item in paths.items():
        for method, op in item.items():
            out.append(f'<li><a href="#op-{_anchor(op.get("operationId", path + method))}">'
                       f'<span class="badge {e(method)}">{e(method.upper())}</span><code>{e(path)}</code></a>'
                       + (f' <span class="muted">{_text(op["summary"])}</span>' if op.get("summary") else "")
                       + "</li>")
    out.append("</ul></nav>")
    for path, item in paths.items():
        out.append(f'<section class="path" id="path-{_anchor(path)}"><h2><code>{e(path)}</code></h2>')
        for method, op in item.items():
            out.append(_render_operation(path, method, op, schemas))
        out.append("</section>")
    if schemas:
        out.append('<section class="schemas"><h2>Schemas</h2>')
        for name, schema in schemas.items():
            out.append(f'<article class="op" id="schema-{_anchor(name)}"><h3><code>{e(name)}</code></h3>'
                       f"<pre>{_pretty(schema)}</pre></article>")
        out.append("</section>")
    out.append("</main></body></html>")
    return "\n".join(out)


def _text(text: Any) -> str:
    """Escaped prose, with Markdown `code` spans rendered."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", html.escape(str(text)))


def _schema_cell(schema: Any) -> str:
    """A schema in a table cell: a link for a ``$ref``, else its one-line type."""
    if isinstance(schema, dict) and isinstance(schema.get("$ref"), str):
        name = schema["$ref"].rsplit("/", 1)[-1]
        return f'<a href="#schema-{_anchor(name)}">{html.escape(name)}</a>'
    if isinstance(schema, dict) and schema.get("type") == "array" and isinstance(schema.get("items"), dict) \
            and "$ref" in schema["items"]:
        return "array of " + _schema_cell(schema["items"])
    return html.escape(_type_of(schema))


def _render_operation(path: str, method: str, op: dict[str, Any], schemas: dict[str, Any]) -> str:
    e = html.escape
    op_id = str(op.get("operationId", path + method))
    out = [f'<article class="op" id="op-{_anchor(op_id)}">',
           f'<h3><span class="badge {e(method)}">{e(method.upper())}</span><code>{e(path)}</code>'
           + (f' — {_text(op["summary"])}' if op.get("summary") else "") + "</h3>",
           f'<div class="muted">operationId <code>{e(op_id)}</code></div>']
    if op.get("description"):
        out.append(f"<p>{_text(op['description'])}</p>")
    params = op.get("parameters", [])
    if params:
        out.append("<h4>Parameters</h4><table><thead><tr><th>name</th><th>in</th><th>type</th>"
                   "<th>required</th><th>default</th><th>description</th></tr></thead><tbody>")
        for p in params:
            schema = p.get("schema", {})
            default = _json.dumps(schema["default"]) if "default" in schema else ""
            required = '<span class="req">required</span>' if p.get("required") else "optional"
            out.append(f"<tr><td><code>{e(p['name'])}</code></td><td>{e(p['in'])}</td>"
                       f"<td>{_schema_cell(schema)}</td><td>{required}</td><td><code>{e(default)}</code></td>"
                       f"<td>{_text(p.get('description', ''))}</td></tr>")
        out.append("</tbody></table>")
    body = op.get("requestBody")
    if body:
        content = body.get("content", {})
        out.append("<h4>Request body</h4><div>" + ", ".join(f"<code>{e(t)}</code>" for t in content) + "</div>")
        first: dict[str, Any] = next(iter(content.values()), {})
        schema = first.get("schema", {})
        ref = schema.get("$ref") if isinstance(schema, dict) else None
        if isinstance(ref, str) and ref.startswith(REF) and ref[len(REF):] in schemas:
            out.append(f"<div>schema {_schema_cell(schema)}</div>")
            schema = schemas[ref[len(REF):]]
        out.append(f"<pre>{_pretty(schema)}</pre>")
    out.append("<h4>Responses</h4><table><thead><tr><th>status</th><th>description</th><th>body</th>"
               "</tr></thead><tbody>")
    for status, resp in op.get("responses", {}).items():
        content = resp.get("content", {})
        cells = [f"<code>{e(ctype)}</code> {_schema_cell(media.get('schema', {}))}"
                 for ctype, media in content.items()]
        out.append(f"<tr><td><code>{e(str(status))}</code></td><td>{_text(resp.get('description', ''))}</td>"
                   f"<td>{'<br>'.join(cells)}</td></tr>")
    out.append("</tbody></table></article>")
    return "\n".join(out)
