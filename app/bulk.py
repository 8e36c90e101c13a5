"""Inserting many rows at once, as fast as the database allows."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

import psycopg
from sqlalchemy import (
    ColumnDefault,
    ColumnElement,
    Table,
    any_,
    bindparam,
    cast,
    insert,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.exc import DBAPIError

from app.extensions import db


def insert_rows(table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert ``rows`` (dicts with the same keys) in the session's transaction.

    On PostgreSQL by ``COPY ... FROM STDIN``, the server's own bulk load: one round trip, rows
    written out by psycopg's C code, none of an INSERT's per-statement work. An executemany
    would execute the INSERT once per row, and a multi-row VALUES carries one parameter per
    value, which psycopg parses anew for each statement. Elsewhere an executemany. Values pass
    through the columns' types either way (``process_bind_param``)."""
    if not rows:
        return
    if db.engine.dialect.name != "postgresql":
        db.session.execute(insert(table), rows)
        return
    dialect = db.engine.dialect
    # COPY knows the server's defaults only: the columns' own (Python) defaults, which an
    # INSERT would fill in, are filled in here.
    defaults = {column.name: column.default for column in table.columns
                if column.name not in rows[0] and column.default is not None}  # fmt: skip
    names = [*rows[0], *defaults]
    columns = [(name, table.c[name].type.dialect_impl(dialect).bind_processor(dialect))
               for name in names]  # fmt: skip
    quote = dialect.identifier_preparer
    copy_sql = (f"COPY {quote.format_table(table)} "
                f"({', '.join(quote.quote(name) for name in names)}) FROM STDIN")  # fmt: skip
    driver = db.session.connection().connection.driver_connection
    try:
        with driver.cursor() as cursor, cursor.copy(copy_sql) as copy:
            for given in rows:
                row = given | {name: _default(default) for name, default in defaults.items()}
                copy.write_row([row[name] if process is None else process(row[name])
                                for name, process in columns])
    except psycopg.Error as error:
        # As SQLAlchemy raises a statement's errors: a duplicate key is an IntegrityError.
        raise DBAPIError.instance(copy_sql, None, error, psycopg.Error) from error


def _default(default: ColumnDefault) -> Any:
    # A callable default takes the execution context, which none of ours looks at.
    return default.arg(None) if default.is_callable else default.arg


def one_of(column: ColumnElement, values: Collection[Any]) -> ColumnElement[bool]:
    """``column IN values`` for many values: on PostgreSQL ``column = ANY(array)``, one
    parameter (psycopg parses a statement with a parameter per value anew each time)."""
    if db.engine.dialect.name != "postgresql":
        return column.in_(values)
    return column == any_(cast(bindparam(None, list(values), type_=ARRAY(column.type)),
                               ARRAY(column.type)))
