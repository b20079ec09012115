"""API handlers: ``@api_route`` on a route module's function."""
from __future__ import annotations

from typing import Any, Callable, TypeVar, overload

F = TypeVar("F", bound=Callable[..., Any])


@overload
def api_route(func: F) -> F: ...
@overload
def api_route(*, status: int = 200) -> Callable[[F], F]: ...


def api_route(func: Any = None, *, status: int = 200) -> Any:
    """Mark a handler as a JSON API handler: return values and errors become JSON.

    Use bare (``@api_route``) or with the success status (``@api_route(status=201)``).
    """
    def mark(f: F) -> F:
        f.__wolfpy_api__ = True  # type: ignore[attr-defined]
        f.__wolfpy_status__ = status  # type: ignore[attr-defined]
        return f
    if func is not None:
        return mark(func)
    return mark
