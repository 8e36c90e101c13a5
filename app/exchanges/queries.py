"""The lines an exchange added to its order."""

from __future__ import annotations

from app.changes.versions import added_line_ids
from app.exchanges.models import Exchange


def new_item_ids(exchange: Exchange) -> list[int]:
    """The ids of the order lines that the exchange's new items became."""
    return added_line_ids(exchange.order, exchange.change)
