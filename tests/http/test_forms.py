"""Query strings, urlencoded bodies, multipart forms and header parameters.

Bodies are built by hand; the hostile ones follow known parser CVEs (docs/security.md).
"""
from __future__ import annotations

import os
import time
from typing import Iterator
from urllib.parse import parse_qsl, urlencode

import pytest

from wolfpy.errors import BadRequest, PayloadTooLarge, UnsupportedMediaType
from wolfpy.http.datastructures import MultiDict, UploadFile
from wolfpy.http.forms import parse_multipart, parse_options_header, parse_query, parse_urlencoded
from wolfpy.http.limits import DEFAULT_LIMITS, Limits

BOUNDARY = "----WolfPyBoundary7MA4YWxkTrZu0gW"
CTYPE = f"multipart/form-data; boundary={BOUNDARY}"
# Far above what a linear parser needs, far below what a quadratic one takes.
TIME_BOUND = 2.0


# -- helpers -------------------------------------------------------------------------


class Stream:
    """``read(n)`` over bytes; ``max_chunk`` returns short reads like a socket would."""

    def __init__(self, data: bytes, max_chunk: int | None = None, limit: int | None = None) -> None:
        self.data = data
        self.pos = 0
        self.max_chunk = max_chunk
        self.limit = limit
        self.sizes: list[int] = []

    def read(self, n: int) -> bytes:
        self.sizes.append(n)
        if self.max_chunk is not None:
            n = min(n, self.max_chunk)
        chunk = self.data[self.pos : self.pos + n]
        self.pos += len(chunk)
        if self.limit is not None and self.pos > self.limit:
            raise PayloadTooLarge(message="request body too large")
        return chunk


def part(name: str | None, data: bytes | str = b"", filename: str | None = None,
         content_type: str | None = None, disposition: str | None = None,
         extra: list[str] | None = None) -> bytes:
    """One multipart part: headers, blank line, data (no delimiters)."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    headers = []
    if disposition is None and name is not None:
        disposition = f'form-data; name="{name}"'
        if filename is not None:
            disposition += f'; filename="{filename}"'
    if disposition is not None:
        headers.append(f"Content-Disposition: {disposition}")
    if content_type is not None:
        headers.append(f"Content-Type: {content_type}")
    headers.extend(extra or [])
    return "".join(h + "\r\n" for h in headers).encode("utf-8") + b"\r\n" + data


def multipart(*parts: bytes, boundary: str = BOUNDARY, preamble: bytes = b"",
              epilogue: bytes = b"", final: bool = True) -> bytes:
    delim = b"--" + boundary.encode()
    out = [preamble]
    for p in parts:
        out += [delim, b"\r\n", p, b"\r\n"]
    if final:
        out += [delim, b"--\r\n", epilogue]
    return b"".join(out)


@pytest.fixture
def parse() -> Iterator:
    """``parse(body, ...)`` -> (fields, files); closes every upload after the test."""
    opened: list[UploadFile] = []

    def run(body: bytes, content_type: str = CTYPE, limits: Limits = DEFAULT_LIMITS,
            max_chunk: int | None = None) -> tuple[MultiDict, MultiDict]:
        fields, files = parse_multipart(content_type, Stream(body, max_chunk), limits)
        for _name, upload in files.items(multi=True):
            opened.append(upload)
        return fields, files

    yield run
    for upload in opened:
        upload.close()


def elapsed(fn, *args, **kw) -> float:
    start = time.perf_counter()
    try:
        fn(*args, **kw)
    except (BadRequest, PayloadTooLarge):
        pass
    return time.perf_counter() - start


# -- parse_query ---------------------------------------------------------------------


def test_query_typical() -> None:
    q = parse_query("page=2&sort=-created&q=wolf")
    assert q.to_dict() == {"page": "2", "sort": "-created", "q": "wolf"}


def test_query_empty() -> None:
    assert len(parse_query("")) == 0
    assert len(parse_query("&&")) == 0


def test_query_semicolon_is_not_a_separator() -> None:
    q = parse_query("a=1;b=2&c=3")
    assert q.getlist("a") == ["1;b=2"]
    assert "b" not in q
    assert q["c"] == "3"


def test_query_plus_is_space_and_encoded_plus_is_plus() -> None:
    q = parse_query("q=wolf+py&r=1%2B1&k+y=v")
    assert q["q"] == "wolf py"
    assert q["r"] == "1+1"
    assert q["k y"] == "v"


def test_query_blank_values_kept() -> None:
    q = parse_query("a=&b&=c")
    assert q["a"] == ""
    assert q["b"] == ""
    assert q[""] == "c"


def test_query_repeated_keys() -> None:
    q = parse_query("tag=a&tag=b&x=1&tag=c")
    assert q.getlist("tag") == ["a", "b", "c"]
    assert q["tag"] == "a"


def test_query_unicode_and_bad_escapes() -> None:
    q = parse_query("name=%E7%8B%BC&euro=%E2%82%AC&lit=%zz")
    assert q["name"] == "狼"
    assert q["euro"] == "€"
    assert q["lit"] == "%zz"
    for bad in ("bad=%ff", "half=%E2%82", "%ff=x", "a=%ED%A0%80"):  # not UTF-8, or a surrogate
        with pytest.raises(BadRequest, match="invalid UTF-8 in the query string"):
            parse_query(bad)
    # What a server read off the wire arrives as latin-1 text: decoded as the UTF-8 it was.
    assert parse_query("a=\u00e7\u008b\u00bc")["a"] == "狼"


def test_query_raw_non_ascii_is_kept() -> None:
    assert parse_query("a=狼&b=%E2%82%AC")["a"] == "狼"
    assert parse_query("a=狼+x")["a"] == "狼 x"


@pytest.mark.parametrize("qs", [
    "a=1&b=2&a=3", "a=&b", "=x&y=", "a=b=c", "x=%41%42+c", "%E2%82%AC=%E2%82%AC",
    "a=%&b=%2", "&&a=1&&", "q=%2B+%20", "k%3Dv=1", "a=1&a=1&a",
])
def test_query_agrees_with_urllib(qs: str) -> None:
    expected: dict[str, list[str]] = {}
    for k, v in parse_qsl(qs, keep_blank_values=True, separator="&"):
        expected.setdefault(k, []).append(v)
    assert parse_query(qs).to_dict(flat=False) == expected


def test_query_too_many_parameters_is_400() -> None:
    limits = Limits(max_form_parts=10)
    assert len(parse_query("&".join(f"k{i}=v" for i in range(10)), limits)) == 10
    with pytest.raises(BadRequest) as exc:
        parse_query("&".join(f"k{i}=v" for i in range(11)), limits)
    assert exc.value.status == 400
    # Empty segments are not parameters.
    assert len(parse_query("a=1" + "&" * 50 + "b=2", limits)) == 2


def test_query_default_limit() -> None:
    with pytest.raises(BadRequest):
        parse_query("&".join(["a=1"] * 1001))


# -- parse_urlencoded ----------------------------------------------------------------


def test_urlencoded_round_trip() -> None:
    data = [("username", "wolf"), ("password", "p@ss w+rd&;="), ("remember", "on"),
            ("bio", "línea 1\r\nlínea 2 狼"), ("tag", "a"), ("tag", "b")]
    form = parse_urlencoded(urlencode(data).encode("ascii"))
    assert form.items(multi=True) == [("username", "wolf"), ("password", "p@ss w+rd&;="),
                                      ("remember", "on"), ("bio", "línea 1\r\nlínea 2 狼"),
                                      ("tag", "a"), ("tag", "b")]


def test_urlencoded_raw_utf8_blank_and_semicolon() -> None:
    form = parse_urlencoded("a=狼&b=&c&d=1;e=2".encode())
    assert form.to_dict() == {"a": "狼", "b": "", "c": "", "d": "1;e=2"}


def test_urlencoded_empty_body() -> None:
    assert len(parse_urlencoded(b"")) == 0


@pytest.mark.parametrize("body", [b"a=%ff", b"a=%E2%82", b"%C0%AF=1", b"a=\xff", b"a=%ED%A0%80"])
def test_urlencoded_invalid_utf8_is_400(body: bytes) -> None:
    with pytest.raises(BadRequest, match="invalid UTF-8 in form data"):
        parse_urlencoded(body)


def test_urlencoded_too_many_fields_is_413() -> None:
    limits = Limits(max_form_parts=5)
    assert len(parse_urlencoded(b"a=1&b=2&c=3&d=4&e=5", limits)) == 5
    with pytest.raises(PayloadTooLarge, match="too many form fields"):
        parse_urlencoded(b"a=1&b=2&c=3&d=4&e=5&f=6", limits)
    with pytest.raises(PayloadTooLarge):
        parse_urlencoded(b"&".join([b"x=1"] * 10_000))


def test_urlencoded_field_size() -> None:
    limits = Limits(max_form_field_size=100)
    assert parse_urlencoded(b"a=" + b"x" * 100, limits)["a"] == "x" * 100
    with pytest.raises(PayloadTooLarge):
        parse_urlencoded(b"a=" + b"x" * 101, limits)
    # Measured after decoding: 100 escaped bytes are 300 characters on the wire.
    assert parse_urlencoded(b"a=" + b"%41" * 100, limits)["a"] == "A" * 100
    with pytest.raises(PayloadTooLarge):
        parse_urlencoded(b"a=" + b"%41" * 101, limits)
    # ... and in UTF-8 bytes, not characters.
    assert parse_urlencoded(("a=" + "é" * 50).encode(), limits)["a"] == "é" * 50
    with pytest.raises(PayloadTooLarge):
        parse_urlencoded(("a=" + "é" * 51).encode(), limits)
    with pytest.raises(PayloadTooLarge):
        parse_urlencoded(b"k" * 101 + b"=1", limits)


def test_urlencoded_default_field_limit() -> None:
    with pytest.raises(PayloadTooLarge):
        parse_urlencoded(b"a=" + b"x" * 500_001)


# -- parse_options_header ------------------------------------------------------------


@pytest.mark.parametrize("value, expected", [
    ('multipart/form-data; boundary="abc"', ("multipart/form-data", {"boundary": "abc"})),
    ("Text/HTML; Charset=UTF-8", ("text/html", {"charset": "UTF-8"})),
    ("application/json", ("application/json", {})),
    ("  application/json  ", ("application/json", {})),
    ("", ("", {})),
    ("text/plain;charset=utf-8;format=flowed", ("text/plain", {"charset": "utf-8", "format": "flowed"})),
    ('form-data; name="a;b"; filename="c.txt"', ("form-data", {"name": "a;b", "filename": "c.txt"})),
    ('form-data; name="say \\"hi\\""', ("form-data", {"name": 'say "hi"'})),
    ('form-data; name="back\\\\slash"', ("form-data", {"name": "back\\slash"})),
    ('form-data; filename="C:\\dir\\a.txt"', ("form-data", {"filename": "C:\\dir\\a.txt"})),
    ("form-data ; name = x ; ; empty=", ("form-data", {"name": "x", "empty": ""})),
    ('form-data; name="unterminated', ("form-data", {"name": "unterminated"})),
    ("multipart/form-data; boundary=a=b", ("multipart/form-data", {"boundary": "a=b"})),
])
def test_options_header(value: str, expected: tuple[str, dict[str, str]]) -> None:
    assert parse_options_header(value) == expected


def test_options_header_rfc5987() -> None:
    value = "attachment; filename=\"EURO rates.txt\"; filename*=UTF-8''%E2%82%AC%20rates.txt"
    assert parse_options_header(value) == ("attachment", {"filename": "€ rates.txt"})
    # The extended form wins whatever the order.
    value = "attachment; filename*=utf-8'en'%E2%82%AC.txt; filename=\"x.txt\""
    assert parse_options_header(value)[1] == {"filename": "€.txt"}
    assert parse_options_header("a; title*=iso-8859-1''%A3%20rates")[1] == {"title": "£ rates"}
    # Undecodable or unknown charsets fall back to the plain parameter.
    assert parse_options_header("a; filename=x.txt; filename*=UTF-8''%ff")[1] == {"filename": "x.txt"}
    assert parse_options_header("a; filename=x.txt; filename*=koi8-r''%C1")[1] == {"filename": "x.txt"}
    assert parse_options_header("a; filename=x.txt; filename*=nonsense")[1] == {"filename": "x.txt"}
    # Continuations are not supported and do not leak in as odd keys.
    assert parse_options_header("a; name*0=foo; name*1=bar")[1] == {}


@pytest.mark.parametrize("hostile", [
    "a/b; x=\"" + "\\\"" * 50_000,
    "a/b; x=\"" + "\\a" * 50_000 + "\"",
    "a/b" + ";" * 100_000,
    "a/b; " + "x=1;" * 25_000,
    "a/b; x=" + "\"" * 100_000,
    "a/b; " + "=" * 100_000,
    "a/b; x*=" + "'" * 100_000,
    "a/b; " + "x" * 100_000,
], ids=["escaped-quotes", "backslashes", "semicolons", "params", "quotes", "equals", "rfc5987", "token"])
def test_options_header_is_linear(hostile: str) -> None:
    start = time.perf_counter()
    parse_options_header(hostile)
    assert time.perf_counter() - start < TIME_BOUND / 4


# -- parse_multipart: round trips ----------------------------------------------------


def test_multipart_fields_and_files(parse) -> None:
    body = multipart(
        part("title", "Hello, wolves"),
        part("tag", "a"),
        part("tag", "b"),
        part("avatar", b"\x89PNG\r\n\x1a\n" + bytes(range(256)), filename="me.png", content_type="image/png"),
        part("notes", "line 1\r\nline 2\r\n", filename="notes.txt"),
    )
    fields, files = parse(body)
    assert fields.items(multi=True) == [("title", "Hello, wolves"), ("tag", "a"), ("tag", "b")]
    avatar = files["avatar"]
    assert isinstance(avatar, UploadFile)
    assert avatar.filename == "me.png"
    assert avatar.content_type == "image/png"
    assert avatar.size == 8 + 256
    assert avatar.read() == b"\x89PNG\r\n\x1a\n" + bytes(range(256))
    assert avatar.headers["content-type"] == "image/png"
    assert 'filename="me.png"' in avatar.headers["content-disposition"]
    notes = files["notes"]
    assert notes.content_type == "application/octet-stream"
    assert notes.read() == b"line 1\r\nline 2\r\n"


def test_multipart_unicode(parse) -> None:
    body = multipart(
        part("名前", "狼 — Ωmega"),
        part("doc", "données", filename="résumé 狼.txt", content_type="text/plain; charset=utf-8"),
    )
    fields, files = parse(body)
    assert fields["名前"] == "狼 — Ωmega"
    assert files["doc"].filename == "résumé 狼.txt"
    assert files["doc"].read() == "données".encode()


def test_multipart_empty_values_and_empty_form(parse) -> None:
    fields, files = parse(multipart(part("a", ""), part("b", "")))
    assert fields.to_dict() == {"a": "", "b": ""}
    fields, files = parse(multipart())
    assert len(fields) == 0 and len(files) == 0


def test_multipart_quoted_name_with_escaped_quotes(parse) -> None:
    body = multipart(part(None, "v", disposition='form-data; name="say \\"hi\\"; ok"'))
    fields, _ = parse(body)
    assert fields['say "hi"; ok'] == "v"


@pytest.mark.parametrize("max_chunk", [1, 2, 3, 7, 64, 1000])
def test_multipart_any_chunking_gives_the_same_result(parse, max_chunk: int) -> None:
    payload = (b"\r\n--" + BOUNDARY[:-3].encode() + b"\r\n-\r") * 20
    body = multipart(
        part("a", "first\r\n"),
        part("f", payload, filename="x.bin"),
        part("b", "\r\n--" + BOUNDARY[:10]),
    )
    fields, files = parse(body, max_chunk=max_chunk)
    assert fields.to_dict() == {"a": "first\r\n", "b": "\r\n--" + BOUNDARY[:10]}
    assert files["f"].read() == payload


def test_multipart_streams_in_64k_chunks() -> None:
    body = multipart(part("f", b"x" * 300_000, filename="big.bin"))
    stream = Stream(body)
    _, files = parse_multipart(CTYPE, stream)
    try:
        assert set(stream.sizes) == {64 * 1024}
        assert len(stream.sizes) == len(body) // (64 * 1024) + 2
        assert files["f"].size == 300_000
    finally:
        files["f"].close()


def test_multipart_quoted_boundary_and_params(parse) -> None:
    ctype = f'Multipart/Form-Data; charset=utf-8; boundary="{BOUNDARY}"'
    fields, _ = parse(multipart(part("a", "1")), content_type=ctype)
    assert fields["a"] == "1"


def test_multipart_epilogue_and_crlf_preamble_ignored(parse) -> None:
    body = multipart(part("a", "1"), preamble=b"\r\n\r\n", epilogue=b"trailing junk " * 100)
    fields, _ = parse(body)
    assert fields["a"] == "1"


# -- filenames -----------------------------------------------------------------------


@pytest.mark.parametrize("sent, shown", [
    ("report.pdf", "report.pdf"),
    ("../../etc/passwd", "passwd"),
    ("/var/www/static/index.html", "index.html"),
    ("C:\\Users\\wolf\\Desktop\\photo.jpg", "photo.jpg"),
    ("\\\\server\\share\\x.doc", "x.doc"),
    ("dir\\sub/mixed.txt", "mixed.txt"),
    ("..", ".."),
    ("name with spaces.txt", "name with spaces.txt"),
])
def test_multipart_filename_directory_is_stripped(parse, sent: str, shown: str) -> None:
    # Sent raw, as IE and curl do (no backslash escaping).
    _, files = parse(multipart(part("f", b"data", filename=sent)))
    assert files["f"].filename == shown


def test_multipart_filename_rfc5987(parse) -> None:
    # RFC 7578 section 4.2: with both, the plain filename wins.
    disposition = "form-data; name=\"f\"; filename=\"fallback.txt\"; filename*=UTF-8''%E2%82%AC%20rates.txt"
    _, files = parse(multipart(part(None, b"1", disposition=disposition)))
    assert files["f"].filename == "fallback.txt"
    disposition = "form-data; name=\"f\"; filename*=UTF-8''%E2%82%AC%20rates.txt"
    _, files = parse(multipart(part(None, b"1", disposition=disposition)))
    assert files["f"].filename == "€ rates.txt"
    # filename* alone also makes the part a file, and its directory is stripped too.
    disposition = "form-data; name=\"g\"; filename*=UTF-8''..%2F..%2Fetc%2Fpasswd"
    _, files = parse(multipart(part(None, b"1", disposition=disposition)))
    assert files["g"].filename == "passwd"


def test_multipart_empty_filename(parse) -> None:
    body = multipart(
        part("nofile", b"", filename=""),
        part("anon", b"content", filename=""),
        part("a", "1"),
    )
    fields, files = parse(body)
    # "No file chosen" is skipped; an empty name with content is still a file.
    assert "nofile" not in files and "nofile" not in fields
    assert files["anon"].filename == ""
    assert files["anon"].read() == b"content"
    assert fields["a"] == "1"


# -- spooling ------------------------------------------------------------------------


def test_multipart_spooling(parse) -> None:
    limits = Limits(spool_threshold=1024)
    body = multipart(
        part("small", b"s" * 1024, filename="small.bin"),
        part("big", b"b" * 1025, filename="big.bin"),
        part("huge", os.urandom(3 * 1024 * 1024), filename="huge.bin"),
    )
    _, files = parse(body, limits=limits)
    small, big, huge = files["small"], files["big"], files["huge"]
    assert small.file._rolled is False
    assert big.file._rolled is True and huge.file._rolled is True
    # A rolled file is a real file on disk, rewound to the start.
    assert isinstance(big.file.fileno(), int)
    assert big.file.tell() == 0 and huge.file.tell() == 0
    assert big.read() == b"b" * 1025
    assert small.read() == b"s" * 1024
    assert huge.size == 3 * 1024 * 1024


def test_multipart_default_spool_threshold(parse) -> None:
    body = multipart(part("a", b"x" * 1000, filename="a"), part("b", b"y" * (1024 * 1024 + 1), filename="b"))
    _, files = parse(body)
    assert files["a"].file._rolled is False
    assert files["b"].file._rolled is True


def test_multipart_upload_save(parse, tmp_path) -> None:
    _, files = parse(multipart(part("f", b"saved bytes", filename="../../x.txt")))
    dest = tmp_path / "upload.bin"
    assert files["f"].save(dest) == 11
    assert dest.read_bytes() == b"saved bytes"
    assert list(tmp_path.iterdir()) == [dest]


# -- parse_multipart: hostile input --------------------------------------------------


@pytest.mark.parametrize("ctype", [
    "multipart/form-data",
    "multipart/form-data; boundary=",
    'multipart/form-data; boundary=""',
    "multipart/form-data; charset=utf-8",
    "multipart/form-data; boundary*=UTF-8''%ff",
])
def test_multipart_without_boundary_is_400(ctype: str) -> None:
    with pytest.raises(BadRequest, match="boundary") as exc:
        parse_multipart(ctype, Stream(multipart(part("a", "1"))))
    assert exc.value.status == 400


def test_multipart_other_media_type_is_415() -> None:
    with pytest.raises(UnsupportedMediaType):
        parse_multipart("application/json", Stream(b"{}"))


def test_multipart_boundary_too_long_is_400() -> None:
    boundary = "b" * 300
    body = multipart(part("a", "1"), boundary=boundary)
    with pytest.raises(BadRequest):
        parse_multipart(f"multipart/form-data; boundary={boundary}", Stream(body))


def test_multipart_content_type_too_long_is_400() -> None:
    ctype = CTYPE + "; x=" + "y" * DEFAULT_LIMITS.max_header_value
    with pytest.raises(BadRequest, match="too long"):
        parse_multipart(ctype, Stream(multipart(part("a", "1"))))


def test_multipart_part_content_type_too_long_is_400() -> None:
    limits = Limits(max_header_value=100)
    body = multipart(part("f", b"1", filename="a", content_type="text/plain; x=" + "y" * 100))
    with pytest.raises(BadRequest):
        parse_multipart(CTYPE, Stream(body), limits)
    # A header line far over any limit is stopped by the parser itself.
    body = multipart(part("f", b"1", filename="a", extra=["X-Junk: " + "j" * 100_000]))
    with pytest.raises(BadRequest):
        parse_multipart(CTYPE, Stream(body))


def test_multipart_too_many_headers_is_400() -> None:
    body = multipart(part("a", "1", extra=[f"X-H{i}: v" for i in range(50)]))
    with pytest.raises(BadRequest):
        parse_multipart(CTYPE, Stream(body))


def test_multipart_10000_tiny_fields_is_413() -> None:
    body = multipart(*[part(f"f{i}", "x") for i in range(10_000)])
    start = time.perf_counter()
    with pytest.raises(PayloadTooLarge, match="too many form parts") as exc:
        parse_multipart(CTYPE, Stream(body))
    assert exc.value.status == 413
    assert time.perf_counter() - start < TIME_BOUND


def test_multipart_part_count_limit_is_exact(parse) -> None:
    limits = Limits(max_form_parts=5)
    fields, _ = parse(multipart(*[part(f"f{i}", "x") for i in range(5)]), limits=limits)
    assert len(fields) == 5
    with pytest.raises(PayloadTooLarge):
        parse(multipart(*[part(f"f{i}", "x") for i in range(6)]), limits=limits)


def test_multipart_101_files_is_413(parse) -> None:
    _, files = parse(multipart(*[part(f"f{i}", b"x", filename=f"{i}.txt") for i in range(100)]))
    assert len(files) == 100
    with pytest.raises(PayloadTooLarge, match="too many files"):
        parse_multipart(CTYPE, Stream(multipart(*[part(f"f{i}", b"x", filename=f"{i}.txt") for i in range(101)])))


def test_multipart_empty_file_inputs_do_not_count_as_files(parse) -> None:
    limits = Limits(max_files=2)
    body = multipart(*[part(f"e{i}", b"", filename="") for i in range(5)],
                     part("a", b"1", filename="a"), part("b", b"2", filename="b"))
    _, files = parse(body, limits=limits)
    assert sorted(files) == ["a", "b"]
    with pytest.raises(PayloadTooLarge):
        parse(multipart(part("a", b"1", filename="a"), part("b", b"2", filename="b"),
                        part("c", b"3", filename=""))
              , limits=limits)


def test_multipart_oversize_field_is_413(parse) -> None:
    limit = DEFAULT_LIMITS.max_form_field_size
    fields, _ = parse(multipart(part("a", b"x" * limit)))
    assert len(fields["a"]) == limit
    with pytest.raises(PayloadTooLarge, match="form field too large") as exc:
        parse(multipart(part("a", b"x" * (limit + 1))))
    assert exc.value.status == 413
    # The limit is for fields; a file may be larger.
    _, files = parse(multipart(part("f", b"x" * (limit + 1), filename="f.bin")))
    assert files["f"].size == limit + 1


def test_multipart_many_fields_each_under_the_limit_still_bounded(parse) -> None:
    # CVE-2024-49767: non-file fields must not bypass the limits by being many.
    limits = Limits(max_form_field_size=1000, max_form_parts=10)
    with pytest.raises(PayloadTooLarge):
        parse(multipart(*[part(f"f{i}", b"x" * 1000) for i in range(11)]), limits=limits)


@pytest.mark.parametrize("cut", [1, 10, 60, 100, -30, -8, -4, -3])
def test_multipart_truncated_body_is_400(cut: int) -> None:
    body = multipart(part("a", "value"), part("f", b"file data" * 3, filename="f.txt"))
    with pytest.raises(BadRequest) as exc:
        parse_multipart(CTYPE, Stream(body[:cut]))
    assert exc.value.status == 400


def test_multipart_empty_body_and_missing_final_boundary_are_400() -> None:
    with pytest.raises(BadRequest):
        parse_multipart(CTYPE, Stream(b""))
    with pytest.raises(BadRequest):
        parse_multipart(CTYPE, Stream(multipart(part("a", "1"), final=False)))


@pytest.mark.parametrize("body", [
    multipart(part("a", "1"), boundary="other-boundary"),
    multipart(part(None, "no disposition")),
    multipart(part(None, "no name", disposition="form-data")),
    multipart(part("a", "1", extra=["Bad Header Name: x"])),
    multipart(part("a", "1", extra=["NoColon"])),
    multipart(part("a", "1", extra=['Content-Disposition: form-data; name="b"'])),
    multipart(part("f", b"1", filename="a", content_type="text/plain", extra=["Content-Type: text/html"])),
    b"--" + BOUNDARY.encode() + b"XX\r\n",
])
def test_multipart_malformed_is_400(body: bytes) -> None:
    with pytest.raises(BadRequest):
        parse_multipart(CTYPE, Stream(body))


def test_multipart_invalid_utf8_field_is_400() -> None:
    with pytest.raises(BadRequest, match="invalid UTF-8"):
        parse_multipart(CTYPE, Stream(multipart(part("a", b"\xff\xfe"))))


def test_multipart_crlf_heavy_part_is_linear(parse) -> None:
    # CVE-2023-46136: a part full of CR/LF must not make the boundary scan quadratic.
    payload = b"\r\n" * 500_000
    body = multipart(part("f", payload, filename="crlf.bin"))
    start = time.perf_counter()
    _, files = parse(body)
    assert time.perf_counter() - start < TIME_BOUND
    assert files["f"].size == 1_000_000
    # The same as a (large) text field.
    limits = Limits(max_form_field_size=2_000_000)
    start = time.perf_counter()
    fields, _ = parse(multipart(part("a", payload)), limits=limits)
    assert time.perf_counter() - start < TIME_BOUND
    assert len(fields["a"]) == 1_000_000


@pytest.mark.parametrize("unit", [b"\r", b"\n", b"\r\n-", b"\r\n--", b"\r\n--" + BOUNDARY[:-1].encode()])
def test_multipart_boundary_lookalikes_are_linear(parse, unit: bytes) -> None:
    payload = unit * (1_000_000 // len(unit))
    body = multipart(part("f", payload, filename="x.bin"))
    start = time.perf_counter()
    _, files = parse(body)
    assert time.perf_counter() - start < TIME_BOUND
    assert files["f"].read() == payload


def test_multipart_huge_junk_preamble_is_fast_400() -> None:
    # CVE-2024-53981: junk before the first boundary must not be handled byte by byte.
    body = multipart(part("a", "1"), preamble=b"junk preamble " * 100_000 + b"\r\n")
    assert elapsed(parse_multipart, CTYPE, Stream(body)) < TIME_BOUND
    with pytest.raises(BadRequest):
        parse_multipart(CTYPE, Stream(body))


def test_multipart_huge_crlf_preamble_is_fast(parse) -> None:
    body = multipart(part("a", "1"), preamble=b"\r\n" * 1_000_000)
    start = time.perf_counter()
    fields, _ = parse(body)
    assert time.perf_counter() - start < TIME_BOUND
    assert fields["a"] == "1"


def test_multipart_body_limit_from_stream_propagates() -> None:
    body = multipart(part("f", b"x" * 200_000, filename="f"))
    with pytest.raises(PayloadTooLarge, match="request body too large"):
        parse_multipart(CTYPE, Stream(body, limit=100_000))


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="needs /proc/self/fd")
def test_multipart_failure_closes_spooled_files() -> None:
    limits = Limits(spool_threshold=10)
    spilled = [part(f"f{i}", b"x" * 100, filename=f"{i}.bin") for i in range(3)]
    cases = [
        multipart(*spilled)[:-10],                                     # truncated
        multipart(*spilled, part("bad", b"\xff")),                      # invalid UTF-8 after files
        multipart(*spilled, part("a", b"y" * 600_000)),                 # field too large
        multipart(*spilled, part("in-progress", b"z" * 100, filename="p"))[:-10],
    ]
    for body in cases:
        before = len(os.listdir("/proc/self/fd"))
        # Keep the traceback (and the parser's frames) alive while counting.
        with pytest.raises((BadRequest, PayloadTooLarge)) as exc:
            parse_multipart(CTYPE, Stream(body), limits)
        assert exc.value is not None
        assert len(os.listdir("/proc/self/fd")) == before
