"""Stored files on the local disk, under ``[storage] root`` (``media/``)."""
from __future__ import annotations

import hashlib
import hmac
import json
import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import IO, Mapping

from .base import Storage

#: Names of private files start with this; their URLs are signed and expire.
PRIVATE_PREFIX = "private/"


def _meta_path(path: Path) -> Path:
    # A dotfile beside the file: /media/ never serves dotfiles.
    return path.with_name(f".{path.name}.json")


class LocalStorage(Storage):
    """Files in ``root``; URLs under ``base_url``; private names signed with ``secret``."""

    def __init__(self, root: str | os.PathLike[str], base_url: str = "/media/", *,
                 secret: str = "", signed_ttl: int = 3600) -> None:
        self.root = Path(root)
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"
        self.secret = secret
        self.signed_ttl = signed_ttl

    def path(self, name: str) -> Path:
        """The file of ``name`` (a generated name; client paths go through ``safe_join``)."""
        if not name or name.startswith("/") or ".." in name.split("/") or "\\" in name or "\0" in name:
            raise ValueError(f"not a stored file name: {name!r}")
        return self.root / name

    def open(self, name: str) -> IO[bytes]:
        return open(self.path(name), "rb")

    def save(self, name: str, content: IO[bytes], *, metadata: Mapping[str, str] | None = None) -> int:
        target = self.path(name)
        target.parent.mkdir(parents=True, exist_ok=True)
        # Written beside the target and renamed into place: a reader never sees half a file.
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as out:
                shutil.copyfileobj(content, out, 1024 * 1024)
                size = out.tell()
            os.chmod(tmp, 0o644)  # mkstemp's 0600 would hide it from a front server
            if metadata:
                _meta_path(target).write_text(json.dumps(dict(metadata)), encoding="utf-8")
            os.replace(tmp, target)
        except BaseException:
            os.unlink(tmp)
            raise
        return size

    def delete(self, name: str) -> None:
        path = self.path(name)
        for victim in (path, _meta_path(path)):
            try:
                victim.unlink()
            except FileNotFoundError:
                pass

    def exists(self, name: str) -> bool:
        return self.path(name).is_file()

    def size(self, name: str) -> int:
        return self.path(name).stat().st_size

    def metadata(self, name: str) -> dict[str, str]:
        try:
            data = json.loads(_meta_path(self.path(name)).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}

    # -- signed URLs for private files ---------------------------------------------
    def url(self, name: str) -> str:
        if not name.startswith(PRIVATE_PREFIX):
            return self.base_url + name
        expires = int(time.time()) + self.signed_ttl
        return f"{self.base_url}{name}?expires={expires}&signature={self.signature(name, expires)}"

    def signature(self, name: str, expires: int) -> str:
        if not self.secret:
            raise ValueError("private files need [app] secret_key to sign their URLs")
        message = f"media:{name}:{expires}".encode()
        return hmac.new(self.secret.encode(), message, hashlib.sha256).hexdigest()[:32]

    def check_signature(self, name: str, expires: str, signature: str) -> bool:
        """True when ``signature`` signs ``name`` until ``expires`` and that is in the future."""
        if not expires.isdigit() or len(expires) > 12 or int(expires) < time.time():
            return False
        return hmac.compare_digest(self.signature(name, int(expires)), signature)
