"""One database connection per request: opened on first query, returned when the response is ready."""
from __future__ import annotations

from typing import Any

from ..middleware import Hooks


class DatabaseConnection(Hooks):
    """Closes (or, with a pool, returns) the request's connection after the response is built."""

    name = "database"

    def __init__(self, database: Any) -> None:
        def after(request: Any, response: Any) -> Any:
            if not database.is_closed():
                database.close()
            return response
        self.after = after
