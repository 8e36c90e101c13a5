"""Claims as JSON: amounts as strings in the order's currency's decimals."""

from __future__ import annotations

from typing import Any

from app.api.return_serializers import return_detail
from app.claims.actions import claim_refund_to_offer
from app.claims.models import Claim
from app.claims.queries import replacement_lines
from app.money import to_string
from app.orders.models import Order


def claim_detail(claim: Claim, order: Order) -> dict[str, Any]:
    """A claim with its lines (each with its reason, the units still written off and, when the
    same units are sent again, the line that replaces them), the lines it sends out at no
    charge, its return (``return_detail``) when the units come back, and what its written-off
    units are owed (``refund_due``), how much of it was refunded and what is left to offer
    (``refund_to_offer``; a return's units are refunded through the return). ``order`` is the
    claim's order loaded with its lines."""
    currency = order.currency_code
    return {
        "id": claim.id,
        "order_id": claim.order_id,
        "change_id": claim.change_id,
        "type": claim.type.value,
        "note": claim.note,
        "currency_code": currency,
        "items": [
            {"id": part.id, "item_id": part.item_id, "title": part.item.title,
             "quantity": part.quantity, "reason": part.reason.value, "note": part.note,
             "written_off_quantity": part.written_off_quantity,
             "replacement_item_id": part.replacement_item_id}
            for part in claim.items
        ],  # fmt: skip
        "replacement_item_ids": [item.id for item in replacement_lines(order, claim)],
        "return": None if claim.return_ is None else return_detail(claim.return_, order),
        "refund_due": to_string(claim.refund_due, currency),
        "refunded": to_string(claim.refunded, currency),
        "refund_to_offer": to_string(claim_refund_to_offer(order, claim), currency),
        "created_by": claim.created_by,
        "created_at": claim.created_at.isoformat(),
    }
