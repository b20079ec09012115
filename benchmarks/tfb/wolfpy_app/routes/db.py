from random import randint

from models.world import World


def get(request):
    return World.get_by_id(randint(1, 10000)).to_dict()
