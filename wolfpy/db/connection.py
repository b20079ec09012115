"""One database connection per request: opened on first query, returned when the response is ready
(a SQLite connection is kept for the thread's next request)."""
from __future__ import annotations

from typing import Any

from ..middleware import Hooks


class DatabaseConnection(Hooks):
    """Closes (or, with a pool, returns; with SQLite, keeps) the request's connection after the
    response is built."""

    name = "database"

    def __init__(self, database: Any) -> None:
        # A database that can keep its connection for the next request (SQLite) releases it.
        end = getattr(database, "release_connection", None) or database.close

        def after(request: Any, response: Any) -> Any:
            if not database.is_closed():
                end()
            return response
        self.after = after
