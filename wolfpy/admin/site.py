"""The admin of one App: its models, who may enter, and the shared bits of its pages."""
from __future__ import annotations

from typing import Any
from urllib.parse import quote

import peewee

from ..errors import HTTPError, WolfPyError
from ..http.response import Response, redirect
from ..middleware import Hooks
from ..templating import render
from .audit import AdminLogEntry
from .options import ModelAdmin, Registry

MAKE_ADMIN_HINT = "No admin user yet: create one with `wolfpy create user NAME --admin`."
#: The built-in middleware the admin needs: a session to sign in, CSRF for its forms, request.user.
NEEDED_MIDDLEWARE = ("sessions", "csrf", "auth")


class AdminSite:
    """The admin mounted at ``prefix`` on ``app``."""

    def __init__(self, app: Any, prefix: str) -> None:
        self.app = app
        self.prefix = prefix
        self._registry: Registry | None = None
        self.collector: Any = None

    @property
    def registry(self) -> Registry:
        if self._registry is None:
            if not self.app.models:
                self.app.bind_models()
            self._registry = Registry(list(self.app.models), skip=(AdminLogEntry,))
        return self._registry

    def model(self, group: str, slug: str) -> ModelAdmin:
        found = self.registry.get(group, slug)
        if found is None:
            raise HTTPError(404, "no such model in the admin")
        return found

    def url(self, *parts: Any) -> str:
        return "/".join([self.prefix, *(quote(str(p), safe="") for p in parts)])

    def model_url(self, admin: ModelAdmin, *parts: Any) -> str:
        return self.url(admin.group, admin.slug, *parts)

    def admin_exists(self) -> bool:
        try:
            from ..auth.users import get_user_model
            User = get_user_model(self.app)
        except WolfPyError:
            return False
        if "is_admin" not in User._meta.fields:
            return False
        try:
            return bool(User.select().where(User.is_admin == True).exists())  # noqa: E712
        except peewee.DatabaseError:  # no user table yet (migrations not applied): nobody is an admin
            return False

    def page(self, request: Any, template: str, status: int = 200, **context: Any) -> Response:
        context.setdefault("title", "Administration")
        return render(f"admin/{template}", status=status, site=self, **context)

    def guard(self) -> Hooks:
        """Middleware for the URLs under the prefix: admins only (the sign-in page excepted)."""
        site = self
        login_url = self.url("login")
        guard = Hooks()

        def before(request: Any) -> Any:
            if request.raw_path == login_url:
                return None
            user = request.user
            if user is None:
                target = request.raw_path + (f"?{request.query_string}" if request.query_string else "")
                if request.method != "GET":
                    target = site.prefix
                return redirect(f"{login_url}?next={quote(target, safe='')}", status=303)
            if not getattr(user, "is_admin", False):
                return site.page(request, "denied.html", status=403, title="Not allowed",
                                 hint=None if site.admin_exists() else MAKE_ADMIN_HINT)
            return None
        guard.before = before
        return guard
