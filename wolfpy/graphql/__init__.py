"""GraphQL through WolfPy's own request path: Strawberry schemas served by a route
(``wolfpy generate graphql``), with limits on by default and types built from models
(docs/graphql.md). Needs ``wolfpy[graphql]``."""
from __future__ import annotations

try:
    import strawberry  # noqa: F401
except ImportError:  # pragma: no cover - exercised in a subprocess without the extra
    from ..errors import MissingExtra
    raise MissingExtra("graphql", "strawberry-graphql", "GraphQL (wolfpy.graphql)") from None

from .limits import QueryCostLimiter, default_extensions
from .models import (Page, ValidationFailed, create_row, delete_row, get_row, model_input, model_type,
                     model_types, paginate, require_admin, require_user, update_row)
from .view import Context, GraphQL

__all__ = ["Context", "GraphQL", "Page", "QueryCostLimiter", "ValidationFailed", "create_row",
           "default_extensions", "delete_row", "get_row", "model_input", "model_type", "model_types", "paginate",
           "require_admin", "require_user", "update_row"]
