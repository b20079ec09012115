"""``wolfpy generate auth``: a User model, register / login / logout pages and a migration."""
from __future__ import annotations

from typing import Any

from ...routing.loader import scan
from ...routing.patterns import STATIC, template_of
from ..engine import Generator, GeneratorError, Option, Planned
from ..model import find_class
from .recovery import plan_recovery

#: The pages this generator writes: route file (under routes/) -> the URL it serves.
ROUTES = {"auth/register": "/auth/register", "auth/login": "/auth/login", "auth/logout": "/auth/logout"}


def check_routes(generator: Generator, routes: dict[str, str]) -> None:
    """Refuse when another route file already serves one of ``routes``' URLs."""
    targets = {str(generator.project.routes / f"{name}.py"): url for name, url in routes.items()}
    wanted = {url.lower(): name for name, url in routes.items()}
    for existing in scan(generator.project.routes):
        if existing.path in targets or not all(s.kind == STATIC for s in existing.segments):
            continue
        url = template_of(existing.segments).lower()
        if url in wanted:
            raise GeneratorError(f"{existing.rel} already serves {template_of(existing.segments)}; "
                                 f"move it away to generate routes/{wanted[url]}.py (nothing was written)")


def user_model_module(generator: Generator) -> str | None:
    """The module (``models.user``) defining ``class User``, None if there is none; refuses two."""
    modules = find_class(generator.project.models, generator.project.root, "User")
    if len(modules) > 1:
        raise GeneratorError(f"class User is defined in {', '.join(modules)}; keep one (nothing was written)")
    return modules[0] if modules else None


class AuthGenerator(Generator):
    """``models/user.py``, ``routes/auth/{register,login,logout}.py``, their templates, a migration."""

    name = "auth"
    summary = "User model, register/login/logout pages and a migration."
    options = (Option(("--migration/--no-migration",), "Also write the migration creating the user table.", True),)

    def __init__(self, project: Any, *, force: bool = False, migration: bool = True) -> None:
        super().__init__(project, force=force)
        self.migration = migration
        #: lines for the user after writing (next steps, or why no migration was written)
        self.notes: list[str] = []

    def plan(self) -> None:
        module = user_model_module(self)
        if module is not None and module != "models.user":
            raise GeneratorError(f"{module.replace('.', '/')}.py already defines class User; "
                                 "the generated pages use models/user.py: remove or rename one "
                                 "(nothing was written)")
        check_routes(self, ROUTES)
        context = {
            "has_layout": (self.project.templates / "layout.html").is_file(),
            "max_password_bytes": _max_password_bytes(),
        }
        self.add("models/user.py", "user.py", **context)
        self.add("routes/auth/register.py", "register.py", **context)
        self.add("routes/auth/login.py", "login.py", **context)
        self.add("routes/auth/logout.py", "logout.py", **context)
        self.add("templates/auth/register.html", "register.html", title="Create an account", **context)
        self.add("templates/auth/login.html", "login.html", title="Sign in", **context)
        plan_recovery(self, context)   # password reset and email confirmation (recovery.py)

    def write(self) -> list[Planned]:
        """Write the files, then (unless ``migration=False``) a migration for the User table.

        The migration is written as ``wolfpy db migrate`` would write it (same planner and
        writer), from every change of the models since the last migration; it is not applied.
        """
        files = super().write()
        self.notes = []
        if self.migration:
            written = self.write_migration("the User table")
            if written is not None:
                files.append(written)
        self.notes.append("next: run `wolfpy db migrate` to create the table, then open /auth/register "
                          "(or add a user with `wolfpy create user NAME --admin`)")
        return files



def _max_password_bytes() -> int:
    from ...auth.passwords import MAX_PASSWORD_BYTES
    return MAX_PASSWORD_BYTES
