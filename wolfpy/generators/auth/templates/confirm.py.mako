"""GET /auth/confirm: "check your inbox", shown after signing up while [auth] confirm_email
is on (the default). The account signs in once the mailed link is opened.

Written by `wolfpy generate auth`; edit it freely.
"""
from wolfpy import render


def get(request):
    return render("auth/confirm.html", token=None)
