"""Headers, MultiDict and UploadFile: the containers a Request hands to handlers."""
from __future__ import annotations

import os
import shutil
from typing import IO, Any, Callable, ClassVar, Iterable, Iterator, Mapping, TypeVar

from ..errors import BadRequestKeyError

_T = TypeVar("_T")
_MISSING: Any = object()


class MultiDict(dict[str, Any]):
    """An immutable mapping where a key may carry several values.

    ``md[key]`` and ``md.get(key)`` give the first value, ``md.getlist(key)`` all
    of them. A missing key raises :class:`~wolfpy.errors.BadRequestKeyError`, which
    is a ``KeyError`` for Python and a 400 for the client.

    It is a dict of each key's first value, so that reading it costs what reading a
    dict costs; every value of the keys that have more than one is in ``_lists`` (None
    when no key has, as in nearly every form and query string). The dict methods that
    would change it raise ``TypeError``.
    """

    _lists: dict[str, list[Any]] | None = None

    def __init__(self, items: Iterable[tuple[str, Any]] = ()) -> None:
        first: dict[str, Any] = {}
        lists: dict[str, list[Any]] | None = None
        for key, value in items:
            if key not in first:
                first[key] = value
                continue
            if lists is None:
                lists = {}
            bucket = lists.get(key)
            if bucket is None:
                lists[key] = [first[key], value]
            else:
                bucket.append(value)
        _dict_update(self, first)
        if lists is not None:
            self._lists = lists

    def __missing__(self, key: str) -> Any:
        raise BadRequestKeyError(key)

    def getlist(self, key: str) -> list[Any]:
        lists = self._lists
        if lists is not None:
            bucket = lists.get(key)
            if bucket is not None:
                return list(bucket)
        value = self.get(key, _MISSING)
        return [] if value is _MISSING else [value]

    def items(self, multi: bool = False) -> Any:  # type: ignore[override]
        lists = self._lists
        if multi and lists is not None:
            return [(k, v) for k, first in _dict_items(self) for v in lists.get(k, (first,))]
        return list(_dict_items(self))

    def to_dict(self, flat: bool = True) -> dict[str, Any]:
        if flat:
            return dict(_dict_items(self))
        lists = self._lists or {}
        return {k: list(lists.get(k, (v,))) for k, v in _dict_items(self)}

    def copy(self) -> "MultiDict":
        md = _dict_new(MultiDict)
        _dict_update(md, self)
        if self._lists is not None:
            md._lists = self._lists
        return md  # type: ignore[no-any-return]

    def __reduce__(self) -> Any:
        return MultiDict, (self.items(multi=True),)

    def __repr__(self) -> str:
        return f"MultiDict({self.items(multi=True)!r})"

    def _read_only(self, *args: Any, **kwargs: Any) -> Any:
        raise TypeError("a MultiDict is read-only: make a dict of it (md.to_dict()) to change it")

    __setitem__ = __delitem__ = __ior__ = _read_only  # type: ignore[assignment]
    setdefault = update = pop = popitem = clear = _read_only  # type: ignore[assignment]


# dict's own methods, for MultiDict's (whose mutators refuse) and the parsers that fill one.
_dict_new = dict.__new__
_dict_update = dict.update
_dict_items = dict.items


class Headers(Mapping[str, str]):
    """Case-insensitive, read-only request headers.

    Built from a list of ``(name, value)`` string pairs with lower-case names.
    Repeated headers are joined with ``", "`` by ``[]``/``get`` and available
    one by one through :meth:`getlist`.
    """

    __slots__ = ("_raw", "_map")

    def __init__(self, raw: Iterable[tuple[str, str]] = ()) -> None:
        self._raw = [(k.lower(), v) for k, v in raw]
        self._map: dict[str, str] | None = None

    def _mapping(self) -> dict[str, str]:
        m = self._map
        if m is None:
            m = self._map = join_repeated(self._raw)
        return m

    def __getitem__(self, key: str) -> str:
        return self._mapping()[key.lower()]

    def get(self, key: str, default: Any = None) -> Any:
        return self._mapping().get(key.lower(), default)

    def getlist(self, key: str) -> list[str]:
        key = key.lower()
        return [v for k, v in self._raw if k == key]

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and key.lower() in self._mapping()

    def __iter__(self) -> Iterator[str]:
        return iter(self._mapping())

    def __len__(self) -> int:
        return len(self._mapping())

    def raw(self) -> list[tuple[str, str]]:
        return list(self._raw)

    def __repr__(self) -> str:
        return f"Headers({self._raw!r})"


def join_repeated(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    """``{name: value}`` with a repeated name's values joined by ``", "``.

    The values of a name are collected first and joined once, so the work is
    linear in the size of the headers however often a name repeats.
    """
    grouped: dict[str, Any] = {}
    repeated = False
    for k, v in pairs:
        seen = grouped.get(k)
        if seen is None:
            grouped[k] = v
        elif type(seen) is list:
            seen.append(v)
        else:
            grouped[k] = [seen, v]
            repeated = True
    if repeated:
        for k, v in grouped.items():
            if type(v) is list:
                grouped[k] = ", ".join(v)
    return grouped


class LookupHeaders(Headers):
    """Headers that an adapter reads one at a time from the server's own structure:
    subclasses implement ``get``; item access and ``in`` follow from it."""

    __slots__ = ()

    def __getitem__(self, key: str) -> str:
        value = self.get(key)
        if value is None:
            raise KeyError(key)
        return value

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self.get(key) is not None


class UploadFile:
    """A file sent in a multipart form.

    Its bytes live in a spooled temporary file: in memory while small, on disk
    past the threshold. ``filename`` is the client's name, for display only:
    :meth:`save` needs an explicit destination and never derives a path from it.
    """

    __slots__ = ("filename", "content_type", "size", "headers", "file")

    def __init__(self, filename: str, content_type: str, file: IO[bytes], size: int,
                 headers: Mapping[str, str] | None = None) -> None:
        self.filename = filename
        self.content_type = content_type
        self.file = file
        self.size = size
        self.headers = dict(headers or {})

    def read(self, size: int = -1) -> bytes:
        return self.file.read(size)

    def seek(self, offset: int) -> int:
        return self.file.seek(offset)

    #: How :meth:`save` with no path stores an upload (set by :mod:`wolfpy.storage`).
    store: ClassVar[Callable[..., Any] | None] = None

    def save(self, path: str | os.PathLike[str] | None = None, *, private: bool = False) -> Any:
        """With no ``path``, store the upload through the project's storage under a
        generated name and return a ``StoredFile`` (``[storage]`` limits and types apply;
        ``private`` files get signed, expiring URLs). With ``path`` (a file path the
        application chose), copy the bytes there and return the size."""
        if path is None:
            if UploadFile.store is None:
                raise RuntimeError("UploadFile.save() with no path needs wolfpy.storage")
            return UploadFile.store(self, private=private)
        self.file.seek(0)
        with open(path, "wb") as out:
            shutil.copyfileobj(self.file, out)
        self.file.seek(0)
        return self.size

    def close(self) -> None:
        self.file.close()

    def __repr__(self) -> str:
        return f"<UploadFile {self.filename!r} {self.content_type} {self.size} bytes>"
