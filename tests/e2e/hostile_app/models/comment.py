from wolfpy.db import CharField, Model, TextField


class Comment(Model):
    name = CharField(max_length=200)
    text = TextField()
