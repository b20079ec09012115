from wolfpy.db import CharField, IntegerField, Model, TextField


class Upload(Model):
    stored = CharField(max_length=64, unique=True)      # the generated name under uploads/
    filename = TextField(default="")                    # what the client called it (display only)
    content_type = CharField(max_length=255, default="application/octet-stream")
    size = IntegerField(default=0)
