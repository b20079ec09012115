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

    def __str__(self):
        return self.username
