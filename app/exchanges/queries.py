"""Finding an order's exchanges, and the lines an exchange added."""

from __future__ import annotations

from sqlalchemy import select

from app.changes.versions import added_line_ids
from app.exchanges.models import Exchange
from app.extensions import db


def order_exchanges(order_id: int) -> list[Exchange]:
    """The order's exchanges, oldest first (as its timeline tells them)."""
    return list(db.session.scalars(
        select(Exchange).where(Exchange.order_id == order_id).order_by(Exchange.id)))  # fmt: skip


def new_item_ids(exchange: Exchange) -> list[int]:
    """The ids of the order lines that the exchange's new items became."""
    return added_line_ids(exchange.order, exchange.change)
