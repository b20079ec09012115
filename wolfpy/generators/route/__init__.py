"""``wolfpy generate route NAME``: a route file, its template and a test."""
from __future__ import annotations

import re
from typing import Any

from ...routing.loader import scan
from ...routing.patterns import (CATCHALL, OPTIONAL, PARAM, STATIC, parse_file_segment, template_of,
                                 windows_name_problem)
from ..engine import Argument, Generator, GeneratorError

_STATIC = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


def _same_url(a: tuple[Any, ...], b: tuple[Any, ...]) -> bool:
    """Two patterns the router would refuse side by side (parameter names and case do not matter)."""
    return len(a) == len(b) and all(
        x.kind == y.kind and (x.kind != STATIC or x.value.lower() == y.value.lower()) for x, y in zip(a, b))


def route_key(route: str) -> str:
    """``/posts/[id].py`` → ``posts/[id]``: the name a route is recorded and destroyed by."""
    name = route.strip().strip("/")
    return name[:-3] if name.endswith(".py") else name


class RouteGenerator(Generator):
    """``routes/<name>.py`` answering GET with ``templates/<name>.html``, and ``tests/test_<name>_route.py``."""

    name = "route"
    summary = "A route file, its template and a test."
    arguments = (Argument("name", "Path under routes/, e.g. posts/[id]."),)

    def __init__(self, project: Any, route: str, *, force: bool = False) -> None:
        super().__init__(project, force=force)
        self.route = route
        self.manifest_key = f"route {route_key(route)}"

    def parse(self) -> tuple[str, tuple[Any, ...]]:
        """The route name (``posts/[id]``) and its URL segments; GeneratorError when malformed."""
        name = self.route.strip().strip("/")
        if name.endswith(".py"):
            name = name[:-3]
        parts = name.split("/")
        if not name or any(not p for p in parts):
            raise GeneratorError(f"invalid route name {self.route!r}: write it as a path under routes/, "
                                 "e.g. about, posts/[id] or blog/[...slug]")
        segments = []
        for i, part in enumerate(parts):
            last = i == len(parts) - 1

            def bad(why: str, part: str = part) -> GeneratorError:
                return GeneratorError(f"invalid route name {self.route!r}: {part!r} {why}")
            if part.startswith(("_", ".")):
                raise bad("starts with '_' or '.', which the router skips (helpers and middleware)")
            problem = windows_name_problem(part)
            if problem:
                raise bad(problem)
            try:
                seg = parse_file_segment(part)
            except ValueError as exc:
                raise GeneratorError(f"invalid route name {self.route!r}: {exc}") from None
            if seg is None:
                if last:
                    raise bad("is a group folder: add a page name after it, e.g. (marketing)/pricing")
                continue
            if seg.kind in (CATCHALL, OPTIONAL) and not last:
                raise bad("is a catch-all, which must be the last part")
            if seg.kind == STATIC and not _STATIC.match(part):
                raise bad("has characters a URL should not: use letters, digits, '-', '_' and '.'")
            if seg.kind == STATIC and last and part == "index":
                continue
            segments.append(seg)
        return name, tuple(segments)

    def plan(self) -> None:
        name, segments = self.parse()
        target = self.project.root / "routes" / f"{name}.py"
        for existing in scan(self.project.routes):
            if existing.path != str(target) and _same_url(existing.segments, segments):
                raise GeneratorError(f"{existing.rel} already serves {template_of(existing.segments)}")
        params = [s.value for s in segments if s.kind != STATIC]
        url = template_of(segments)
        sample = "/" + "/".join(s.value if s.kind == STATIC else ("1" if s.kind == PARAM else "a/b")
                                for s in segments)
        ident = re.sub(r"\W+", "_", name).strip("_").lower() or "index"
        last_static = [s.value for s in segments if s.kind == STATIC]
        title = (last_static[-1] if last_static else "home").replace("-", " ").replace("_", " ").capitalize()
        context = {
            "name": name, "url": url, "params": params, "sample_url": sample, "ident": ident,
            "title": title, "template": f"{name}.html",
            "route_file": f"routes/{name}.py", "template_file": f"templates/{name}.html",
            "has_layout": (self.project.templates / "layout.html").is_file(),
            # "${id}" for the page template: Mako output, written out literally.
            "shown": [(p, "${" + p + "}") for p in params],
        }
        self.add(f"routes/{name}.py", "route.py", **context)
        self.add(f"templates/{name}.html", "page.html", **context)
        self.add(f"tests/test_{ident}_route.py", "test_route.py", **context)
