"""``/media/``: stored files, with Range and ETag, attachments for anything a browser
would run, no listing, no traversal, and signed expiring URLs for private files."""
from __future__ import annotations

from typing import Any

from ..errors import NotFound
from ..extensions import Extension
from ..helpers import send_file
from ..staticfiles import safe_join
from .local import PRIVATE_PREFIX, LocalStorage
from .sniff import INLINE_TYPES, TYPES
from .uploads import STORAGE_DEFAULTS, get_storage, validate

SOURCE = "media/ (built-in stored files)"
#: Stored names are never reused: a public file may be cached for good.
PUBLIC_CACHE = "public, max-age=31536000, immutable"
PRIVATE_CACHE = "private, no-store"
#: For a file served as an attachment: nothing in it may run if a browser renders it anyway.
ATTACHMENT_CSP = "default-src 'none'; sandbox"


def make_media_handler(app: Any) -> Any:
    def get(request: Any, path: list[str]) -> Any:
        storage = get_storage(app)
        if not isinstance(storage, LocalStorage):
            raise NotFound()
        full = safe_join(str(storage.root), path)
        if full is None:
            raise NotFound()
        name = "/".join(path)
        private = name.startswith(PRIVATE_PREFIX)
        if private:
            query = request.query
            if not storage.check_signature(name, query.get("expires", ""), query.get("signature", "")):
                raise NotFound()
        ext = name.rpartition(".")[2]
        ctype = TYPES.get(ext, "application/octet-stream")
        download = None
        if ctype not in INLINE_TYPES:
            download = storage.metadata(name).get("original_name") or path[-1]
        response = send_file(full, content_type=ctype, download_name=download, request=request)
        headers = response.headers
        headers["X-Content-Type-Options"] = "nosniff"
        headers["Cache-Control"] = PRIVATE_CACHE if private else PUBLIC_CACHE
        if download is not None:
            headers["Content-Security-Policy"] = ATTACHMENT_CSP
        return response
    return get


def media_extension(app: Any) -> Extension | None:
    """``/media/{path...}`` → the project's stored files (and the ``[storage]`` section),
    unless the project has a route named ``media`` of its own."""
    if app.project is None or any(r.name == "media" for r in app.routes):
        return None
    ext = Extension("storage", source=SOURCE, settings=STORAGE_DEFAULTS, validate=validate)
    ext.route("/media/{path...}", ["GET"], name="media")(make_media_handler(app))
    return ext
