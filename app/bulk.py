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
    func,
    insert,
    literal_column,
    select,
)
from sqlalchemy.dialects.postgresql import ARRAY

from app.extensions import db


def insert_rows(table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert ``rows`` (dicts with the same keys) in one statement.

    On PostgreSQL, each column's values go as one array, unnested into rows by the server:
    one statement with one parameter per column, where an executemany would execute the
    INSERT once per row and a multi-row VALUES would carry one parameter per value (which
    psycopg parses anew for each statement). Elsewhere an executemany. Values pass through the
    columns' types either way (``ARRAY`` applies its items' type to each element)."""
    if not rows:
        return
    if db.engine.dialect.name != "postgresql":
        db.session.execute(insert(table), rows)
        return
    names = list(rows[0])
    arrays = [
        cast(bindparam(f"values_{i}", [row[name] for row in rows], type_=ARRAY(table.c[name].type)),
             ARRAY(table.c[name].type))
        for i, name in enumerate(names)
    ]  # fmt: skip
    db.session.execute(insert(table).from_select(
        names, select(literal_column("*")).select_from(func.unnest(*arrays))))  # fmt: skip


def one_of(column: ColumnElement, values: Collection[Any]) -> ColumnElement[bool]:
    """``column IN values`` for many values: on PostgreSQL ``column = ANY(array)``, one
    parameter (psycopg parses a statement with a parameter per value anew each time)."""
    if db.engine.dialect.name != "postgresql":
        return column.in_(values)
    return column == any_(cast(bindparam(None, list(values), type_=ARRAY(column.type)),
                               ARRAY(column.type)))
