"""Access checks that run before a handler: ``guard(func, check)``, the mechanism under
``@login_required``, ``@role_required`` and ``@token_required``."""
from __future__ import annotations

import functools
import inspect
from typing import Any, Callable, TypeVar

from ..handlers import GUARDS_DONE

F = TypeVar("F", bound=Callable[..., Any])


#: The attribute that lists a handler's access checks, outermost first. WolfPy runs them
#: before it reads and validates the body, so an anonymous client gets its 401 or its
#: redirect to the login page, never a 422 that lists the body's fields.
GUARDS = "__wolfpy_guards__"  # read by wolfpy.handlers.Endpoint


def _guarded(request: Any, check: Callable[[Any], Any]) -> Any:
    done = request.state.get(GUARDS_DONE)
    if done and check in done:
        return None     # already run before the parameters were bound
    return check(request)


def guard(func: F, check: Callable[[Any], Any]) -> F:
    """``func`` with ``check(request)`` run first: a Response it returns answers instead."""
    if inspect.iscoroutinefunction(func):
        @functools.wraps(func)
        async def async_wrapper(request: Any, *args: Any, **kwargs: Any) -> Any:
            denied = _guarded(request, check)
            if denied is not None:
                return denied
            return await func(request, *args, **kwargs)
        wrapped: Any = async_wrapper
    else:
        @functools.wraps(func)
        def wrapper(request: Any, *args: Any, **kwargs: Any) -> Any:
            denied = _guarded(request, check)
            if denied is not None:
                return denied
            return func(request, *args, **kwargs)
        wrapped = wrapper
    setattr(wrapped, GUARDS, (check, *getattr(func, GUARDS, ())))
    return wrapped  # type: ignore[no-any-return]
