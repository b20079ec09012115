from wolfpy.db import CharField, IntegerField, Model


class Greeting(Model):
    """How many times each name was greeted."""

    name = CharField(max_length=100, unique=True)
    visits = IntegerField(default=0)
