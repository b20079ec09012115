from wolfpy.db import CharField, FloatField, IntegerField, Model, TextField


class Note(Model):
    title = CharField(max_length=200)
    body = TextField(default="")
    priority = IntegerField(default=0)
    score = FloatField(default=0.0)
