"""GET /auth/reset: ask for a password reset link. POST: mail it.

Written by `wolfpy generate auth`; edit it freely. The answer is the same page, with
the same status, whether or not an account uses the address (and takes the same
time), so the form cannot tell anyone who has an account. Too many requests for one
address, or from one client, get 429 ([auth] reset_limit in reset_window seconds).
"""
from dataclasses import dataclass

from wolfpy import Form, HTTPError, render
from wolfpy.auth.reset import request_password_reset

MAX_EMAIL = 254


@dataclass
class ResetRequest:
    email: str = ""


def page(request, form, sent=False, error="", status=200, headers=None):
    response = render("auth/reset.html", form=form, sent=sent, error=error, status=status)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def get(request):
    return page(request, Form(ResetRequest))


def post(request):
    form = Form(ResetRequest, request)
    email = form.value("email").strip()
    if not email or len(email) > MAX_EMAIL or "@" not in email or any(c in email for c in "\r\n\x00"):
        return page(request, form, error="Enter the email address of your account.", status=422)
    try:
        request_password_reset(request, email)
    except HTTPError as exc:
        if exc.status != 429:
            raise
        return page(request, form, error="Too many requests: try again in a few minutes.", status=429,
                    headers=exc.headers)
    return page(request, Form(ResetRequest), sent=True)
