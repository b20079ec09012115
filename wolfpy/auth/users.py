"""The project's user model, and where a signed-in user's id is kept in the session."""
from __future__ import annotations

from typing import Any

from ..errors import WolfPyError

SESSION_KEY = "_user"   # the session key holding the signed-in user's id


def get_user_model(app: Any) -> Any:
    """The project's ``User`` model (found in ``models/``)."""
    if not app.models and app.project is not None:
        app.bind_models()
    for model in app.models:
        if model.__name__ == "User":
            return model
    raise WolfPyError("no User model in models/: create one with `wolfpy generate auth`")
