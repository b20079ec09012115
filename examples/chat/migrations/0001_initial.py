"""0001_initial: create table user.

Written by `wolfpy db migrate` on 2026-11-30 01:37 UTC. `dependencies` names the
migration it follows; `operations` run in order, and `wolfpy db rollback` reverses
them; `state` is the schema after this migration, which the next `wolfpy db migrate`
compares the models with. Edit both together.
"""

from wolfpy.db.migrations import CreateTable

dependencies = []

operations = [
    CreateTable("user", {
        "id": {"type": "auto", "null": False, "primary_key": True},
        "username": {"type": "varchar(150)", "null": False, "unique": True},
        "email": {"type": "varchar(254)", "null": False, "default": ""},
        "password_hash": {"type": "varchar(255)", "null": False},
        "is_admin": {"type": "boolean", "null": False, "default": False},
        "is_active": {"type": "boolean", "null": False, "default": True},
        "created": {"type": "datetime", "null": False},
    }),
]

# The schema once this migration is applied.
state = {
    "user": {
        "columns": {
            "id": {"type": "auto", "null": False, "primary_key": True},
            "username": {"type": "varchar(150)", "null": False, "unique": True},
            "email": {"type": "varchar(254)", "null": False, "default": ""},
            "password_hash": {"type": "varchar(255)", "null": False},
            "is_admin": {"type": "boolean", "null": False, "default": False},
            "is_active": {"type": "boolean", "null": False, "default": True},
            "created": {"type": "datetime", "null": False},
        },
    },
}
