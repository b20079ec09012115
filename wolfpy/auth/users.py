"""The project's user model, and where a signed-in user's id is kept in the session."""
from __future__ import annotations

from typing import Any

from ..errors import WolfPyError

SESSION_KEY = "_user"   # the session key holding the signed-in user's id


def project_model(app: Any, name: str, hint: str) -> Any:
    """The model class ``name`` of the project's ``models/``; a WolfPyError saying ``hint``
    when there is none."""
    if not app.models and app.project is not None:
        app.bind_models()
    for model in app.models:
        if model.__name__ == name:
            return model
    raise WolfPyError(f"no {name} model in models/: {hint}")


def get_user_model(app: Any) -> Any:
    """The project's ``User`` model (found in ``models/``)."""
    return project_model(app, "User", "create one with `wolfpy generate auth`")
