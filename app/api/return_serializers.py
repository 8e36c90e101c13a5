"""Returns as JSON: amounts as strings in the order's currency's decimals."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from app.money import ZERO, to_string
from app.orders.models import Order
from app.returns.actions import refund_to_offer, return_shipping_charged
from app.returns.calculations import ReturnLine, ReturnRefund, refundable_total, return_refund
from app.returns.models import Return, ReturnReason, ReturnStatus


def _moment(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def return_detail(return_: Return, order: Order) -> dict[str, Any]:
    """A return with its lines (each with what its order line can still refund), its return
    shipping, what its received units refund (``refund_due``), how much of that was refunded
    and what is left to offer (``refund_to_offer``); while nothing is received yet, the
    ``refund_preview``. ``order`` is the return's order loaded with its lines."""
    currency = order.currency_code
    line_totals = order.line_totals
    preview = refund_preview(return_, order) if return_.status is ReturnStatus.REQUESTED else None
    shipping = None
    if return_.return_shipping_name or return_.return_shipping_amount:
        shipping = {"name": return_.return_shipping_name,
                    "amount": to_string(return_.return_shipping_amount, currency),
                    "customer_pays": return_.deduct_shipping}  # fmt: skip
    return {
        "id": return_.id,
        "order_id": return_.order_id,
        "change_id": return_.change_id,
        "status": return_.status.value,
        "location_id": return_.location_id,
        "note": return_.note,
        "currency_code": currency,
        "items": [
            {"id": part.id, "item_id": part.item_id, "title": part.item.title,
             "quantity": part.quantity, "reason": _reason(part.reason), "note": part.note,
             "restocked_quantity": part.restocked_quantity,
             "damaged_quantity": part.damaged_quantity,
             "refundable_total": to_string(refundable_total(
                 line_totals[part.item_id], part.item.quantity, part.item.credited_quantity,
                 currency), currency)}
            for part in return_.items
        ],  # fmt: skip
        "return_shipping": shipping,
        "refund_due": to_string(return_.refund_due, currency),
        "refunded": to_string(return_.refunded, currency),
        "refund_to_offer": to_string(refund_to_offer(order, return_), currency),
        "refund_preview": None if preview is None else _preview(return_, preview, currency),
        "created_by": return_.created_by,
        "created_at": _moment(return_.created_at),
        "received_at": _moment(return_.received_at),
        "canceled_by": return_.canceled_by,
        "canceled_at": _moment(return_.canceled_at),
    }


def refund_preview(return_: Return, order: Order) -> ReturnRefund:
    """What the return's units still expected would refund once received, if they arrive
    next: each line's share of what the customer paid for it (``return_refund``), less the
    return shipping when the customer pays it. Before what the payments have left to refund,
    which ``refund_to_offer`` also caps at."""
    line_totals = order.line_totals
    before: dict[int, int] = {}
    lines = []
    for part in return_.items:
        item = part.item
        returned = before.setdefault(item.id, item.credited_quantity)
        units = part.quantity - part.received_quantity
        lines.append(ReturnLine(item.title, line_totals[item.id], item.quantity, returned, units))
        before[item.id] = returned + units
    if not return_.credits_units:
        # A replace claim's units come back uncredited: each line refunds nothing.
        return ReturnRefund(tuple(ZERO for _ in lines), ZERO, ZERO)
    return return_refund(lines, order.currency_code, return_shipping_charged(return_))


def _preview(return_: Return, preview: ReturnRefund, currency: str) -> dict[str, Any]:
    return {
        "items": [{"item_id": part.item_id,
                   "quantity": part.quantity - part.received_quantity,
                   "amount": to_string(amount, currency)}
                  for part, amount in zip(return_.items, preview.lines, strict=True)],
        "return_shipping": to_string(preview.return_shipping, currency),
        "total": to_string(preview.total, currency),
    }  # fmt: skip


def _reason(reason: ReturnReason | None) -> dict[str, str] | None:
    return None if reason is None else {"value": reason.value, "label": reason.label}
