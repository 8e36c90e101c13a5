"""Inserting many rows at once, as fast as the database allows."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Table,
    any_,
    bindparam,
    cast,
    insert,
    literal_column,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY

from app.extensions import db


def insert_rows(table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert ``rows`` (dicts with the same keys) in one statement.

    On PostgreSQL, each column's values go as one array, unnested into rows by the server:
    one statement with one parameter per column, where an executemany would execute the
    INSERT once per row and a multi-row VALUES would carry one parameter per value (which
    psycopg parses anew for each statement). Elsewhere an executemany. Values pass through the
    columns' types either way: the arrays hold what each column's bind processor makes of
    them, cast to the column's type on the server."""
    if not rows:
        return
    if db.engine.dialect.name != "postgresql":
        db.session.execute(insert(table), rows)
        return
    names = list(rows[0])
    dialect = db.engine.dialect
    arrays = {}
    for i, name in enumerate(names):
        column_type = table.c[name].type
        process = column_type.dialect_impl(dialect).bind_processor(dialect)
        values = [row[name] for row in rows]
        arrays[f"values_{i}"] = _BinaryArray(map(process, values) if process else values)
    unnested = ", ".join(
        f"CAST(:values_{i} AS {table.c[name].type.compile(dialect)}[])"
        for i, name in enumerate(names)
    )
    db.session.execute(insert(table).from_select(
        names, select(literal_column("*")).select_from(text(f"unnest({unnested})"))), arrays)


class _BinaryArray(list):
    """A column's values, already processed by its type, sent to psycopg as a binary array:
    in a text array psycopg checks every element for quoting with a regular expression."""


try:
    from psycopg import adapters
    from psycopg.types.array import ListBinaryDumper
except ImportError:  # no PostgreSQL driver: nothing to send arrays to
    pass
else:
    adapters.register_dumper(_BinaryArray, ListBinaryDumper)


def one_of(column: ColumnElement, values: Collection[Any]) -> ColumnElement[bool]:
    """``column IN values`` for many values: on PostgreSQL ``column = ANY(array)``, one
    parameter (psycopg parses a statement with a parameter per value anew each time)."""
    if db.engine.dialect.name != "postgresql":
        return column.in_(values)
    return column == any_(cast(bindparam(None, list(values), type_=ARRAY(column.type)),
                               ARRAY(column.type)))
