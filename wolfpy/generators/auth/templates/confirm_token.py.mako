"""GET /auth/confirm/TOKEN: a button to confirm the address. POST: confirm it and sign in.

Written by `wolfpy generate auth`; edit it freely. The link is signed, expires
([auth] confirm_max_age seconds) and works once. Confirming takes a POST (with the
CSRF token), so a mail scanner that follows links confirms nothing.
"""
from wolfpy import flash, redirect, render
from wolfpy.auth import login
from wolfpy.auth.reset import check_confirm_link, confirm_email

NO_REFERRER = {"Referrer-Policy": "same-origin"}   # the token never leaves in a Referer


def page(template, status=200, **context):
    response = render(template, status=status, **context)
    for name, value in NO_REFERRER.items():
        response.headers[name] = value
    return response


def link_problem(problem):
    return page("auth/link_invalid.html", status=400, problem=problem, what="confirmation",
                again_url="/auth/reset")


def get(request, token: str):
    check = check_confirm_link(request, token)
    if check.user is None:
        return link_problem(check.problem)
    return page("auth/confirm.html", token=token)


def post(request, token: str):
    check = check_confirm_link(request, token)
    if check.user is None:
        return link_problem(check.problem)
    confirm_email(check.user)
    login(request, check.user)
    flash(request, "Thank you: your email address is confirmed.")
    return redirect("/", status=303)
