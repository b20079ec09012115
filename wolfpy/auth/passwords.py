"""Password hashing through passlib's API (installed as ``libpass``): Argon2id, old bcrypt hashes
verified and upgraded on login, a dummy hash so unknown users take as long as wrong passwords."""
from __future__ import annotations

import secrets
from functools import lru_cache
from typing import Any

from ..errors import BadRequest

MAX_PASSWORD_BYTES = 1024     # longer is refused (a hash of megabytes is a denial of service)
BCRYPT_MAX_BYTES = 72         # bcrypt ignores (or, in bcrypt 5, refuses) anything past this


@lru_cache(maxsize=1)
def _context() -> Any:
    from passlib.context import CryptContext
    # The first scheme hashes; the deprecated ones only verify and are rehashed on login.
    return CryptContext(schemes=["argon2", "bcrypt_sha256", "bcrypt"],
                        deprecated=["bcrypt_sha256", "bcrypt"])


def _check_length(password: str) -> bytes:
    if not isinstance(password, str):
        raise TypeError("password must be a string")
    raw = password.encode("utf-8")
    if len(raw) > MAX_PASSWORD_BYTES:
        raise BadRequest(message=f"passwords are at most {MAX_PASSWORD_BYTES} bytes")
    return raw


def hash_password(password: str) -> str:
    """An Argon2id hash of ``password``."""
    _check_length(password)
    return str(_context().hash(password))


def verify_password(password: str, hashed: str | None) -> bool:
    """True if ``password`` matches ``hashed``; never raises for a malformed or unknown hash."""
    return verify_and_update(password, hashed)[0]


def verify_and_update(password: str, hashed: str | None) -> tuple[bool, str | None]:
    """(matches, a new hash when the stored one uses an old scheme or old parameters)."""
    raw = _check_length(password)
    if not hashed:
        _dummy_verify(password)
        return False, None
    context = _context()
    try:
        scheme = context.identify(hashed)
    except (ValueError, TypeError):
        scheme = None
    if scheme is None:
        _dummy_verify(password)
        return False, None
    if scheme == "bcrypt" and len(raw) > BCRYPT_MAX_BYTES:
        # Plain bcrypt only ever saw the first 72 bytes: a longer password cannot be the one
        # that was set (and bcrypt 5 raises). Spend the time anyway.
        _dummy_verify(password)
        return False, None
    try:
        ok, new_hash = context.verify_and_update(password, hashed)
    except (ValueError, TypeError):
        return False, None
    return bool(ok), new_hash


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return str(_context().hash(secrets.token_urlsafe(16)))


def _dummy_verify(password: str) -> None:
    """Cost what a real check costs, so response time does not reveal which users exist."""
    _context().verify(password, _dummy_hash())
