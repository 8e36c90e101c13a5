"""Finding an order's exchanges."""

from __future__ import annotations

from sqlalchemy import select

from app.exchanges.models import Exchange
from app.extensions import db


def order_exchanges(order_id: int) -> list[Exchange]:
    """The order's exchanges, oldest first (as its timeline tells them)."""
    return list(db.session.scalars(
        select(Exchange).where(Exchange.order_id == order_id).order_by(Exchange.id)))  # fmt: skip
