"""A database constraint that refused a row, put on the form field it is about.

The three databases word their errors differently; each pattern below reads the
column out of one wording, and the form turns the column into its field.
"""
from __future__ import annotations

import re
from typing import Any

_UNIQUE = (re.compile(r"UNIQUE constraint failed: [\w\"`]+\.(\w+)"),          # SQLite
           re.compile(r"Key \((\w+)\)=\(.*\) already exists", re.S),         # PostgreSQL
           re.compile(r"Duplicate entry .* for key '(?:\w+\.)?(\w+)'"))      # MySQL (index name)
_NOT_NULL = (re.compile(r"NOT NULL constraint failed: [\w\"`]+\.(\w+)"),
             re.compile(r'null value in column "(\w+)"'),
             re.compile(r"Column '(\w+)' cannot be null"))
_FOREIGN = (re.compile(r"Key \((\w+)\)=\(.*\) is not present", re.S),
            re.compile(r"FOREIGN KEY \(`(\w+)`\)"))


def constraint_error(exc: BaseException, columns: dict[str, str], model_name: str = "",
                     foreign_keys: tuple[str, ...] = ()) -> tuple[str, str]:
    """``(field, message)`` for the IntegrityError ``exc``; field ``""`` when it names none.

    ``columns`` maps column names (``author_id``) to field names (``author``); a MySQL
    unique index is named after its table and columns (``post_title``), so a column
    found at its end counts too. ``foreign_keys`` names the form's foreign-key fields.
    """
    text = str(exc)
    for patterns, message in ((_UNIQUE, "This value is taken already: choose another."),
                              (_NOT_NULL, "This field is required."),
                              (_FOREIGN, "Choose an existing one.")):
        for pattern in patterns:
            match = pattern.search(text)
            if match:
                column = match.group(1)
                field = columns.get(column) or next(
                    (f for c, f in columns.items() if column.endswith("_" + c)), "")
                return field, message
    if "FOREIGN KEY" in text.upper():
        if len(foreign_keys) == 1:   # SQLite does not say which one: with one, it is that one
            return foreign_keys[0], "Choose an existing one."
        return "", (f"This {model_name.lower() or 'record'} refers to a row that does not exist, "
                    "or other rows refer to it.")
    return "", "The database refused this change: " + text.splitlines()[0][:200]


def is_protected_delete(exc: BaseException) -> bool:
    """True when ``exc`` says other rows still refer to the row being deleted."""
    text = str(exc).lower()
    return "foreign key" in text or "still referenced" in text or "restrict" in text


def protected_message(row: Any) -> str:
    name = type(row).__name__
    return f"This {name.lower()} cannot be deleted: other records refer to it. Delete or change them first."
