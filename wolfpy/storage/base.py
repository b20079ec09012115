"""The storage interface, the file it hands back, and the rule for original names."""
from __future__ import annotations

import unicodedata
from typing import IO, Any, Callable, Mapping

#: How long the kept original name may be (characters).
MAX_ORIGINAL_NAME = 200


class Storage:
    """Where uploads live. A backend implements these six methods and :meth:`metadata`.

    ``name`` is always a name WolfPy generated (``ab/ab12….png``), never a client's.
    """

    def open(self, name: str) -> IO[bytes]:
        """The stored bytes, for reading."""
        raise NotImplementedError

    def save(self, name: str, content: IO[bytes], *, metadata: Mapping[str, str] | None = None) -> int:
        """Store ``content`` (read from its current position) as ``name``; returns its size."""
        raise NotImplementedError

    def delete(self, name: str) -> None:
        """Remove ``name`` and its metadata; no error when it is already gone."""
        raise NotImplementedError

    def exists(self, name: str) -> bool:
        raise NotImplementedError

    def url(self, name: str) -> str:
        """Where a browser gets ``name`` (signed and expiring for private files)."""
        raise NotImplementedError

    def size(self, name: str) -> int:
        raise NotImplementedError

    def metadata(self, name: str) -> dict[str, str]:
        """What was saved with ``name``: ``original_name`` and ``content_type``."""
        return {}


#: How a StoredFile made without a storage finds one (set by wolfpy.storage.uploads).
current_storage_hook: list[Callable[[], "Storage"]] = []


class StoredFile:
    """A file in storage: its generated ``name``, ``url``, ``size`` and ``content_type``,
    and the client's ``original_name`` (sanitised, for display only)."""

    __slots__ = ("name", "storage", "_size", "_content_type", "_original_name")

    def __init__(self, name: str, storage: Storage | None = None, *, size: int | None = None,
                 content_type: str | None = None, original_name: str | None = None) -> None:
        self.name = name
        self.storage = storage
        self._size = size
        self._content_type = content_type
        self._original_name = original_name

    def _store(self) -> Storage:
        if self.storage is None:
            self.storage = current_storage_hook[0]()
        return self.storage

    @property
    def url(self) -> str:
        return self._store().url(self.name)

    @property
    def size(self) -> int:
        if self._size is None:
            self._size = self._store().size(self.name)
        return self._size

    @property
    def content_type(self) -> str:
        if self._content_type is None:
            self._content_type = self._store().metadata(self.name).get("content_type",
                                                                       "application/octet-stream")
        return self._content_type

    @property
    def original_name(self) -> str:
        if self._original_name is None:
            self._original_name = self._store().metadata(self.name).get("original_name", "")
        return self._original_name

    def open(self) -> IO[bytes]:
        return self._store().open(self.name)

    def __eq__(self, other: Any) -> bool:
        if isinstance(other, StoredFile):
            return other.name == self.name
        return isinstance(other, str) and other == self.name

    def __hash__(self) -> int:
        return hash(self.name)

    def __str__(self) -> str:
        return self.name

    def __repr__(self) -> str:
        return f"<StoredFile {self.name!r}>"


def sanitise_name(name: str) -> str:
    """A client's file name made safe to show and to offer as a download name: no
    directory part, no control or format characters, no leading dots, NFC, bounded."""
    name = unicodedata.normalize("NFC", name)
    cut = max(name.rfind("/"), name.rfind("\\"))
    if cut != -1:
        name = name[cut + 1:]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = name.strip().lstrip(".").strip()
    if len(name) > MAX_ORIGINAL_NAME:
        stem, dot, ext = name.rpartition(".")
        if dot and 0 < len(ext) <= 16:
            name = stem[:MAX_ORIGINAL_NAME - len(ext) - 1] + "." + ext
        else:
            name = name[:MAX_ORIGINAL_NAME]
    return name or "file"
