"""Where session data lives: a signed cookie, or Redis (the cookie then holds only a random id)."""
from __future__ import annotations

import json
from typing import Any

from itsdangerous import BadSignature, URLSafeTimedSerializer

from . import new_session_data, new_session_id

MAX_COOKIE_BYTES = 4000  # browsers drop larger cookies; refuse loudly instead


class CookieStore:
    """The data itself, JSON, signed (itsdangerous) with the secret key. Old keys still verify;
    only the newest signs (Flask CVE-2025-47278 signed with the oldest)."""

    server_side = False

    def __init__(self, secret_key: str, fallback_keys: list[str], lifetime: int) -> None:
        # itsdangerous signs with the LAST key of the list and verifies with any.
        self._serializer = URLSafeTimedSerializer([*fallback_keys, secret_key], salt="wolfpy.session")
        self._lifetime = lifetime or None

    def load(self, cookie: str | None) -> tuple[str | None, dict[str, Any]]:
        if cookie:
            try:
                data = self._serializer.loads(cookie, max_age=self._lifetime)
            except (BadSignature, ValueError, TypeError):
                data = None  # tampered, truncated or expired: a fresh anonymous session
            if isinstance(data, dict):
                return None, data
        return None, new_session_data()

    def save(self, sid: str | None, data: dict[str, Any]) -> str:
        value = self._serializer.dumps(data)
        if len(value) > MAX_COOKIE_BYTES:
            raise ValueError(f"the session is {len(value)} bytes signed, over a cookie's "
                             f"{MAX_COOKIE_BYTES}: keep less in it, or use [session] backend = \"redis\"")
        return value

    def delete(self, sid: str | None) -> None:
        pass


class RedisStore:
    """Data in Redis under ``wolfpy:session:<id>`` with a TTL; the cookie holds the signed id."""

    server_side = True

    def __init__(self, client: Any, secret_key: str, fallback_keys: list[str], lifetime: int,
                 prefix: str = "wolfpy:session:") -> None:
        self._redis = client
        self._signer = URLSafeTimedSerializer([*fallback_keys, secret_key], salt="wolfpy.session.id")
        self._lifetime = lifetime or 14 * 24 * 3600
        self._prefix = prefix

    def load(self, cookie: str | None) -> tuple[str | None, dict[str, Any]]:
        if cookie:
            try:
                sid = self._signer.loads(cookie, max_age=self._lifetime)
            except (BadSignature, ValueError, TypeError):
                sid = None
            if isinstance(sid, str):
                raw = self._redis.get(self._prefix + sid)
                if raw:
                    try:
                        data = json.loads(raw)
                    except ValueError:
                        data = None
                    if isinstance(data, dict):
                        return sid, data
        return None, new_session_data()

    def save(self, sid: str | None, data: dict[str, Any]) -> str:
        sid = sid or new_session_id()
        self._redis.set(self._prefix + sid, json.dumps(data, separators=(",", ":")), ex=self._lifetime)
        return self._signer.dumps(sid)

    def delete(self, sid: str | None) -> None:
        if sid:
            self._redis.delete(self._prefix + sid)
