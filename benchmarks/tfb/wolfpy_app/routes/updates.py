from random import randint, sample

from models.world import World
from routes._queries import query_count


def get(request):
    # Distinct ids, updated in id order: concurrent requests never wait on each other in a cycle.
    ids = sorted(sample(range(1, 10001), query_count(request)))
    worlds = [World.get_by_id(i) for i in ids]
    for world in worlds:
        world.random_number = randint(1, 10000)
    World.bulk_update(worlds, fields=[World.random_number])  # one UPDATE ... CASE statement
    return [world.to_dict() for world in worlds]
