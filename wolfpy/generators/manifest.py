"""``.wolfpy/generated.json``: what each generator run wrote, so ``wolfpy destroy`` can
remove exactly that and notice a file changed since.

    {"scaffold Post": {"files": {"routes/posts/index.py": "<sha256>", ...},
                       "migrations": ["0002_create_post"]}}

Commit it with the project: it is how a teammate's ``wolfpy destroy`` knows the same.
"""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

MANIFEST = Path(".wolfpy") / "generated.json"


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_digest(path: Path) -> str | None:
    try:
        return digest(path.read_bytes())
    except OSError:
        return None


def load(root: Path) -> dict[str, Any]:
    """The manifest (empty when there is none, or it is not readable JSON of the right shape)."""
    try:
        data = json.loads((root / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def save(root: Path, data: dict[str, Any]) -> None:
    path = root / MANIFEST
    if not data:
        path.unlink(missing_ok=True)
        try:
            path.parent.rmdir()   # .wolfpy/ goes too when nothing else is in it
        except OSError:
            pass
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def record(root: Path, key: str, files: dict[str, str], migrations: list[str] = ()) -> None:  # type: ignore[assignment]
    """Add ``files`` (relative path -> sha256) and ``migrations`` to the entry ``key``."""
    data = load(root)
    entry = data.setdefault(key, {})
    entry.setdefault("files", {}).update(files)
    if migrations:
        entry["migrations"] = sorted(set(entry.get("migrations", [])) | set(migrations))
    save(root, data)


def forget(root: Path, key: str) -> None:
    data = load(root)
    if data.pop(key, None) is not None:
        save(root, data)
