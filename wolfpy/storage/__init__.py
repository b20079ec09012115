"""Stored files: the storage interface, the local-disk backend, ``UploadFile.save()``,
``FileField`` and ``/media/`` (docs/uploads.md)."""
from __future__ import annotations

from .base import Storage, StoredFile, sanitise_name
from .local import LocalStorage
from .uploads import STORAGE_DEFAULTS, current_storage, get_storage, store_upload

__all__ = ["Storage", "StoredFile", "LocalStorage", "STORAGE_DEFAULTS", "current_storage",
           "get_storage", "store_upload", "sanitise_name"]
