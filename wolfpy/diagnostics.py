"""Error pages: the built-in pages, project overrides, and the debug traceback page.

The debug page is only ever produced when ``[app] debug`` is on; secrets in
locals, headers and cookies are masked before anything is shown.
"""
from __future__ import annotations

import html
import linecache
import re
import traceback
from types import TracebackType
from typing import Any

from .http.status import reason_phrase

_SECRET_NAME = re.compile(r"pass(word|wd)?|secret|token|api_?key|auth|cookie|session|csrf|credential|private",
                          re.IGNORECASE)
MASK = "********"

_STYLE = """
body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1d2330;background:#f7f8fb}
main{max-width:720px;margin:12vh auto;padding:0 24px}
h1{font-size:2rem;margin:0 0 .3em} p{color:#5b6475}
.code{font:700 5rem/1 system-ui;color:#c4c9d6;margin:0}
"""


def builtin_error_page(status: int, message: str) -> str:
    title = html.escape(f"{status} {reason_phrase(status)}")
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<style>{_STYLE}</style></head><body><main><p class=\"code\">{status}</p>"
            f"<h1>{html.escape(reason_phrase(status))}</h1><p>{html.escape(message)}</p>"
            "</main></body></html>")


def is_secret(name: str) -> bool:
    return bool(_SECRET_NAME.search(name))


def _mask_value(name: str, value: Any, secrets: tuple[str, ...] = ()) -> str:
    if is_secret(name):
        return MASK
    try:
        text = repr(value)
    except Exception as exc:  # a broken __repr__ must not break the error page
        text = f"<unrepresentable: {type(exc).__name__}>"
    for secret in secrets:  # the secret key itself, under whatever name it travels
        if secret in text:
            text = text.replace(secret, MASK)
    if len(text) > 500:
        text = text[:500] + "…"
    return text


def _frames(tb: TracebackType | None, secrets: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    frames = []
    while tb is not None:
        frame, lineno = tb.tb_frame, tb.tb_lineno
        filename = frame.f_code.co_filename
        context = []
        for n in range(max(1, lineno - 5), lineno + 6):
            line = linecache.getline(filename, n, frame.f_globals)
            if line:
                context.append((n, line.rstrip("\n")))
        local_vars = {k: _mask_value(k, v, secrets) for k, v in frame.f_locals.items() if not k.startswith("__")}
        frames.append({"file": filename, "line": lineno, "func": frame.f_code.co_name,
                       "context": context, "locals": local_vars,
                       "framework": "/wolfpy/" in filename.replace("\\", "/")})
        tb = tb.tb_next
    return frames


def template_location(exc: BaseException) -> tuple[str, int] | None:
    """For an error raised while rendering a Mako template: (template file, line)."""
    try:
        from mako.exceptions import RichTraceback
    except ImportError:  # pragma: no cover
        return None
    filename, lineno = getattr(exc, "filename", None), getattr(exc, "lineno", None)
    if isinstance(filename, str) and isinstance(lineno, int):  # Mako's syntax/compile errors
        return filename, lineno
    try:
        rich = RichTraceback(error=exc, traceback=exc.__traceback__)
    except Exception:
        return None
    for filename, lineno, _func, _line in reversed(rich.traceback):
        if filename and (filename.endswith((".html", ".mako", ".txt", ".xml")) or "templates" in filename):
            if not lineno and isinstance(exc, NameError):
                # strict_undefined raises before the first line runs: find the first use instead.
                found = getattr(exc, "name", None) or re.match(r"'(\w+)' is not defined", str(exc))
                name = found if isinstance(found, str) else (found.group(1) if found else None)
                lineno = (_first_use(filename, name) if name else None) or lineno
            return filename, lineno
    return None


def _first_use(filename: str, name: str) -> int | None:
    pattern = re.compile(r"\b" + re.escape(name) + r"\b")
    try:
        with open(filename, encoding="utf-8") as f:
            for number, line in enumerate(f, 1):
                if pattern.search(line):
                    return number
    except OSError:
        return None
    return None


def debug_page(exc: BaseException, request: Any, hint: str | None = None) -> str:
    """The debug traceback page: exception, frames with source and locals, the request.

    ``hint`` is a line shown above the traceback (such as unapplied migrations).
    """
    e = html.escape
    kind = type(exc).__name__
    secrets: tuple[str, ...] = ()
    if request is not None:
        settings = request.app.settings
        secrets = tuple(k for k in [settings.app.secret_key, *settings.app.fallback_secret_keys]
                        if isinstance(k, str) and len(k) >= 8)
    frames = _frames(exc.__traceback__, secrets)
    where = template_location(exc)
    parts = [
        '<!doctype html><html lang="en"><head><meta charset="utf-8">',
        f"<title>{e(kind)}: {e(str(exc))[:200]}</title><style>",
        "body{margin:0;font:14px/1.45 system-ui,sans-serif;color:#1d2330;background:#fff}",
        "header{background:#8f1d1d;color:#fff;padding:18px 28px}header h1{margin:0;font-size:20px}",
        "header p{margin:6px 0 0;opacity:.9;white-space:pre-wrap}section{padding:8px 28px}",
        ".frame{border:1px solid #e3e6ee;border-radius:8px;margin:12px 0;overflow:hidden}",
        ".frame.fw{opacity:.6}.where{background:#f3f4f8;padding:6px 12px;font-family:ui-monospace,monospace}",
        "pre{margin:0;padding:6px 12px;font:12.5px/1.5 ui-monospace,monospace;overflow-x:auto}",
        ".hl{background:#fff3c4;display:block}table{border-collapse:collapse;margin:6px 12px 10px}",
        "td{padding:2px 10px 2px 0;font:12.5px ui-monospace,monospace;vertical-align:top}",
        "td:first-child{color:#5b6475}h2{font-size:16px;margin:18px 0 6px}",
        "</style></head><body>",
        f"<header><h1>{e(kind)}</h1><p>{e(str(exc))}</p></header><section>",
    ]
    if hint:
        parts.append(f'<p class="where" style="background:#fff3c4">{e(hint)}</p>')
    if where:
        parts.append(f"<h2>Template</h2><p class=\"where\">{e(where[0])}, line {where[1]}</p>")
    parts.append("<h2>Traceback (most recent call last)</h2>")
    for fr in frames:
        parts.append(f'<div class="frame{" fw" if fr["framework"] else ""}">'
                     f'<div class="where">{e(fr["file"])}, line {fr["line"]}, in {e(fr["func"])}</div><pre>')
        for n, line in fr["context"]:
            text = f"{n:>5}  {e(line)}"
            parts.append(f'<span class="hl">{text}</span>' if n == fr["line"] else text + "\n")
        parts.append("</pre>")
        if fr["locals"]:
            parts.append("<table>" + "".join(f"<tr><td>{e(k)}</td><td>{e(v)}</td></tr>"
                                             for k, v in fr["locals"].items()) + "</table>")
        parts.append("</div>")
    if request is not None:
        parts.append("<h2>Request</h2><table>")
        parts.append(f"<tr><td>method</td><td>{e(request.method)}</td></tr>")
        try:
            parts.append(f"<tr><td>url</td><td>{e(request.scheme)}://{e(request.host)}{e(request.raw_path)}</td></tr>")
            for k, v in request.query.items(multi=True):
                shown = MASK if is_secret(k) else v
                parts.append(f"<tr><td>{e(k)}</td><td>{e(shown)}</td></tr>")
            for k, v in request.headers.items():
                shown = MASK if k.lower() in ("cookie", "authorization", "x-csrf-token") or is_secret(k) else v
                parts.append(f"<tr><td>{e(k)}</td><td>{e(shown)}</td></tr>")
        except Exception:
            pass
        parts.append("</table>")
    trace = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    parts.append(f"<h2>Plain traceback</h2><pre>{e(trace)}</pre></section></body></html>")
    return "".join(parts)


def load_error_page(message: str) -> str:
    """Shown by the dev server while the project cannot load (a syntax error, a conflict)."""
    e = html.escape
    return ('<!doctype html><html lang="en"><head><meta charset="utf-8"><title>WolfPy: cannot load '
            'the project</title><style>body{margin:0;font:15px/1.5 system-ui,sans-serif}'
            "header{background:#8f1d1d;color:#fff;padding:18px 28px}h1{margin:0;font-size:20px}"
            "pre{margin:24px 28px;font:14px/1.5 ui-monospace,monospace;white-space:pre-wrap}"
            "p{margin:0 28px;color:#5b6475}</style></head><body>"
            "<header><h1>The project could not be loaded</h1></header>"
            f"<pre>{e(message)}</pre><p>Fix the file and save: this page reloads by itself.</p>"
            "</body></html>")
