"""Whole numbers as people, forms and URLs write them: ids, quantities, counts.

Pure: no Flask, no SQLAlchemy. Python's ``int()`` takes any size and reads "١٢", "１２" and
"1_000" too; a number too large for its column fails deep in the database (SQLite raises
OverflowError past 64 bits, PostgreSQL "integer out of range" past 32). Read here, such a
number is a ``ValueError`` its caller turns into the field's message or a 404.
"""

from __future__ import annotations

import re

#: The largest id: ids are INTEGER columns, 32 bits on PostgreSQL (SQLite's hold 64).
MAX_ID = 2**31 - 1

_WHOLE_NUMBER = re.compile(r"[+-]?[0-9]+")


def whole_number(value: object, low: int | None = 1, high: int | None = MAX_ID) -> int:
    """``value`` as a whole number written in the digits 0-9 (with an optional sign), from
    ``low`` to ``high`` (``None``: no bound); ``ValueError`` for anything else. By default an
    id, so it also serves as the ``coerce`` of a select field of ids."""
    text = str(value).strip()
    if not _WHOLE_NUMBER.fullmatch(text):
        raise ValueError(f"{text[:20]!r} is not a whole number")
    number = int(text)
    if (low is not None and number < low) or (high is not None and number > high):
        raise ValueError(f"{number} is not from {low} to {high}")
    return number
