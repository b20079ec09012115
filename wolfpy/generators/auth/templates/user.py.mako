"""The User model: table user, used by wolfpy.auth (login, request.user, @login_required).

Written by `wolfpy generate auth`; edit it freely, then run `wolfpy db migrate`.
Never store a password: `password_hash` holds wolfpy.auth.hash_password(password).
"""
import datetime

from wolfpy.db import BooleanField, CharField, DateTimeField, Model


def utc_now():
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


class User(Model):
    username = CharField(max_length=150, unique=True)
    email = CharField(max_length=254, default="")
    password_hash = CharField(max_length=255)
    is_admin = BooleanField(default=False)
    is_active = BooleanField(default=True)
    created = DateTimeField(default=utc_now)
    # False until the link mailed at sign-up is opened ([auth] confirm_email); accounts
    # made otherwise (wolfpy create user, the admin) count as confirmed.
    email_confirmed = BooleanField(default=True)
    last_login = DateTimeField(null=True)   # set by wolfpy.auth.login; a reset link dies with it

    class Admin:
        readonly_fields = ["last_login"]

    def __str__(self):
        return self.username
