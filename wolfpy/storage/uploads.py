"""``[storage]`` and ``UploadFile.save()``: limits, content sniffing, generated names."""
from __future__ import annotations

import secrets
import weakref
from typing import Any

from ..context import request_or_none
from ..errors import ConfigError, PayloadTooLarge, UnsupportedMediaType, WolfPyError
from ..http.datastructures import UploadFile
from .base import Storage, StoredFile, current_storage_hook, sanitise_name
from .local import PRIVATE_PREFIX, LocalStorage
from .sniff import EXTENSIONS, SNIFF_BYTES, sniff

#: ``[storage]``'s settings and their defaults.
STORAGE_DEFAULTS: dict[str, Any] = {
    "backend": "local",          # "local" or "s3" (wolfpy[s3])
    "root": "media",             # local: the folder, relative to the project
    "max_size": 10 * 1024 * 1024,  # bytes per stored file
    "allowed_types": ["image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf",
                      "text/plain"],
    "signed_url_ttl": 3600,      # seconds a private file's URL stays valid
    "bucket": "",                # s3
    "endpoint_url": "",          # s3: an S3-compatible server; empty for AWS
    "region": "",                # s3
}

_storages: "weakref.WeakKeyDictionary[Any, Storage]" = weakref.WeakKeyDictionary()
_last: list[Storage] = []


def validate(section: dict[str, Any]) -> None:
    if section["backend"] not in ("local", "s3"):
        raise ValueError(f"backend must be \"local\" or \"s3\", not {section['backend']!r}")
    if section["max_size"] <= 0:
        raise ValueError("max_size must be a positive number of bytes")
    unknown = [t for t in section["allowed_types"] if t != "*" and t not in EXTENSIONS]
    if unknown:
        raise ValueError(f"allowed_types: unknown type {unknown[0]!r}; the known ones are "
                         + ", ".join(sorted(EXTENSIONS)))


def _section(app: Any) -> Any:
    section = getattr(app.settings, "storage", None)
    if section is None:  # the storage extension mounts with a project folder
        raise WolfPyError("stored files need a project (its [storage] settings and media/ folder)")
    return section


def get_storage(app: Any) -> Storage:
    """The storage of ``app``, made from its ``[storage]`` settings on first use."""
    storage = _storages.get(app)
    if storage is None:
        section = _section(app)
        if section.backend == "s3":
            from .s3 import S3Storage
            storage = S3Storage(section.bucket, endpoint_url=section.endpoint_url or None,
                                region=section.region or None, secret=app.settings.app.secret_key,
                                signed_ttl=section.signed_url_ttl)
        else:
            if app.project is None:
                raise ConfigError("local storage needs a project folder")
            storage = LocalStorage(app.project.root / section.root, "/media/",
                                   secret=app.settings.app.secret_key, signed_ttl=section.signed_url_ttl)
        _storages[app] = storage
        _last[:] = [storage]
    return storage


def current_storage() -> Storage:
    """The storage of the App serving this request; outside a request, the last one made."""
    request = request_or_none()
    if request is not None:
        return get_storage(request.app)
    if _last:
        return _last[0]
    raise WolfPyError("no storage yet: store files while serving a request, or call "
                      "wolfpy.storage.get_storage(app) first")


def store_upload(upload: UploadFile, *, private: bool = False, app: Any = None) -> StoredFile:
    """Check ``upload`` against ``[storage]`` and store it under a generated name.

    Raises:
        PayloadTooLarge: over ``max_size``.
        UnsupportedMediaType: its bytes are not one of ``allowed_types``.
    """
    request = request_or_none()
    if app is None:
        if request is None:
            raise WolfPyError("UploadFile.save() with no path stores through the current request's app")
        app = request.app
    section = _section(app)
    if upload.size > section.max_size:
        raise PayloadTooLarge(message=f"file over the limit of {section.max_size} bytes")
    upload.file.seek(0)
    ctype = sniff(upload.file.read(SNIFF_BYTES))
    upload.file.seek(0)
    allowed = section.allowed_types
    if "*" not in allowed and ctype not in allowed:
        raise UnsupportedMediaType(message=f"{ctype} files are not accepted here")
    token = secrets.token_hex(16)
    name = f"{PRIVATE_PREFIX if private else ''}{token[:2]}/{token}.{EXTENSIONS[ctype]}"
    original = sanitise_name(upload.filename)
    storage = get_storage(app)
    size = storage.save(name, upload.file, metadata={"original_name": original, "content_type": ctype})
    upload.file.seek(0)
    return StoredFile(name, storage, size=size, content_type=ctype, original_name=original)


def _save(upload: UploadFile, *, private: bool = False) -> StoredFile:
    return store_upload(upload, private=private)


UploadFile.store = staticmethod(_save)
current_storage_hook[:] = [current_storage]
