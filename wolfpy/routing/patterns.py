"""Route patterns: the segment grammar shared by file names and programmatic paths.

File names (``routes/posts/[id].py``) and programmatic paths
(``/posts/{id:int}``) both become a tuple of :class:`Segment`.
"""
from __future__ import annotations

import re
from typing import NamedTuple

STATIC, PARAM, CATCHALL, OPTIONAL = 0, 1, 2, 3
KIND_NAMES = {STATIC: "static", PARAM: "dynamic", CATCHALL: "catch-all", OPTIONAL: "optional catch-all"}

_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_WINDOWS_BAD_CHARS = set('<>:"|?*') | {chr(c) for c in range(32)}
_WINDOWS_DEVICES = {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"} | {
    f"{p}{n}" for p in ("COM", "LPT") for n in (*"123456789", "¹", "²", "³")
}


class Segment(NamedTuple):
    kind: int
    value: str               # the literal for STATIC, the parameter name otherwise
    converter: str | None = None  # programmatic "{id:int}" only

    def template(self) -> str:
        if self.kind == STATIC:
            return self.value
        if self.kind == PARAM:
            return "{" + self.value + "}"
        return "{" + self.value + "...}"


Pattern = tuple  # tuple[Segment, ...]


_WINDOWS_BAD_RE = re.compile(r'[<>:"|?*\x00-\x1f]')


def windows_name_problem(name: str) -> str | None:
    """Why ``name`` cannot exist on Windows, or None (such names are rejected with the reason)."""
    if _WINDOWS_BAD_RE.search(name):
        bad = sorted(set(name) & _WINDOWS_BAD_CHARS)
        shown = " ".join(repr(c) for c in bad)
        return f"contains characters not allowed in Windows file names: {shown}"
    if name.endswith((".", " ")):
        return "ends with a dot or a space, which Windows strips"
    stem = name.split(".", 1)[0].rstrip(" ").upper()
    if stem in _WINDOWS_DEVICES:
        return f"'{stem}' is a reserved device name on Windows"
    return None


# The characters a route file or folder name may use for a literal URL segment: RFC 3986's
# "unreserved" set, the only characters that appear in a URL exactly as typed (never
# percent-encoded by browsers, url_for or logs). Other pchar characters (the sub-delimiters
# ! $ & ' ( ) * + , ; = and : @) are legal in a path but reserved by this grammar (parentheses
# for groups, brackets for parameters), illegal on Windows, or awkward in shells; and like
# Next.js projects, URLs here are words joined by "-". Non-ASCII letters are refused too: they
# would be percent-encoded in every link, and macOS may store them decomposed (NFD) while
# browsers send them composed (NFC), so the file would silently never match.
_URL_SEGMENT = re.compile(r"[A-Za-z0-9._~-]+")
_NOT_URL_CHAR = re.compile(r"[^A-Za-z0-9._~-]+")


def url_segment_problem(name: str) -> str | None:
    """Why the literal segment ``name`` cannot be a URL segment as written, or None."""
    if _URL_SEGMENT.fullmatch(name):
        if name in (".", ".."):
            return "'.' and '..' are not URL segments (browsers remove them)"
        return None
    bad = sorted({c for c in name if not _URL_SEGMENT.fullmatch(c)})
    shown = " ".join("a space" if c == " " else repr(c) for c in bad)
    return (f"{shown} cannot appear in a URL unencoded; route names use letters, digits "
            "and - . _ ~")


def suggest_url_segment(name: str) -> str:
    """A URL-safe spelling of ``name``: ``My Page`` → ``my-page``, ``Über uns`` → ``uber-uns``."""
    import unicodedata
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return _NOT_URL_CHAR.sub("-", ascii_name).strip("-.") or "page"


def parse_file_segment(name: str) -> Segment | None:
    """One path component of a route file (without ``.py``) → a Segment.

    Returns None for a group folder ``(name)``, which adds no URL segment.

    Raises:
        ValueError: a malformed bracket name, with the reason.
    """
    if name.startswith("(") and name.endswith(")"):
        if len(name) < 3:
            raise ValueError("a group folder needs a name inside the parentheses")
        return None
    if name.startswith("[[") or name.startswith("["):
        if name.startswith("[[...") and name.endswith("]]"):
            kind, inner = OPTIONAL, name[5:-2]
        elif name.startswith("[...") and name.endswith("]") and not name.endswith("]]"):
            kind, inner = CATCHALL, name[4:-1]
        elif name.startswith("[") and name.endswith("]") and not name.startswith("[["):
            kind, inner = PARAM, name[1:-1]
        else:
            raise ValueError(f"'{name}' is not [name], [...name] or [[...name]]")
        if not _IDENT.match(inner):
            raise ValueError(f"parameter name '{inner}' in '{name}' is not a Python identifier")
        return Segment(kind, inner)
    if "[" in name or "]" in name or "{" in name or "}" in name:
        raise ValueError(f"brackets must enclose the whole name: '{name}'")
    return Segment(STATIC, name)


_BRACE = re.compile(r"^\{([A-Za-z_][A-Za-z0-9_]*)(\.\.\.)?(?::([A-Za-z_]+))?\}$")


def parse_path(path: str) -> tuple[Segment, ...]:
    """A programmatic path (``/items/{id:int}``, ``/files/{path...}``) → segments.

    Raises:
        ValueError: a malformed path.
    """
    if not path.startswith("/"):
        raise ValueError(f"route path must start with '/': {path!r}")
    parts = [p for p in path.strip("/").split("/")] if path != "/" else []
    segments = []
    for i, part in enumerate(parts):
        if not part:
            raise ValueError(f"empty segment in route path {path!r}")
        if part.startswith("{"):
            m = _BRACE.match(part)
            if not m:
                raise ValueError(f"malformed parameter {part!r} in {path!r}")
            name, rest, conv = m.groups()
            if rest and i != len(parts) - 1:
                raise ValueError(f"a catch-all parameter must be last in {path!r}")
            segments.append(Segment(CATCHALL if rest else PARAM, name, conv))
        elif "{" in part or "}" in part:
            raise ValueError(f"a parameter must be a whole segment in {path!r}")
        else:
            segments.append(Segment(STATIC, part))
    return tuple(segments)


def template_of(segments: tuple[Segment, ...]) -> str:
    """The URL template shown to users: ``/posts/{id}``, ``/files/{path...}``."""
    return "/" + "/".join(s.template() for s in segments)
