"""Where session data lives: a signed cookie, or Redis (the cookie then holds only a random id)."""
from __future__ import annotations

import json
from typing import Any

from itsdangerous import BadSignature, URLSafeTimedSerializer

from ..errors import SessionTooLarge
from . import COOKIE_NAME, new_session_data, new_session_id

# Browsers keep a cookie of up to 4096 bytes, name, "=" and value (RFC 6265 section 6.1
# asks for at least that); 4093 leaves room for the quirks of some.
MAX_COOKIE_BYTES = 4093


def _signed_loads(current: URLSafeTimedSerializer, fallback: URLSafeTimedSerializer | None,
                  value: str, max_age: int | None) -> tuple[Any, bool]:
    """(what ``value`` holds, whether an old key signed it); (None, False) when nothing verifies."""
    try:
        return current.loads(value, max_age=max_age), False
    except (BadSignature, ValueError, TypeError):
        if fallback is None:
            return None, False
    try:
        return fallback.loads(value, max_age=max_age), True
    except (BadSignature, ValueError, TypeError):
        return None, False


class CookieStore:
    """The data itself, JSON, signed (itsdangerous) with the secret key. Old keys still verify,
    and a cookie they signed is signed again with the current key on the response; only the
    newest signs (Flask CVE-2025-47278 signed with the oldest)."""

    server_side = False

    def __init__(self, secret_key: str, fallback_keys: list[str], lifetime: int,
                 cookie_name: str = COOKIE_NAME) -> None:
        self._serializer = URLSafeTimedSerializer(secret_key, salt="wolfpy.session")
        self._fallback = (URLSafeTimedSerializer(list(fallback_keys), salt="wolfpy.session")
                          if fallback_keys else None)
        self._lifetime = lifetime or None
        self._room = MAX_COOKIE_BYTES - len(cookie_name) - 1

    def load(self, cookie: str | None) -> tuple[str | None, dict[str, Any]]:
        sid, data, _ = self.load_checked(cookie)
        return sid, data

    def load_checked(self, cookie: str | None) -> tuple[str | None, dict[str, Any], bool]:
        """(id, data, signed with an old key: save it again)."""
        if cookie:
            # tampered, truncated or expired: a fresh anonymous session
            data, stale = _signed_loads(self._serializer, self._fallback, cookie, self._lifetime)
            if isinstance(data, dict):
                return None, data, stale
        return None, new_session_data(), False

    def check(self, data: dict[str, Any]) -> None:
        """Raise :class:`SessionTooLarge` when ``data`` would not fit in the cookie."""
        self.save(None, data)

    def save(self, sid: str | None, data: dict[str, Any]) -> str:
        value = self._serializer.dumps(data)
        if len(value) > self._room:
            raise SessionTooLarge(len(value) + MAX_COOKIE_BYTES - self._room, MAX_COOKIE_BYTES)
        return value

    def delete(self, sid: str | None) -> None:
        pass


class RedisStore:
    """Data in Redis under ``wolfpy:session:<id>`` with a TTL; the cookie holds the signed id."""

    server_side = True

    def __init__(self, client: Any, secret_key: str, fallback_keys: list[str], lifetime: int,
                 prefix: str = "wolfpy:session:") -> None:
        self._redis = client
        self._signer = URLSafeTimedSerializer(secret_key, salt="wolfpy.session.id")
        self._fallback = (URLSafeTimedSerializer(list(fallback_keys), salt="wolfpy.session.id")
                          if fallback_keys else None)
        self._lifetime = lifetime or 14 * 24 * 3600
        self._prefix = prefix

    def load(self, cookie: str | None) -> tuple[str | None, dict[str, Any]]:
        sid, data, _ = self.load_checked(cookie)
        return sid, data

    def load_checked(self, cookie: str | None) -> tuple[str | None, dict[str, Any], bool]:
        """(id, data, the id was signed with an old key: sign it again)."""
        if cookie:
            sid, stale = _signed_loads(self._signer, self._fallback, cookie, self._lifetime)
            if isinstance(sid, str):
                raw = self._redis.get(self._prefix + sid)
                if raw:
                    try:
                        data = json.loads(raw)
                    except ValueError:
                        data = None
                    if isinstance(data, dict):
                        return sid, data, stale
        return None, new_session_data(), False

    def save(self, sid: str | None, data: dict[str, Any]) -> str:
        sid = sid or new_session_id()
        self._redis.set(self._prefix + sid, json.dumps(data, separators=(",", ":")), ex=self._lifetime)
        return self._signer.dumps(sid)

    def delete(self, sid: str | None) -> None:
        if sid:
            self._redis.delete(self._prefix + sid)
