"""Exchanges as JSON: amounts as strings in the order's currency's decimals."""

from __future__ import annotations

from typing import Any

from app.api.return_serializers import return_detail
from app.api.serializers import state_detail
from app.changes.snapshots import order_state
from app.exchanges.models import Exchange
from app.exchanges.queries import new_item_ids
from app.money import to_string
from app.orders.models import Order


def exchange_detail(exchange: Exchange, order: Order) -> dict[str, Any]:
    """An exchange: its return (``return_detail``: the units coming back and what they
    refund), the order lines its new items became (as the order's JSON shows its items: how
    many are fulfilled and shipped, their totals), the order's total once the units arrive
    and the difference then left (positive, the customer pays; negative, a refund). ``order``
    is the exchange's order loaded with its lines."""
    currency = order.currency_code
    added = set(new_item_ids(exchange))
    items = state_detail(order_state(order), {item.id: item for item in order.items})["items"]
    return {
        "id": exchange.id,
        "order_id": exchange.order_id,
        "change_id": exchange.change_id,
        "return": return_detail(exchange.return_, order),
        "new_items": [item for item in items if item["id"] in added],
        "new_total": to_string(exchange.new_total, currency),
        "difference": to_string(exchange.difference, currency),
        "note": exchange.note,
        "created_by": exchange.created_by,
        "created_at": exchange.created_at.isoformat(),
    }
