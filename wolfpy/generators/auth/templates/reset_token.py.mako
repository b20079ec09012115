"""GET /auth/reset/TOKEN: the form for a new password. POST: set it.

Written by `wolfpy generate auth`; edit it freely. The link is signed, expires
([auth] reset_max_age seconds) and works once: setting the password (or signing in)
spends it. A new password ends every session signed in before it.
"""
from dataclasses import dataclass

from wolfpy import Form, flash, redirect, render
from wolfpy.auth.passwords import MAX_PASSWORD_BYTES
from wolfpy.auth.reset import check_reset_link, reset_password

MIN_PASSWORD = 8
NO_REFERRER = {"Referrer-Policy": "same-origin"}   # the token never leaves in a Referer
# (same-origin, not no-referrer: with no-referrer a browser posts the form with Origin: null)


@dataclass
class NewPassword:
    password: str = ""
    confirm: str = ""


def page(template, status=200, **context):
    response = render(template, status=status, **context)
    for name, value in NO_REFERRER.items():
        response.headers[name] = value
    return response


def link_problem(problem):
    return page("auth/link_invalid.html", status=400, problem=problem, what="password reset",
                again_url="/auth/reset")


def get(request, token: str):
    check = check_reset_link(request, token)
    if check.user is None:
        return link_problem(check.problem)
    return page("auth/reset_password.html", form=Form(NewPassword), token=token, account=check.user)


def post(request, token: str):
    check = check_reset_link(request, token)
    if check.user is None:
        return link_problem(check.problem)
    form = Form(NewPassword, request)
    password = form.value("password")
    errors = form.errors
    if len(password) < MIN_PASSWORD:
        errors["password"] = "A password has at least " + str(MIN_PASSWORD) + " characters."
    elif len(password.encode("utf-8")) > MAX_PASSWORD_BYTES:
        errors["password"] = "A password has at most " + str(MAX_PASSWORD_BYTES) + " bytes."
    elif form.value("confirm") != password:
        errors["confirm"] = "The two passwords differ."
    if errors:
        return page("auth/reset_password.html", status=422, form=form, token=token, account=check.user)
    reset_password(check.user, password)
    flash(request, "Your password has been changed: sign in with it.")
    return redirect("/auth/login", status=303)
