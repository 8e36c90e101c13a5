"""How a request's transaction ends when the view did not end it: with COMMIT when it only
read, else with ROLLBACK, as Flask-SQLAlchemy does; and planner settings for one transaction.

Why not always ROLLBACK: psycopg forgets every statement it has prepared on the connection
at a ROLLBACK (and sends ``DEALLOCATE ALL``), so a pool whose read-only requests roll back
never keeps a prepared statement, and PostgreSQL plans every query of every request again:
for the builder's or the order page's joined loads, longer than it runs them. A COMMIT of a
transaction that wrote nothing changes nothing, and keeps them.

Writes are noticed on the connection, so a view that wrote (an ORM flush or a Core UPDATE)
and then failed without rolling back is still rolled back.
"""

from __future__ import annotations

import logging

from flask import Flask
from sqlalchemy import event, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from app.extensions import db
from app.orders.actions import OrderActionError, RecordedFailure, StaleOrderError

#: Statements that read or set the transaction's own settings; anything else counts as a write.
_READS = ("SELECT", "SET LOCAL")
_WROTE = "orderdesk_wrote"

logger = logging.getLogger(__name__)


@event.listens_for(Engine, "begin")
def _transaction_began(conn: Connection) -> None:
    conn.info[_WROTE] = False


@event.listens_for(Engine, "before_cursor_execute")
def _note_writes(conn, cursor, statement, parameters, context, executemany) -> None:
    if not statement.lstrip()[:9].upper().startswith(_READS):
        conn.info[_WROTE] = True


def install(app: Flask) -> None:
    @app.teardown_request
    def end_read_only_transaction(error: BaseException | None) -> None:
        # Runs before Flask-SQLAlchemy's teardown, which closes the session (a ROLLBACK).
        session = db.session()
        if error is not None or not session.in_transaction():
            return
        if session.new or session.dirty or session.deleted:
            return
        # The transaction's connection (the app has one database).
        if session.connection().info.get(_WROTE, True):
            return
        try:
            session.commit()
        except SQLAlchemyError:
            # Nothing was written, so nothing is lost; the session's close rolls back.
            logger.warning("Ending a read-only transaction failed", exc_info=True)


def end_refused(error: OrderActionError) -> int:
    """End the transaction of an action that was refused, the one way every page and the API
    do it: what a recorded failure changed (the order now needs attention) is kept, anything
    else is undone. Returns the HTTP status that says why: 409 when the form was filled in
    against an older version of the order, 422 otherwise."""
    if isinstance(error, RecordedFailure):
        db.session.commit()
    else:
        db.session.rollback()
    return 409 if isinstance(error, StaleOrderError) else 422


def set_local(name: str, value: str) -> None:
    """A PostgreSQL planner setting for the rest of the transaction (``SET LOCAL``); other
    databases have no such settings and are left alone. ``name`` and ``value`` are ours,
    never user input."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text(f"SET LOCAL {name} = {value}"))
