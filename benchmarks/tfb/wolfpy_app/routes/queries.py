from random import randint

from models.world import World
from routes._queries import query_count


def get(request):
    return [World.get_by_id(randint(1, 10000)).to_dict() for _ in range(query_count(request))]
