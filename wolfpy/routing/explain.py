"""``wolfpy routes --explain PATH``: every route that could serve PATH, and why one wins."""
from __future__ import annotations

from typing import Any
from urllib.parse import unquote

from .patterns import CATCHALL, KIND_NAMES, OPTIONAL, PARAM, STATIC, Segment, template_of


def _matches(segments: tuple[Segment, ...], parts: list[str]) -> bool:
    for i, seg in enumerate(segments):
        if seg.kind == CATCHALL:
            return len(parts) > i
        if seg.kind == OPTIONAL:
            return True
        if i >= len(parts):
            return False
        if seg.kind == STATIC and seg.value != parts[i]:
            return False
        if seg.kind == PARAM and not parts[i]:
            return False
    return len(parts) == len(segments)


def _rank(segments: tuple[Segment, ...]) -> tuple[int, ...]:
    return tuple(s.kind for s in segments) + (-1,)


def _middleware_name(mw: Any) -> str:
    module = getattr(mw, "__module__", "") or ""
    qual = getattr(mw, "__qualname__", type(mw).__name__)
    return f"{qual} ({module})" if module else qual


def explain(app: Any, path: str) -> str:
    raw = path.split("?", 1)[0] or "/"
    if not raw.startswith("/"):
        raw = "/" + raw
    stripped = "/" + raw.strip("/") if raw != "/" else "/"
    parts = [] if stripped == "/" else [unquote(p) for p in stripped[1:].split("/")]
    lines = [f"path: {raw}", f"segments: {' / '.join(repr(p) for p in parts) or '(none)'}", ""]
    routes = [r for r in app.routes if _matches(r.segments, parts)]
    routes.sort(key=lambda r: _rank(r.segments))
    found = app.router.match(stripped)
    winner = found[0].target if found else None
    if not routes:
        lines.append("no route matches: the answer is 404")
        return "\n".join(lines)
    if raw != stripped and winner is not None:
        lines.append(f"trailing slash: {raw} redirects (308) to {stripped}")
        lines.append("")
    lines.append("candidates, highest priority first:")
    for i, route in enumerate(routes, 1):
        mark = "  <- winner" if route is winner else ""
        lines.append(f"  {i}. {template_of(route.segments):<30} {route.source}{mark}")
    if winner is not None and len(routes) > 1:
        runner = next(r for r in routes if r is not winner)
        for i, (a, b) in enumerate(zip(winner.segments, runner.segments)):
            if a.kind != b.kind:
                lines.append("")
                lines.append(f"rule: at segment {i + 1} ({parts[i]!r} )".replace(" )", ")") +
                             f", a {KIND_NAMES[a.kind]} segment beats a {KIND_NAMES[b.kind]} one "
                             "(priority: static, dynamic, catch-all, optional catch-all)")
                break
        else:
            lines.append("")
            lines.append("rule: the longer pattern matches the whole path")
    elif winner is not None:
        lines.append("")
        lines.append("rule: the only route that matches")
    if winner is not None:
        # The built-ins by the names they are chosen by: describing the chain creates no
        # middleware (creating access_log, say, would set up the app's logging).
        chain = [f"{name} (built-in)" for name in app.settings.middleware.builtin]
        chain += [_middleware_name(m) for m in app.middleware + winner.middleware]
        lines.append("")
        lines.append(f"middleware for {winner.source}, outermost first:")
        lines.extend(f"  {i}. {name}" for i, name in enumerate(chain, 1)) if chain else lines.append("  (none)")
        methods = ", ".join(winner.methods)
        lines.append("")
        lines.append(f"methods: {methods}")
    return "\n".join(lines)
