"""The type of an upload from its first bytes, never from its name or declared type.

A short table of signatures (the formats people upload) and, for text, the markup
a browser would render: an upload whose bytes begin like HTML is HTML whatever it
claims to be. Anything unrecognised is ``application/octet-stream``.
"""
from __future__ import annotations

#: How many leading bytes :func:`sniff` looks at.
SNIFF_BYTES = 1024

# (offset, signature, type); the first match wins.
_MAGIC: tuple[tuple[int, bytes, str], ...] = (
    (0, b"\x89PNG\r\n\x1a\n", "image/png"),
    (0, b"\xff\xd8\xff", "image/jpeg"),
    (0, b"GIF87a", "image/gif"),
    (0, b"GIF89a", "image/gif"),
    (0, b"%PDF-", "application/pdf"),
    (0, b"PK\x03\x04", "application/zip"),
    (0, b"\x1f\x8b", "application/gzip"),
    (0, b"OggS", "audio/ogg"),
    (0, b"ID3", "audio/mpeg"),
    (0, b"fLaC", "audio/flac"),
    (0, b"\x1aE\xdf\xa3", "video/webm"),
    (4, b"ftypisom", "video/mp4"),
    (4, b"ftypmp42", "video/mp4"),
    (4, b"ftypavif", "image/avif"),
    (0, b"wOFF", "font/woff"),
    (0, b"wOF2", "font/woff2"),
)

# WHATWG MIME sniffing's HTML openers (compared case-insensitively after whitespace).
_HTML_OPENERS = (b"<!doctype html", b"<html", b"<head", b"<body", b"<script", b"<iframe", b"<h1",
                 b"<div", b"<font", b"<table", b"<a", b"<style", b"<title", b"<b", b"<br", b"<p",
                 b"<!--", b"<img", b"<object", b"<embed", b"<form", b"<svg", b"<meta", b"<link")

#: Extension of the stored name for each type (the name is generated, so it is ours).
EXTENSIONS: dict[str, str] = {
    "image/png": "png", "image/jpeg": "jpg", "image/gif": "gif", "image/webp": "webp",
    "image/avif": "avif", "image/svg+xml": "svg", "application/pdf": "pdf", "application/zip": "zip",
    "application/gzip": "gz", "audio/ogg": "ogg", "audio/mpeg": "mp3", "audio/flac": "flac",
    "video/webm": "webm", "video/mp4": "mp4", "font/woff": "woff", "font/woff2": "woff2",
    "text/html": "html", "application/xml": "xml", "text/plain": "txt",
    "application/octet-stream": "bin",
}
TYPES = {ext: ctype for ctype, ext in EXTENSIONS.items()}

#: Types a browser shows without running anything: served inline. Everything else,
#: HTML, SVG and XML first, is served as an attachment.
INLINE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp", "image/avif",
                          "application/pdf", "text/plain", "audio/ogg", "audio/mpeg", "audio/flac",
                          "video/webm", "video/mp4"})


def sniff(head: bytes) -> str:
    """The content type of a file beginning with ``head`` (its first :data:`SNIFF_BYTES`)."""
    for offset, signature, ctype in _MAGIC:
        if head[offset:offset + len(signature)] == signature:
            return ctype
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    text = head.lstrip(b"\t\n\x0c\r \xef\xbb\xbf").lower()
    if text.startswith(b"<?xml"):
        return "image/svg+xml" if b"<svg" in text else "application/xml"
    for opener in _HTML_OPENERS:
        if text.startswith(opener):
            after = text[len(opener):len(opener) + 1]
            if opener == b"<svg" and after in (b" ", b">", b"\n", b"\t", b"\r", b"/"):
                return "image/svg+xml"
            if opener == b"<!--" or after in (b" ", b">", b"\n", b"\t", b"\r", b"/", b""):
                return "text/html"
    if b"<svg" in text or b"<script" in text or b"<html" in text:
        # Markup further in: a browser that sniffs might still render it.
        return "text/html"
    return "text/plain" if _is_text(head) else "application/octet-stream"


def _is_text(head: bytes) -> bool:
    if not head:
        return True
    if any(b < 0x20 and b not in (9, 10, 12, 13, 27) for b in head):
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut at the end of the sample is still text.
        return exc.start >= len(head) - 3 and exc.reason == "unexpected end of data"
    return True
