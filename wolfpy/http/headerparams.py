"""Header parameters: ``Content-Type`` and ``Content-Disposition`` split into a value and
its parameters, quoted strings and RFC 5987 extended values included."""
from __future__ import annotations

from urllib.parse import unquote_to_bytes


def parse_options_header(value: str, *, extended_wins: bool = True) -> tuple[str, dict[str, str]]:
    """Split a header like Content-Type or Content-Disposition into a value and parameters.

    ``'multipart/form-data; boundary="abc"'`` gives
    ``('multipart/form-data', {'boundary': 'abc'})``. The main value and parameter
    names are lower-cased; quoted values are unquoted (``\\"`` and ``\\\\`` are
    unescaped, any other backslash is kept, so a Windows path survives). An
    RFC 5987 extended parameter (``filename*=UTF-8''%e2%82%ac.txt``) is decoded and
    wins over the plain one (RFC 6266), unless ``extended_wins`` is False: then it
    fills in only a parameter sent without its plain form (RFC 7578 section 4.2, for
    multipart parts). One that cannot be decoded is ignored. RFC 2231
    continuations (``name*0=``) are not supported and ignored.

    The scan is a single left-to-right pass with ``str.find``: linear in the
    length of the value whatever it holds (no regex, cf. CVE-2024-24762).
    """
    if not value:
        return "", {}
    semi = value.find(";")
    if semi == -1:
        return value.strip(" \t").lower(), {}
    main = value[:semi].strip(" \t").lower()
    params: dict[str, str] = {}
    extended: dict[str, str] = {}
    n = len(value)
    pos = semi + 1
    while pos < n:
        c = value[pos]
        if c in " \t;":
            pos += 1
            continue
        semi = value.find(";", pos)
        if semi == -1:
            semi = n
        eq = value.find("=", pos, semi)
        if eq == -1:
            # A bare token ("; secure"): keep it with an empty value.
            name = value[pos:semi].strip(" \t").lower()
            if name:
                params.setdefault(name, "")
            pos = semi + 1
            continue
        name = value[pos:eq].strip(" \t").lower()
        pos = eq + 1
        while pos < n and value[pos] in " \t":
            pos += 1
        if pos < n and value[pos] == '"':
            raw, pos = _read_quoted(value, pos + 1)
            # Skip anything between the closing quote and the next ';'.
            semi = value.find(";", pos)
            pos = n if semi == -1 else semi + 1
        else:
            semi = value.find(";", pos)
            if semi == -1:
                semi = n
            raw = value[pos:semi].strip(" \t")
            pos = semi + 1
        if not name:
            continue
        if name[-1] == "*":
            decoded = _decode_rfc5987(raw)
            if decoded is not None:
                extended[name[:-1]] = decoded
        elif "*" not in name:
            params.setdefault(name, raw)
    if extended:
        if extended_wins:
            params.update(extended)
        else:
            for name, decoded in extended.items():
                params.setdefault(name, decoded)
    return main, params


def _read_quoted(value: str, pos: int) -> tuple[str, int]:
    """Read a quoted string whose opening quote is at ``pos - 1``.

    Returns the unquoted text and the index after the closing quote (or the end
    of ``value`` if the quote is never closed). Each ``find`` starts where the
    last one stopped, so the work is linear.
    """
    out: list[str] = []
    n = len(value)
    quote = value.find('"', pos)
    while True:
        if quote == -1:
            out.append(value[pos:])
            return "".join(out), n
        backslash = value.find("\\", pos, quote)
        if backslash == -1:
            out.append(value[pos:quote])
            return "".join(out), quote + 1
        nxt = value[backslash + 1 : backslash + 2]
        if nxt == '"' or nxt == "\\":
            out.append(value[pos:backslash])
            out.append(nxt)
        else:
            out.append(value[pos : backslash + 1])
        pos = backslash + 1 + (nxt in ('"', "\\"))
        if pos > quote:
            # The quote we found was escaped: look for the next one.
            quote = value.find('"', pos)


_RFC5987_CHARSETS = {"utf-8": "utf-8", "utf8": "utf-8", "iso-8859-1": "latin-1",
                     "latin-1": "latin-1", "us-ascii": "ascii"}


def _decode_rfc5987(raw: str) -> str | None:
    charset, sep, rest = raw.partition("'")
    if not sep:
        return None
    _lang, sep, encoded = rest.partition("'")
    codec = _RFC5987_CHARSETS.get(charset.strip().lower())
    if not sep or codec is None:
        return None
    try:
        return unquote_to_bytes(encoded).decode(codec)
    except UnicodeDecodeError:
        return None
