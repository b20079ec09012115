"""The ``auth`` built-in: ``request.user`` from the session, loaded on first use."""
from __future__ import annotations

from typing import Any

from ..errors import WolfPyError
from ..middleware import Hooks
from .links import SESSION_HASH_KEY, session_still_valid
from .users import SESSION_KEY, get_user_model


class Authentication(Hooks):
    """The ``auth`` built-in: ``request.user`` from the session (loaded on first use), and
    ``Cache-Control: no-store`` on pages served to a signed-in user."""

    name = "auth"

    def __init__(self, app: Any) -> None:
        def load(request: Any) -> Any:
            if not request.has_session:
                return None
            user_id = request.session.get(SESSION_KEY)
            if user_id is None:
                return None
            try:
                User = get_user_model(request.app)
            except WolfPyError:
                return None  # no User model (yet): nobody can be signed in
            user = User.get_or_none(User._meta.primary_key == user_id)
            if user is None or getattr(user, "is_active", True) is False:
                return None
            if not session_still_valid(request.app, user, request.session.get(SESSION_HASH_KEY)):
                return None   # the password changed since this session signed in
            return user

        def before(request: Any) -> None:
            request.set_user_loader(load)
            return None

        def after(request: Any, response: Any) -> Any:
            if request.loaded_user is not None:
                response.headers["Cache-Control"] = "no-store"
            return response
        self.before, self.after = before, after
