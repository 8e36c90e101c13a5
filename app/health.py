"""Liveness check for load balancers: one database round trip, no login."""

from flask import Blueprint, jsonify
from sqlalchemy import text

from app.extensions import db

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    """Answer ``{"status": "ok"}`` once the database answers."""
    db.session.execute(text("SELECT 1"))
    return jsonify(status="ok")
