"""The compiled router: a dict for fully static paths, a segment trie for the rest.

Matching costs one dict lookup per literal segment, whatever the number of
routes; no route is ever tried with a regex. Priority, segment by segment from
the left: static, then dynamic, then catch-all, then optional catch-all (with
backtracking when a more specific branch dead-ends).
"""
from __future__ import annotations

from typing import Any, Iterable
from urllib.parse import quote, unquote, urlencode

from ..errors import BadRequest, RouteConflict, WolfPyError
from .patterns import CATCHALL, OPTIONAL, PARAM, STATIC, Segment, template_of

_EMPTY: dict[str, str] = {}


class PathValue(str):
    """A catch-all value: the decoded segments joined by ``/``, with ``.segments`` kept apart
    (so ``a%2Fb/c`` is ``"a/b/c"`` as text but ``["a/b", "c"]`` as segments)."""

    __slots__ = ("segments",)
    segments: list[str]


def _joined(segs: list[str]) -> PathValue:
    value = PathValue("/".join(segs))
    value.segments = segs
    return value


class Node:
    __slots__ = ("static", "param", "param_name", "catchall", "optional", "target",
                 "param_source")

    def __init__(self) -> None:
        self.static: dict[str, Node] = {}
        self.param: Node | None = None
        self.param_name = ""
        self.param_source = ""
        self.catchall: tuple[str, Any] | None = None
        self.optional: tuple[str, Any] | None = None
        self.target: Any = None


class Entry:
    """A route as the router sees it: its segments, the thing to return, where it came from."""

    __slots__ = ("segments", "target", "source", "name")

    def __init__(self, segments: tuple[Segment, ...], target: Any, source: str, name: str) -> None:
        self.segments = segments
        self.target = target
        self.source = source
        self.name = name

    @property
    def template(self) -> str:
        return template_of(self.segments)


def _source_of(node_value: Any) -> str:
    return getattr(node_value, "source", "?")


class Router:
    """Collects entries, then :meth:`compile` freezes them into the matcher."""

    def __init__(self) -> None:
        self.entries: list[Entry] = []
        self.static: dict[str, Any] = {}
        self.root = Node()
        self.by_name: dict[str, Entry] = {}
        self.compiled = False

    def add(self, segments: tuple[Segment, ...], target: Any, source: str, name: str) -> Entry:
        entry = Entry(segments, target, source, name)
        self.entries.append(entry)
        self.compiled = False
        return entry

    # -- compilation -----------------------------------------------------
    def compile(self, errors: list[str] | None = None) -> None:
        """Build the matcher; every conflict is a RouteConflict naming both sources.

        With ``errors`` given, conflicts are collected there and compilation goes on.
        """
        static: dict[str, Any] = {}
        root = Node()
        by_name: dict[str, Entry] = {}
        seen_exact: dict[tuple, Entry] = {}
        seen_folded: dict[tuple, Entry] = {}
        for entry in self.entries:
            try:
                self._compile_one(entry, root, static, by_name, seen_exact, seen_folded)
            except RouteConflict as exc:
                if errors is None:
                    raise
                errors.append(str(exc))
        self.static, self.root, self.by_name = static, root, by_name
        self.compiled = True

    def _compile_one(self, entry: Entry, root: Node, static: dict[str, Any], by_name: dict[str, Entry],
                     seen_exact: dict[tuple, Entry], seen_folded: dict[tuple, Entry]) -> None:
        exact = tuple((s.kind, s.value if s.kind == STATIC else "") for s in entry.segments)
        folded = tuple((k, v.lower()) for k, v in exact)
        other = seen_exact.get(exact)
        if other is not None:
            raise RouteConflict(
                f"{other.source} and {entry.source} both map to {entry.template}")
        other = seen_folded.get(folded)
        if other is not None:
            raise RouteConflict(
                f"{other.source} and {entry.source} differ only by case "
                f"({other.template} vs {entry.template}); URLs must be unique ignoring case")
        seen_exact[exact] = seen_folded[folded] = entry
        if entry.name in by_name:
            raise RouteConflict(
                f"{by_name[entry.name].source} and {entry.source} share the route name "
                f"'{entry.name}'")
        by_name[entry.name] = entry
        self._insert(root, entry)
        if all(s.kind == STATIC for s in entry.segments):
            static[template_of(entry.segments)] = entry

    def _insert(self, root: Node, entry: Entry) -> None:
        node = root
        for seg in entry.segments:
            if seg.kind == STATIC:
                node = node.static.setdefault(seg.value, Node())
            elif seg.kind == PARAM:
                if node.param is None:
                    node.param = Node()
                    node.param_name = seg.value
                    node.param_source = entry.source
                elif node.param_name != seg.value:
                    raise RouteConflict(
                        f"{node.param_source} and {entry.source} use different names for the same "
                        f"dynamic segment ([{node.param_name}] vs [{seg.value}]); pick one name")
                node = node.param
            elif seg.kind == CATCHALL:
                self._check_terminal(node, entry, CATCHALL)
                node.catchall = (seg.value, entry)
                return
            else:  # OPTIONAL
                self._check_terminal(node, entry, OPTIONAL)
                node.optional = (seg.value, entry)
                return
        if node.optional is not None:
            raise RouteConflict(
                f"{node.optional[1].source} and {entry.source} both match {entry.template}: an "
                "optional catch-all already matches its folder's own URL")
        node.target = entry

    @staticmethod
    def _check_terminal(node: Node, entry: Entry, kind: int) -> None:
        if kind == OPTIONAL and node.target is not None:
            raise RouteConflict(
                f"{node.target.source} and {entry.source} both match {node.target.template}: an "
                "optional catch-all already matches its folder's own URL")
        other = node.optional if kind == CATCHALL else node.catchall
        if other is not None:
            raise RouteConflict(
                f"{other[1].source} and {entry.source} are a catch-all and an optional catch-all "
                "in one folder; they match the same URLs")

    # -- matching --------------------------------------------------------
    def match(self, path: str) -> tuple[Entry, dict[str, str]] | None:
        """Match a raw (still percent-encoded) path; None when nothing matches.

        Raises:
            BadRequest: a segment is not valid UTF-8 once decoded.
        """
        entry = self.static.get(path)
        if entry is not None:
            return entry, _EMPTY
        if path == "/":
            segs: list[str] = []
        else:
            # Empty segments never match: "/a/" is redirected to "/a" by the app, "/a//b" is a 404.
            if path[-1] == "/" or "//" in path:
                return None
            segs = path[1:].split("/")
            if "%" in path:
                try:
                    segs = [unquote(s, errors="strict") if "%" in s else s for s in segs]
                except UnicodeDecodeError:
                    raise BadRequest(message="the URL is not valid UTF-8") from None
        params: dict[str, str] = {}
        found = _walk(self.root, segs, 0, len(segs), params)
        if found is None:
            return None
        return found, params

    # -- reversing -------------------------------------------------------
    def url_for(self, name: str, params: dict[str, Any]) -> str:
        entry = self.by_name.get(name)
        if entry is None:
            raise WolfPyError(self._unknown_name(name))
        params = dict(params)
        parts = []
        for seg in entry.segments:
            if seg.kind == STATIC:
                parts.append(quote(seg.value, safe="@:!$&'()*+,;=-._~"))
                continue
            if seg.value not in params:
                if seg.kind == OPTIONAL:
                    continue
                raise WolfPyError(f"url_for({name!r}) needs the parameter {seg.value!r}")
            value = params.pop(seg.value)
            if seg.kind == PARAM:
                parts.append(quote(str(value), safe=""))
            else:
                items = value if isinstance(value, (list, tuple)) else str(value).split("/")
                items = [quote(str(v), safe="") for v in items if str(v) != ""]
                if items:
                    parts.append("/".join(items))
                elif seg.kind == CATCHALL:
                    raise WolfPyError(f"url_for({name!r}): {seg.value!r} needs at least one segment")
        url = "/" + "/".join(parts)
        if params:
            url += "?" + urlencode(params, doseq=True)
        return url

    def _unknown_name(self, name: Any) -> str:
        """The error for ``url_for(name)`` with no such route, with the likely intended name."""
        import difflib
        message = f"no route named {name!r}"
        if not isinstance(name, str):
            return message + " (a route name is a string such as 'posts/[id]')"
        guess = None
        if name.startswith("/"):  # a URL or URL template given instead of a name
            same = [e for e in self.entries if e.template == name]
            if same:
                guess = same[0].name
            else:
                try:
                    found = self.match(name.split("?", 1)[0])
                except WolfPyError:
                    found = None
                if found is not None:
                    guess = found[0].name
            if guess is not None:
                return f"{message}: url_for() takes a route name, not a URL; did you mean {guess!r}?"
        close = difflib.get_close_matches(name, list(self.by_name), n=1, cutoff=0.6)
        if close:
            return f"{message}; did you mean {close[0]!r}?"
        return f"{message} (`wolfpy routes` lists every route's name)"

    def __iter__(self) -> Iterable[Entry]:
        return iter(self.entries)


def _walk(node: Node, segs: list[str], i: int, n: int, params: dict[str, str]) -> Any:
    if i == n:
        if node.target is not None:
            return node.target
        if node.optional is not None:
            params[node.optional[0]] = ""
            return node.optional[1]
        return None
    seg = segs[i]
    child = node.static.get(seg)
    if child is not None:
        found = _walk(child, segs, i + 1, n, params)
        if found is not None:
            return found
    if node.param is not None and seg:
        found = _walk(node.param, segs, i + 1, n, params)
        if found is not None:
            params[node.param_name] = seg
            return found
    if node.catchall is not None:
        params[node.catchall[0]] = _joined(segs[i:])
        return node.catchall[1]
    if node.optional is not None:
        params[node.optional[0]] = _joined(segs[i:])
        return node.optional[1]
    return None
