"""The OAuthIdentity model: table oauth_identity, one row per provider account linked to a User.

Written by `wolfpy generate oauth`; edit it freely, then run `wolfpy db migrate`.
`subject` is the provider's id for the account (never the email, which can change).
"""
import datetime

from wolfpy.db import CharField, DateTimeField, ForeignKeyField, Model

from models.user import User


def utc_now():
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


class OAuthIdentity(Model):
    user = ForeignKeyField(User, backref="identities", on_delete="CASCADE")
    provider = CharField(max_length=50)
    subject = CharField(max_length=255)
    email = CharField(max_length=254, default="")
    created = DateTimeField(default=utc_now)

    class Meta:
        table_name = "oauth_identity"
        indexes = ((("provider", "subject"), True),)   # one link per provider account
