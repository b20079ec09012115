"""0001_initial: create table greeting.

Written by `wolfpy db migrate` on 2026-11-30 01:37 UTC. `dependencies` names the
migration it follows; `operations` run in order, and `wolfpy db rollback` reverses
them; `state` is the schema after this migration, which the next `wolfpy db migrate`
compares the models with. Edit both together.
"""

from wolfpy.db.migrations import CreateTable

dependencies = []

operations = [
    CreateTable("greeting", {
        "id": {"type": "auto", "null": False, "primary_key": True},
        "name": {"type": "varchar(100)", "null": False, "unique": True},
        "visits": {"type": "integer", "null": False, "default": 0},
    }),
]

# The schema once this migration is applied.
state = {
    "greeting": {
        "columns": {
            "id": {"type": "auto", "null": False, "primary_key": True},
            "name": {"type": "varchar(100)", "null": False, "unique": True},
            "visits": {"type": "integer", "null": False, "default": 0},
        },
    },
}
