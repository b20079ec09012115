from wolfpy.db import Model, TextField


class Fortune(Model):
    message = TextField()
