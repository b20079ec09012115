from wolfpy.db import IntegerField, Model


class World(Model):
    random_number = IntegerField(column_name="randomnumber")

    def to_dict(self):
        return {"id": self.id, "randomNumber": self.random_number}
