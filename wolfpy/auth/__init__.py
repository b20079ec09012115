"""Authentication: passwords, login/logout, ``request.user``, decorators, login throttling, JWT.

The user model is the project's ``User`` (``wolfpy generate auth`` writes one): a
``wolfpy.db.Model`` with ``username``, ``email``, ``password_hash`` and ``is_admin``.
"""
from __future__ import annotations

from .core import (authenticate, get_user_model, login, login_required, logout, role_required,
                   safe_next)
from .passwords import hash_password, verify_and_update, verify_password
from .throttle import LoginThrottle
from .tokens import issue_token, token_required

__all__ = [
    "LoginThrottle", "authenticate", "get_user_model", "hash_password", "issue_token", "login",
    "login_required", "logout", "role_required", "safe_next", "token_required", "verify_and_update",
    "verify_password",
]
