"""GET /auth/login: the sign-in form. POST: check the password, sign in, go to `next`.

Written by `wolfpy generate auth`; edit it freely. A wrong password and an unknown
username get the same answer (401), and repeated failures from one address or for
one account get 429 for a while (wolfpy.auth.LoginThrottle: Redis when [redis] url
is set, so every worker counts together).
"""
from dataclasses import dataclass
from urllib.parse import quote

from wolfpy import Form, HTTPError, redirect, render
from wolfpy.auth import LoginThrottle, authenticate, login, safe_next

MAX_FAILURES = 5        # failed attempts per address, and per account ...
WINDOW = 300            # ... within this many seconds
MAX_PASSWORD_BYTES = 1024

_throttle = None


def throttle(app):
    global _throttle
    if _throttle is None:
        _throttle = LoginThrottle(app, max_failures=MAX_FAILURES, window=WINDOW)
    return _throttle


@dataclass
class Credentials:
    username: str = ""
    password: str = ""


def page(request, form, next_url, error="", status=200, headers=None):
    register_url = "/auth/register" + ("?next=" + quote(next_url, safe="") if next_url != "/" else "")
    response = render("auth/login.html", form=form, next_url=next_url, error=error,
                      register_url=register_url, status=status)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def get(request):
    return page(request, Form(Credentials), safe_next(request.query.get("next"), request))


def post(request):
    form = Form(Credentials, request)
    next_url = safe_next(request.form.get("next") or request.query.get("next"), request)
    username = form.value("username").strip()
    password = form.value("password")
    limiter = throttle(request.app)
    try:
        limiter.check(request, username)
    except HTTPError as exc:
        return page(request, form, next_url, "Too many failed attempts: try again in a few minutes.",
                    status=429, headers=exc.headers)
    if len(password.encode("utf-8")) > MAX_PASSWORD_BYTES:
        limiter.failed(request, username)
        return page(request, form, next_url, f"A password has at most {MAX_PASSWORD_BYTES} bytes.",
                    status=400)
    user = authenticate(username, password)
    if user is None:
        limiter.failed(request, username)
        return page(request, form, next_url, "Wrong username or password.", status=401)
    limiter.succeeded(request, username)
    login(request, user)
    return redirect(next_url, status=303)
