"""Size and count limits for request parsing (every parser has a count and a size bound)."""
from __future__ import annotations

from dataclasses import dataclass

MiB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    max_body_size: int = 16 * MiB      # whole request body; 413 before reading when declared larger
    max_json_size: int = 1 * MiB       # a JSON body
    max_json_depth: int = 64           # nesting of a JSON document
    max_form_field_size: int = 500_000  # one non-file multipart field or urlencoded value
    max_form_parts: int = 1000         # fields + files in one form, or pairs in a query/urlencoded body
    max_files: int = 100               # files in one multipart body
    spool_threshold: int = 1 * MiB     # uploads above this size move from memory to a temp file
    max_header_value: int = 8192       # one header value (gunicorn's field limit is 8190); 431 above it
    max_header_count: int = 100        # request header fields; 431 above it
    max_header_size: int = 64 * 1024   # the values of all request headers together; 431 above it


DEFAULT_LIMITS = Limits()
