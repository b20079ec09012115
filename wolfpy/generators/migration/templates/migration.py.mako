"""${name}: a change of data, written by `wolfpy generate migration`.

Fill in `operations`; `wolfpy db migrate` applies them and `wolfpy db rollback` runs
each `reverse_sql`. `state` is the schema, unchanged by this migration: keep it as it is.
"""
from wolfpy.db.migrations import RunSQL  # noqa: F401  (for the operations you add)

dependencies = ${dependencies}

operations: list = [
    # RunSQL("UPDATE post SET slug = lower(title)", reverse_sql="UPDATE post SET slug = ''"),
]

# The schema once this migration is applied (the same as before it).
${state}
