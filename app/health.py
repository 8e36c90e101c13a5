"""Health checks, without login: ``/healthz`` for load balancers (is the database there?) and
for monitoring (is the outbox keeping up?), and ``/healthz/outbox`` for a monitor that reads
only status codes.

Only a database that does not answer makes ``/healthz`` fail: a load balancer that took every
app server out because emails are late would turn a delay into an outage. A lagging outbox
(no worker running, or deliveries failing) is reported in the answer, and fails
``/healthz/outbox``.
"""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, current_app, jsonify
from sqlalchemy import func, select, text
from sqlalchemy.exc import SQLAlchemyError

from app.db_types import utcnow
from app.events.outbox import OutboxEvent
from app.extensions import db

bp = Blueprint("health", __name__)

#: Due events counted at most: the count stays cheap however long the backlog.
MAX_COUNTED = 1000


def _outbox(now: datetime) -> dict:
    """The events due and not delivered (at most ``MAX_COUNTED`` counted), how long the oldest
    has waited, and whether that is within ``OUTBOX_MAX_LAG_SECONDS``."""
    due = (OutboxEvent.delivered_at.is_(None), OutboxEvent.next_attempt_at <= now)
    # Both on the index of (delivered_at, next_attempt_at, id).
    oldest = db.session.scalar(select(func.min(OutboxEvent.next_attempt_at)).where(*due))
    waiting = db.session.scalar(select(func.count()).select_from(
        select(OutboxEvent.id).where(*due).limit(MAX_COUNTED).subquery()))  # fmt: skip
    lag = max((now - oldest).total_seconds(), 0.0) if oldest is not None else 0.0
    return {"status": "ok" if lag <= current_app.config["OUTBOX_MAX_LAG_SECONDS"] else "lagging",
            "due": waiting, "oldest_due_seconds": round(lag, 1)}  # fmt: skip


@bp.get("/healthz")
def healthz():
    """``{"status": "ok", "database": "ok", "outbox": {...}}``; 503 when the database does
    not answer."""
    try:
        db.session.execute(text("SELECT 1"))
        outbox = _outbox(utcnow())
    except SQLAlchemyError:
        db.session.rollback()
        return jsonify(status="unavailable", database="unavailable"), 503
    return jsonify(status="ok", database="ok", outbox=outbox)


@bp.get("/healthz/outbox")
def outbox_health():
    """The outbox's figures; 503 when its oldest due event waited too long."""
    outbox = _outbox(utcnow())
    return jsonify(outbox), 200 if outbox["status"] == "ok" else 503
