"""Finding an order's exchanges, and the lines an exchange added."""

from __future__ import annotations

from sqlalchemy import select

from app.changes.versions import order_versions
from app.exchanges.models import Exchange
from app.extensions import db


def order_exchanges(order_id: int) -> list[Exchange]:
    """The order's exchanges, oldest first (as its timeline tells them)."""
    return list(db.session.scalars(
        select(Exchange).where(Exchange.order_id == order_id).order_by(Exchange.id)))  # fmt: skip


def new_item_ids(exchange: Exchange) -> list[int]:
    """The ids of the order lines that the exchange's new items became: the lines of the
    version its change made that the version before did not have (kept by both snapshots)."""
    made = exchange.change.confirmed_version
    versions = order_versions(exchange.order, [made - 1, made])
    before = {line.id for line in versions[made - 1].state.items}
    return [line.id for line in versions[made].state.items if line.id not in before]
