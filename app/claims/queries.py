"""What a claim sent out: the lines a replace claim added."""

from __future__ import annotations

from app.changes.versions import added_line_ids
from app.claims.models import Claim, ClaimType
from app.orders.models import LineItem, Order


def replacement_lines(order: Order, claim: Claim) -> list[LineItem]:
    """The lines a replace claim sends out at no charge, as they are now on the order: the
    lines its order change added (in the version it made, not in the one before)."""
    if claim.type != ClaimType.REPLACE:
        return []
    added = set(added_line_ids(order, claim.change))
    return [item for item in order.items if item.id in added]
