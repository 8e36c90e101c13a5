"""Numbers a URL carries: ids in paths and in query arguments fit an id column.

Werkzeug's ``int`` converter and ``int()`` take any size and any script's digits, and a number
too large for the column fails in the database (SQLite raises OverflowError past 64 bits,
PostgreSQL "integer out of range" past 32). Such an id names nothing: its path is a 404, its
query argument a field error.
"""

from __future__ import annotations

from werkzeug.routing import IntegerConverter, Map

from app.numbers import MAX_ID


class IdConverter(IntegerConverter):
    """``<int:...>`` in every route: an id from 1 to ``MAX_ID`` in ASCII digits; any other
    number matches no route, so the answer is a plain 404."""

    # \d would match other scripts' digits as well.
    regex = r"[0-9]+"

    def __init__(self, map: Map, fixed_digits: int = 0, min: int | None = 1,
                 max: int | None = MAX_ID, signed: bool = False) -> None:  # fmt: skip
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)
