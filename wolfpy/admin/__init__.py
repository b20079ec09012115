"""The admin at ``/admin``: every model of the project, for users with ``is_admin``.

It is a built-in extension (:func:`admin_extension`), mounted through the same
:class:`~wolfpy.extensions.Extension` API as plugins. It is on when ``[admin] enabled``
is true (the default) and the project has a ``User`` model with an ``is_admin`` field
(``wolfpy generate auth`` writes one); a project without users gets no admin, no
route and no middleware. See docs/admin.md.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from ..checkmessage import CheckMessage
from ..extensions import Extension

HERE = Path(__file__).parent
SOURCE = "admin (built-in extension)"
DEFAULT_PREFIX = "/admin"


def _user_model(app: Any) -> Any | None:
    if app.project is None or not app.project.models.is_dir():
        return None
    if not app.models:
        try:
            app.bind_models()
        except Exception:  # a model that does not import: reported by the models' own checks
            return None
    return next((m for m in app.models if m.__name__ == "User"), None)


def admin_status(app: Any) -> tuple[bool, str]:
    """Whether ``app`` gets the admin, and why not."""
    if not app.settings.get("admin", "enabled", True):
        return False, "[admin] enabled is false"
    user = _user_model(app)
    if user is None:
        return False, "the project has no User model (`wolfpy generate auth` writes one)"
    if "is_admin" not in user._meta.fields:
        return False, "the User model has no is_admin field"
    from .site import NEEDED_MIDDLEWARE
    builtin = list(app.settings.middleware.builtin)
    missing = [name for name in NEEDED_MIDDLEWARE if name not in builtin]
    if missing:
        return False, f"[middleware] builtin lacks {', '.join(missing)}"
    return True, ""


def admin_extension(app: Any) -> Extension | None:
    """The admin's extension for ``app``, or None when the admin is off (see :func:`admin_status`).

    A project with a ``User`` model whose settings keep the admin out (no sessions,
    CSRF or auth middleware, or a route of its own at ``/admin``) gets an extension
    with only the ``admin.W001`` check, so ``wolfpy check`` says why there is no admin.
    """
    if any(e.name == "admin" for e in app.extensions):
        return None
    on, why = admin_status(app)
    if not on and not why.startswith("[middleware]"):
        return None
    hint = "add \"sessions\", \"csrf\" and \"auth\" to [middleware] builtin, or set [admin] enabled = false"
    taken = _taken(app, str(app.settings.get("admin", "prefix", DEFAULT_PREFIX) or DEFAULT_PREFIX))
    if on and taken is not None:
        # The project's own /admin wins, as a project's routes win over OpenAPI's.
        on, why = False, f"the project's {taken} serves /admin"
        hint = "move that route elsewhere, or set [admin] enabled = false"
    ext = Extension("admin", source=SOURCE) if not on else _mounted(app)
    if not on:
        @ext.check("admin.W001")
        def _off(app: Any) -> list[Any]:
            return [CheckMessage("warning", "admin.W001", f"the admin at /admin is off: {why}", hint)]
    return ext


def _taken(app: Any, prefix: str) -> str | None:
    """The source of a project route at ``prefix`` or below it (the project keeps its URLs)."""
    from ..routing.patterns import template_of
    prefix = prefix.rstrip("/").lower()
    for route in app.routes:
        url = template_of(route.segments).lower()
        if url == prefix or url.startswith(prefix + "/"):
            return str(route.source)
    return None


def _mounted(app: Any) -> Extension:
    prefix = str(app.settings.get("admin", "prefix", DEFAULT_PREFIX) or DEFAULT_PREFIX)
    from . import pages, views
    from .metrics import Collector
    from .site import AdminSite
    ext = Extension("admin", prefix=prefix, templates=HERE / "templates", static=HERE / "static",
                    source=SOURCE)
    site = AdminSite(app, ext.prefix)
    site.collector = Collector(app)
    pages.register(ext, site)
    views.register(ext, site)
    ext.add_middleware(site.guard(), prefix=ext.prefix)
    ext.add_middleware(site.collector)

    @ext.check("admin.W002")
    def _options(app: Any) -> list[Any]:
        return [CheckMessage("warning", "admin.W002", problem, "name a field of the model")
                for problem in site.registry.problems()]
    return ext


__all__ = ["admin_extension", "admin_status"]
