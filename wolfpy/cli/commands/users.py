"""``wolfpy create user NAME [--email E] [--password P] [--admin]``: add a user to the project database.

The models and the database are the ones ``wolfpy db`` uses (``models/`` and
``[database] url`` / ``DATABASE_URL``); the User model is the one ``wolfpy generate auth``
writes, and its table must exist (``wolfpy db migrate``). Without ``--password`` the
password is asked for twice, hidden; with no terminal to ask on, that is an error.
"""
from __future__ import annotations

import re
from typing import Any, Optional

import typer

from ..common import fail

create_app = typer.Typer(help="Add records to the project database (users).", no_args_is_help=True)

USERNAME = re.compile(r"[A-Za-z0-9_.-]{3,150}")
EMAIL = re.compile(r"[^@\s]+@[^@\s]+")
MIN_PASSWORD = 8


def check_username(name: str) -> str | None:
    """Why ``name`` cannot be a username (the rules of the generated sign-up form), or None."""
    if not 3 <= len(name) <= 150:
        return "a username has 3 to 150 characters"
    if not USERNAME.fullmatch(name):
        return "a username uses only letters, digits and the characters _ . -"
    return None


def check_password(password: str) -> str | None:
    from ...auth.passwords import MAX_PASSWORD_BYTES
    if len(password) < MIN_PASSWORD:
        return f"a password has at least {MIN_PASSWORD} characters"
    if len(password.encode("utf-8")) > MAX_PASSWORD_BYTES:
        return f"a password has at most {MAX_PASSWORD_BYTES} bytes"
    return None


def _ask_password() -> str:
    while True:
        password = str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))
        problem = check_password(password)
        if problem is None:
            return password
        typer.echo(f"{problem}; try again", err=True)


def _user_model(models: list[type]) -> Any:
    for model in models:
        if model.__name__ == "User":
            return model
    return None


@create_app.command("user")
def user(
    name: str = typer.Argument(..., help="The username (3-150 letters, digits, _ . -)."),
    email: str = typer.Option("", "--email", "-e", help="The user's email address."),
    password: Optional[str] = typer.Option(None, "--password", "-p",
                                           help="The password (asked for, hidden, when not given; "
                                                "a command-line password can end up in your shell history)."),
    admin: bool = typer.Option(False, "--admin", help="Make the user an administrator (is_admin)."),
) -> None:
    """Create a user (prompts for the password when --password is not given)."""
    from ...auth import hash_password
    from ...db.migrations.runner import load_models
    from .db import _interactive, _session

    problem = check_username(name)
    if problem:
        fail(f"invalid username {name!r}: {problem}")
    email = email.strip()
    if email and (len(email) > 254 or not EMAIL.fullmatch(email)):
        fail(f"invalid email {email!r}: write it like ada@example.com")
    if password is None:
        if not _interactive():
            fail("no password given and no terminal to ask for one: pass --password")
    else:
        problem = check_password(password)
        if problem:
            fail(problem)
    with _session() as (project, db, url):
        User = _user_model(load_models(project))
        if User is None:
            fail("no User model in models/: run `wolfpy generate auth` (then `wolfpy db migrate`) first")
        for field in ("username", "password_hash"):
            if field not in User._meta.fields:
                fail(f"the User model has no {field} field (see `wolfpy generate auth` for the expected one)")
        if admin and "is_admin" not in User._meta.fields:
            fail("--admin: the User model has no is_admin field")
        with db.bind_ctx([User], bind_refs=False, bind_backrefs=False):
            table = User._meta.table_name
            if not db.table_exists(table):
                fail(f"table {table!r} does not exist in the database: run `wolfpy db migrate` first")
            from ...db import fn
            if User.select().where(fn.LOWER(User.username) == name.lower()).exists():
                fail(f"a user named {name!r} already exists")
            if password is None:
                password = _ask_password()
            values: dict[str, Any] = {"username": name, "password_hash": hash_password(password)}
            if "email" in User._meta.fields:
                values["email"] = email
            if admin:
                values["is_admin"] = True
            with db.atomic():
                created = User.create(**values)
        typer.echo(f"created user {created.username}" + (" (admin)" if admin else "") + f" with id {created.get_id()}")
