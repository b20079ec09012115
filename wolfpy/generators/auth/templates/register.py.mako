"""GET /auth/register: the sign-up form. POST: create the account, sign in, go to `next`.

Written by `wolfpy generate auth`; edit it freely. A form with a mistake comes back
with status 422, a message by each field and what was typed (never the password).
"""
import re
from dataclasses import dataclass
from urllib.parse import quote

from wolfpy import Form, flash, redirect, render
from wolfpy.auth import get_user_model, hash_password, login, safe_next
from wolfpy.auth.reset import confirmation_mode, send_confirmation
from wolfpy.db import DATABASE, IntegrityError, fn

USERNAME = re.compile(r"[A-Za-z0-9_.-]{3,150}")
EMAIL = re.compile(r"[^@\s]+@[^@\s]+")
MIN_PASSWORD = 8
MAX_PASSWORD_BYTES = ${max_password_bytes}


@dataclass
class Registration:
    username: str
    email: str
    password: str


def page(request, form, next_url, status=200):
    login_url = "/auth/login" + ("?next=" + quote(next_url, safe="") if next_url != "/" else "")
    return render("auth/register.html", form=form, next_url=next_url, login_url=login_url,
                  status=status)


def get(request):
    return page(request, Form(Registration), safe_next(request.query.get("next"), request))


def post(request):
    form = Form(Registration, request)
    next_url = safe_next(request.form.get("next") or request.query.get("next"), request)
    username = form.value("username").strip()
    email = form.value("email").strip()
    password = form.value("password")
    errors = form.errors
    if "username" not in errors:
        if not 3 <= len(username) <= 150:
            errors["username"] = "A username has 3 to 150 characters."
        elif not USERNAME.fullmatch(username):
            errors["username"] = "Use only letters, digits and the characters _ . -"
    if "email" not in errors and (len(email) > 254 or not EMAIL.fullmatch(email)):
        errors["email"] = "Enter an email address, like ada@example.com."
    if "password" not in errors:
        if len(password) < MIN_PASSWORD:
            errors["password"] = f"A password has at least {MIN_PASSWORD} characters."
        elif len(password.encode("utf-8")) > MAX_PASSWORD_BYTES:
            errors["password"] = f"A password has at most {MAX_PASSWORD_BYTES} bytes."
    User = get_user_model(request.app)
    taken = "This username is taken: choose another."
    if "username" not in errors and User.select().where(fn.LOWER(User.username) == username.lower()).exists():
        errors["username"] = taken
    if errors:
        return page(request, form, next_url, status=422)
    password_hash = hash_password(password)
    confirm = confirmation_mode(request.app)   # [auth] confirm_email: optional, mandatory or off
    try:
        # One transaction: if signing in fails (a session too large for its cookie, say),
        # no account is left behind.
        with DATABASE.atomic():
            user = User.create(username=username, email=email, password_hash=password_hash,
                               email_confirmed=confirm == "off")
            if confirm != "off":   # the link leads to routes/auth/confirm/[token].py
                send_confirmation(request, user)
            if confirm != "mandatory":   # mandatory: signed in by the link
                login(request, user)
                flash(request, f"Welcome, {user.username}!")
    except IntegrityError:  # registered at the same moment by someone else
        errors["username"] = taken
        return page(request, form, next_url, status=422)
    return redirect("/auth/confirm" if confirm == "mandatory" else next_url, status=303)
