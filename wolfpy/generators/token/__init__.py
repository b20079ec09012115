"""``wolfpy generate token``: ``routes/auth/token.py``, a JSON endpoint trading credentials for a JWT."""
from __future__ import annotations

from typing import Any

from ..auth import check_routes, user_model_module
from ..engine import Generator, GeneratorError, Option

DEFAULT_EXPIRES_IN = 3600


class TokenGenerator(Generator):
    """``POST /auth/token``: ``{"username", "password"}`` → ``{"token", "type": "Bearer", "expires_in"}``."""

    name = "token"
    summary = "POST /auth/token: credentials for a JWT."
    options = (Option(("--expires-in",), "Seconds a token stays valid.", DEFAULT_EXPIRES_IN),)

    def __init__(self, project: Any, *, force: bool = False, expires_in: int = DEFAULT_EXPIRES_IN) -> None:
        super().__init__(project, force=force)
        self.expires_in = expires_in

    def plan(self) -> None:
        if not 60 <= self.expires_in <= 31 * 24 * 3600:
            raise GeneratorError(f"--expires-in {self.expires_in}: give seconds from 60 to {31 * 24 * 3600} "
                                 "(31 days)")
        if user_model_module(self) is None:
            raise GeneratorError("no User model in models/: run `wolfpy generate auth` first "
                                 "(nothing was written)")
        check_routes(self, {"auth/token": "/auth/token"})
        from ...auth.passwords import MAX_PASSWORD_BYTES
        self.add("routes/auth/token.py", "token.py", expires_in=self.expires_in,
                 max_password_bytes=MAX_PASSWORD_BYTES)
