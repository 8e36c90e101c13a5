"""What the API's writes share: the order locked and loaded as it is now, and one commit or
nothing, so a refusal keeps none of what the request had begun."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from app.api.errors import ApiError
from app.extensions import db
from app.orders.actions import lock_order
from app.orders.models import Order, OrderStatus
from app.orders.queries import order_with_details

T = TypeVar("T")


def order_not_found(order_id: int) -> ApiError:
    return ApiError(404, f"No order has the id {order_id}.")


def locked_order(order_id: int) -> Order:
    """Lock the order (``lock_order``: concurrent requests wait here) and load it as it is now,
    everything committed before included; 404 when there is none."""
    locked = lock_order(order_id)
    order = order_with_details(order_id) if locked is not None else None
    if order is None or order.status is OrderStatus.DRAFT:
        raise order_not_found(order_id)
    return order


def all_or_nothing(act: Callable[[], T]) -> T:
    """Run ``act`` and commit; a refusal (``ApiError``) rolls back everything it did, so that
    the idempotency key's answer, which is committed after the view, keeps nothing of it."""
    try:
        result = act()
    except ApiError:
        db.session.rollback()
        raise
    db.session.commit()
    return result
